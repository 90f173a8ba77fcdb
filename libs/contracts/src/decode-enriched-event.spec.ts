import { decodeEnrichedEvent } from './decode-record';

const deleted = {
  type: 'comment.deleted',
  eventId: 'e1',
  threadId: 't1',
  forumId: 'f1',
  commentId: 'c1',
  acceptedAt: '2026-11-27T10:00:00.000Z',
};
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('decodeEnrichedEvent', () => {
  it('accepts a valid enriched event', () => {
    expect(decodeEnrichedEvent(buf(deleted))).toEqual({ ok: true, value: deleted });
  });

  it.each([
    ['no value', null, 'missing_value', undefined],
    ['bad JSON', buf('{'), 'invalid_json', undefined],
    ['null', buf('null'), 'schema_violation', '(value)'],
    ['unknown type', buf({ ...deleted, type: 'comment.exploded' }), 'unknown_type', 'type'],
    ['bad thread id', buf({ ...deleted, threadId: 'has space' }), 'schema_violation', 'threadId'],
    [
      'vote of 2',
      buf({ ...deleted, type: 'comment.voted', userId: 'u1', value: 2 }),
      'schema_violation',
      'value',
    ],
    ['no spam score', buf({ ...deleted, type: 'comment.created' }), 'schema_violation', undefined],
  ])('rejects %s with code %s', (_what, value, code, field) => {
    const r = decodeEnrichedEvent(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      if (field !== undefined) expect(r.field).toBe(field);
    }
  });
});
