import { history, votesOn } from './history';

describe('state history', () => {
  const sizes = { users: 50, comments: 20, threads: 4, votes: 130, hotVoters: 30, votersPerComment: 10 };

  it('holds the votes asked for: the hot comment, then full comments in turn', () => {
    const h = history('r1', sizes);
    expect(h.votedComments).toBe(10);
    let total = 0;
    for (let c = 0; c < sizes.comments; c++) total += votesOn(h, c);
    expect(total).toBe(130);
    expect(votesOn(h, h.hotComment)).toBe(30);
    expect(votesOn(h, 10)).toBe(10);
    expect(votesOn(h, h.freshComment)).toBe(0);
  });

  it('gives each comment distinct voters, and comments to threads round-robin', () => {
    const h = history('r1', sizes);
    const voters = new Set(Array.from({ length: 30 }, (_, v) => h.voterOf(0, v)));
    expect(voters.size).toBe(30);
    expect(h.threadId(h.threadOf(5))).toBe('r1-t1');
    expect(h.commentId(5)).toBe('r1-c5');
  });

  it('never votes on more comments than there are, keeping the last one unvoted', () => {
    const h = history('r1', { ...sizes, comments: 4 });
    expect(h.votedComments).toBe(2);
    expect(votesOn(h, 3)).toBe(0);
    expect(votesOn(h, 2)).toBeLessThanOrEqual(10);
  });
});
