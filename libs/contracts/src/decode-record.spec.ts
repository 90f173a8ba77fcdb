import { commentRecord, decodeCommentEvent, decodeWith, UserProfile } from './index';

const good = {
  type: 'comment.created',
  eventId: 'e1',
  threadId: 't1',
  commentId: 'c1',
  acceptedAt: '2026-11-27T10:00:00.000Z',
  author: { id: 'u1' },
  body: 'hello',
};
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('decodeCommentEvent', () => {
  it('accepts a valid event whose key is its threadId', () => {
    const r = decodeCommentEvent(buf(good), Buffer.from('t1'));
    expect(r).toEqual({ ok: true, value: good });
  });

  it.each([
    ['no value', null, 'missing_value', undefined],
    ['oversize', Buffer.alloc(70 * 1024, 'a'), 'oversize', undefined],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_utf8', undefined],
    ['bad JSON', buf('{"type":'), 'invalid_json', undefined],
    ['not an object', buf('[1,2]'), 'schema_violation', '(value)'],
    ['unknown type', buf({ ...good, type: 'comment.exploded' }), 'unknown_type', 'type'],
    ['missing type', buf({ ...good, type: undefined }), 'schema_violation', 'type'],
    ['bad author id', buf({ ...good, author: { id: 'has space' } }), 'schema_violation', 'author.id'],
    ['empty body', buf({ ...good, body: '' }), 'schema_violation', 'body'],
    ['extra field', buf({ ...good, extra: 1 }), 'schema_violation', 'extra'],
    ['bad timestamp', buf({ ...good, acceptedAt: 'yesterday' }), 'schema_violation', 'acceptedAt'],
    [
      'vote of 2',
      buf({ ...good, type: 'comment.voted', userId: 'u2', value: 2, author: undefined, body: undefined }),
      'schema_violation',
      'value',
    ],
  ])('rejects %s with code %s naming the field', (_what, value, code, field) => {
    const r = decodeCommentEvent(value as Buffer | null);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.field).toBe(field);
      expect(r.message.length).toBeGreaterThan(5);
    }
  });

  it('rejects a missing key or a key other than threadId', () => {
    expect(decodeCommentEvent(buf(good), null)).toMatchObject({ ok: false, code: 'missing_key' });
    expect(decodeCommentEvent(buf(good), Buffer.from('t2'))).toMatchObject({
      ok: false,
      code: 'key_mismatch',
    });
  });
});

describe('commentRecord (typed producer helper)', () => {
  it('fills ids and time, keys by thread and sets contract headers', () => {
    const now = new Date('2026-11-27T10:00:00.000Z');
    const r = commentRecord(
      { type: 'comment.created', threadId: 't9', commentId: 'c9', author: { id: 'u' }, body: 'hi' },
      now,
    );
    expect(r.topic).toBe('comments');
    expect(r.key).toBe('t9');
    const v = JSON.parse(r.value.toString());
    expect(v.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(v.acceptedAt).toBe(now.toISOString());
    expect(r.headers).toEqual({
      'tc-schema': 'comments.v1',
      'tc-event-id': v.eventId,
      'tc-accepted-at': String(now.getTime()),
    });
  });

  it('throws naming the field that breaks the contract', () => {
    expect(() =>
      commentRecord({ type: 'comment.voted', threadId: 't', commentId: 'c', userId: 'u', value: 3 as 1 }),
    ).toThrow(/value/);
  });
});

describe('tables', () => {
  it('validates user profiles including the avatar URL', () => {
    expect(
      decodeWith(UserProfile, buf({ id: 'u1', name: 'Ada', avatarUrl: 'https://x.test/a.png' })).ok,
    ).toBe(true);
    expect(
      decodeWith(UserProfile, buf({ id: 'u1', name: 'Ada', avatarUrl: 'javascript:alert(1)' })),
    ).toMatchObject({
      ok: false,
      field: 'avatarUrl',
    });
  });
});
