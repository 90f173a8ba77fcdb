import { PoisonRecordError, RetriableError, isRetriable } from './errors';

describe('errors', () => {
  it('carries code, retriable and cause', () => {
    const cause = new Error('socket closed');
    const r = new RetriableError('kafka_unavailable', 'broker away', { cause });
    expect(r).toMatchObject({ code: 'kafka_unavailable', retriable: true, name: 'RetriableError' });
    expect(r.cause).toBe(cause);
    const p = new PoisonRecordError('bad_json', 'not JSON', { field: 'body' });
    expect(p).toMatchObject({ code: 'bad_json', retriable: false, field: 'body' });
    expect(isRetriable(r)).toBe(true);
    expect(isRetriable(p)).toBe(false);
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(false);
  });
});
