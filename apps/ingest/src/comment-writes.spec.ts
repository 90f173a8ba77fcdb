import { HEADERS, decodeCommentEvent } from '@threadcast/contracts';
import {
  approvedEvent,
  commentWrite,
  createdEvent,
  deletedEvent,
  editedEvent,
  rejectedEvent,
  votedEvent,
} from './comment-writes';

const ids = { commentId: 'cNew', eventId: 'eOne' };
const at = new Date('2030-01-01T00:00:00.000Z');

describe('comment writes', () => {
  it.each([
    ['created', createdEvent('t1', { author: { id: 'u1' }, body: 'hi' }, ids), 'cNew'],
    ['edited', editedEvent('t1', 'c1', { body: 'hi again', editorId: 'u1' }, ids), 'c1'],
    ['deleted', deletedEvent('t1', 'c1', { deletedBy: 'u1' }, ids), 'c1'],
    ['voted', votedEvent('t1', 'c1', { userId: 'u2', value: 1 }, ids), 'c1'],
    ['approved', approvedEvent('t1', 'c1', { moderatorId: 'm1' }, ids), 'c1'],
    ['rejected', rejectedEvent('t1', 'c1', { moderatorId: 'm1', reason: 'spam' }, ids), 'c1'],
  ])('makes a valid %s record keyed by thread', (_type, input, commentId) => {
    const { records, answer } = commentWrite(input, at, { [HEADERS.traceparent]: 'tp' });
    expect(answer).toEqual({ id: commentId, threadId: 't1', eventId: 'eOne' });
    const [record] = records;
    expect(record?.key).toBe('t1');
    expect(record?.headers).toMatchObject({
      [HEADERS.eventId]: 'eOne',
      [HEADERS.acceptedAt]: String(at.getTime()),
      traceparent: 'tp',
    });
    const decoded = decodeCommentEvent(record?.value as Buffer, Buffer.from('t1'));
    expect(decoded).toMatchObject({ ok: true, value: { commentId, acceptedAt: at.toISOString() } });
  });

  it('leaves optional fields out rather than null', () => {
    expect(createdEvent('t1', { author: { id: 'u1' }, body: 'x' }, ids)).not.toHaveProperty('parentId');
    expect(createdEvent('t1', { author: { id: 'u1' }, body: 'x' }, ids)).not.toHaveProperty('author.name');
    expect(editedEvent('t1', 'c1', { body: 'x', editorId: 'u1' }, ids)).not.toHaveProperty('asModerator');
    expect(deletedEvent('t1', 'c1', { deletedBy: 'u1' }, ids)).not.toHaveProperty('asModerator');
    expect(rejectedEvent('t1', 'c1', { moderatorId: 'm1' }, ids)).not.toHaveProperty('reason');
  });
});
