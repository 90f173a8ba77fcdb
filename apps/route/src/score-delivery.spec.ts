import { scoreEventId, scoreRecord, type PendingScore } from './score-delivery';

const pending: PendingScore = {
  partition: 2,
  threadId: 't1',
  offset: '917',
  acceptedAt: '2026-11-27T10:00:00.000Z',
  meta: { acceptedAtMs: '1700' },
};

describe('scoreRecord', () => {
  it('sends the running total to the thread, as of the latest vote', () => {
    const r = scoreRecord('c1', { up: 2, down: 1 }, pending);
    expect(r.key).toBe('t1');
    expect(r.headers).toMatchObject({
      'tc-channel': 'thread:t1',
      'tc-event-id': 'score:c1:2:917',
      'tc-accepted-at': '1700',
    });
    expect(JSON.parse(String(r.value))).toEqual({
      op: 'event',
      channel: 'thread:t1',
      event: {
        type: 'comment.score',
        eventId: 'score:c1:2:917',
        id: 'c1',
        threadId: 't1',
        score: 1,
        up: 2,
        down: 1,
        at: '2026-11-27T10:00:00.000Z',
      },
    });
  });
});

describe('scoreEventId', () => {
  it('is the same for the same last vote and differs when totals merely repeat', () => {
    expect(scoreEventId('c1', pending)).toBe(scoreEventId('c1', { ...pending }));
    expect(scoreEventId('c1', pending)).not.toBe(scoreEventId('c1', { ...pending, offset: '920' }));
  });
});
