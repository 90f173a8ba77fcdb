import { checkBody, checkIdempotencyKey, checkPathId } from './check-request';
import { HttpError } from './http-error';
import { PutThreadRequest, VoteRequest } from './request-schemas';

function errorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected an HttpError');
}

describe('checkBody', () => {
  it('returns a valid body', () => {
    expect(checkBody(VoteRequest, { userId: 'u1', value: 1 })).toEqual({ userId: 'u1', value: 1 });
  });

  it('names the failing field', () => {
    const e = errorOf(() => checkBody(PutThreadRequest, { forumId: 'f1', closed: 'yes' }));
    expect(e.body()).toEqual({
      error: { code: 'invalid_request', field: 'closed', message: expect.stringMatching(/^closed: /) },
    });
  });

  it('says so when the body is not an object at all', () => {
    expect(errorOf(() => checkBody(VoteRequest, 'x')).body()).toEqual({
      error: { code: 'invalid_request', message: 'the body must be a JSON object' },
    });
  });
});

describe('checkPathId', () => {
  it('accepts ids and names the parameter otherwise', () => {
    expect(checkPathId('threadId', 'a-b_c.1')).toBe('a-b_c.1');
    expect(errorOf(() => checkPathId('threadId', 'a/b')).field).toBe('threadId');
    expect(errorOf(() => checkPathId('id', 'x'.repeat(129))).field).toBe('id');
  });
});

describe('checkIdempotencyKey', () => {
  it('accepts 1 to 128 printable characters, or no header', () => {
    expect(checkIdempotencyKey(undefined)).toBeUndefined();
    expect(checkIdempotencyKey('abc 123')).toBe('abc 123');
    expect(checkIdempotencyKey('k'.repeat(128))).toHaveLength(128);
  });

  it.each(['', 'k'.repeat(129), 'tab\there'])('refuses %j', (key) => {
    expect(errorOf(() => checkIdempotencyKey(key)).field).toBe('Idempotency-Key');
  });
});
