import { commentScoreRecords, hotCommentState, MAX_SCORE_STATE_BYTES } from './format-comment-scores';
import { history } from './history';

describe("comments.scores in today's format", () => {
  it('caps the hot comment at what one state record may hold, to the byte', () => {
    const h = history('abc123', {
      users: 200_000,
      comments: 10,
      threads: 2,
      votes: 100_000,
      hotVoters: 100_000,
      votersPerComment: 10,
    });
    const { state, seed } = hotCommentState(h);
    const bytes = Buffer.byteLength(JSON.stringify(state));
    expect(bytes).toBe(seed.bytes);
    expect(bytes).toBeLessThanOrEqual(MAX_SCORE_STATE_BYTES);
    expect(seed.wanted).toBe(100_000);
    expect(seed.held).toBe(Object.keys(state!.votes).length);
    expect(seed.held).toBeLessThan(100_000);
    // One voter more would not fit.
    const next = { ...state!, votes: { ...state!.votes, [h.userId(h.voterOf(0, seed.held))]: 1 } };
    expect(Buffer.byteLength(JSON.stringify(next))).toBeGreaterThan(MAX_SCORE_STATE_BYTES);
  });

  it('writes one whole state per voted comment, every voter in it', () => {
    const h = history('r', {
      users: 100,
      comments: 10,
      threads: 2,
      votes: 25,
      hotVoters: 5,
      votersPerComment: 10,
    });
    const records = [...commentScoreRecords(h)];
    expect(records.map((r) => r.key)).toEqual(['r-c0', 'r-c1', 'r-c2']);
    const states = records.map((r) => JSON.parse(String(r.value)) as { votes: Record<string, number> });
    expect(states.map((s) => Object.keys(s.votes).length)).toEqual([5, 10, 10]);
  });
});
