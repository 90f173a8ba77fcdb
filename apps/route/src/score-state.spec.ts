import { applyVote, scoreOf, type Vote } from './score-state';

const vote = (userId: string, value: 1 | -1): Vote => ({ commentId: 'c1', threadId: 't1', userId, value });

describe('applyVote', () => {
  it('starts a state from the first vote', () => {
    expect(applyVote(undefined, vote('u1', 1))).toEqual({
      commentId: 'c1',
      threadId: 't1',
      votes: { u1: 1 },
    });
  });

  it('keeps each voter latest vote: a re-vote replaces, a replay changes nothing', () => {
    const s1 = applyVote(applyVote(undefined, vote('u1', 1)), vote('u2', 1));
    const replayed = applyVote(s1, vote('u2', 1));
    expect(replayed).toBe(s1);
    expect(scoreOf(replayed)).toEqual({ score: 2, up: 2, down: 0 });
    const switched = applyVote(s1, vote('u2', -1));
    expect(scoreOf(switched)).toEqual({ score: 0, up: 1, down: 1 });
  });

  it('never mutates the state it is given', () => {
    const s1 = applyVote(undefined, vote('u1', 1));
    applyVote(s1, vote('u1', -1));
    applyVote(s1, vote('u2', 1));
    expect(s1.votes).toEqual({ u1: 1 });
  });
});

describe('scoreOf', () => {
  it('counts ups and downs', () => {
    expect(scoreOf({ commentId: 'c', threadId: 't', votes: {} })).toEqual({ score: 0, up: 0, down: 0 });
    expect(scoreOf({ commentId: 'c', threadId: 't', votes: { a: 1, b: -1, c: -1 } })).toEqual({
      score: -1,
      up: 1,
      down: 2,
    });
  });
});
