import { applyTableRecord, createTables } from './tables';

const rec = (key: string | null, value: unknown) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('applyTableRecord', () => {
  it('sets valid values and deletes on tombstones', () => {
    const t = createTables();
    const { users } = t;
    expect(applyTableRecord(t, 'users', rec('u1', { id: 'u1', name: 'Ada' }))).toBeUndefined();
    expect(users.get('u1')).toEqual({ id: 'u1', name: 'Ada' });
    expect(applyTableRecord(t, 'users', rec('u1', { id: 'u1', name: 'Ada L.' }))).toBeUndefined();
    expect(users.get('u1')?.name).toBe('Ada L.');
    expect(applyTableRecord(t, 'users', rec('u1', null))).toBeUndefined();
    expect(users.size).toBe(0);
  });

  it('reads threads and the comment index by their own ids', () => {
    const t = createTables();
    const thread = { id: 't1', forumId: 'f1', moderation: 'premoderated', closed: false };
    expect(applyTableRecord(t, 'threads', rec('t1', thread))).toBeUndefined();
    expect(t.threads.get('t1')).toEqual(thread);
    const entry = { commentId: 'c1', threadId: 't1', authorId: 'u1' };
    expect(applyTableRecord(t, 'comments', rec('c1', entry))).toBeUndefined();
    expect(t.comments.get('c1')).toEqual(entry);
  });

  it.each([
    ['no key', rec(null, { id: 'u1', name: 'Ada' }), /^missing_key/],
    ['bad JSON', rec('u1', '{"id":'), /^invalid_json/],
    ['schema violation', rec('u1', { id: 'u1' }), /^schema_violation: name/],
    ['unsafe avatar', rec('u1', { id: 'u1', name: 'A', avatarUrl: 'javascript:alert(1)' }), /avatarUrl/],
    ['key other than id', rec('u2', { id: 'u1', name: 'Ada' }), /^key_mismatch/],
  ])('skips a record with %s and keeps the table as it was', (_what, record, reason) => {
    const t = createTables();
    const { users } = t;
    users.set('u1', { id: 'u1', name: 'Before' });
    expect(applyTableRecord(t, 'users', record)).toMatch(reason);
    expect([...(users as Map<string, unknown>).values()]).toEqual([{ id: 'u1', name: 'Before' }]);
  });
});
