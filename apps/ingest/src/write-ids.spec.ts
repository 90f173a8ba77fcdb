import { Id, EventId, validate } from '@threadcast/contracts';
import { writeIds, writeScope } from './write-ids';

describe('writeIds', () => {
  const scope = writeScope('POST /v1/threads/:threadId/comments', ['t1']);

  it('derives the same ids from the same scope and key, anywhere', () => {
    expect(writeIds(scope, 'k1')).toEqual(writeIds(scope, 'k1'));
  });

  it('derives other ids for another key, thread or route', () => {
    const a = writeIds(scope, 'k1');
    expect(writeIds(scope, 'k2').eventId).not.toBe(a.eventId);
    expect(writeIds(writeScope('POST /v1/threads/:threadId/comments', ['t2']), 'k1').commentId).not.toBe(
      a.commentId,
    );
    expect(
      writeIds(writeScope('PATCH /v1/threads/:threadId/comments/:id', ['t1', 'c1']), 'k1').eventId,
    ).not.toBe(a.eventId);
  });

  it('makes random ids without a key', () => {
    expect(writeIds(scope, undefined).eventId).not.toBe(writeIds(scope, undefined).eventId);
  });

  it('makes ids the contract accepts, comment and event ids apart', () => {
    for (const ids of [writeIds(scope, 'k1'), writeIds(scope, undefined)]) {
      expect(validate(Id, ids.commentId).ok).toBe(true);
      expect(validate(EventId, ids.eventId).ok).toBe(true);
      expect(ids.commentId).not.toBe(ids.eventId);
    }
  });
});
