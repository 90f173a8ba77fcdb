import { HEADERS, SCHEMA_IDS, TOPICS } from '@threadcast/contracts';
import { threadWrite, userWrite } from './table-writes';

const at = new Date(1_000);

describe('table writes', () => {
  it('stores a user profile keyed by id', () => {
    const { records, answer } = userWrite('u1', { name: 'Ada' }, at, {});
    expect(answer).toEqual({ id: 'u1', name: 'Ada' });
    expect(records).toEqual([
      {
        topic: TOPICS.users,
        key: 'u1',
        value: '{"id":"u1","name":"Ada"}',
        headers: { [HEADERS.schemaId]: SCHEMA_IDS.usersV1, [HEADERS.acceptedAt]: '1000' },
      },
    ]);
  });

  it('stores a thread with the defaults filled in', () => {
    const { records, answer } = threadWrite('t1', { forumId: 'f1', title: 'Hello' }, at, {
      traceparent: 'tp',
    });
    expect(answer).toEqual({ id: 't1', forumId: 'f1', title: 'Hello', moderation: 'open', closed: false });
    expect(records[0]).toMatchObject({ topic: TOPICS.threads, key: 't1', headers: { traceparent: 'tp' } });
  });

  it('throws (a bug, answered 500) when the record would break the contract', () => {
    expect(() => userWrite('not an id', { name: 'A' }, at, {})).toThrow(TypeError);
  });
});
