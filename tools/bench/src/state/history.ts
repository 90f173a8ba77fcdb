/**
 * The history the state scenario seeds, as plain numbers and ids: who the users are, which
 * thread each comment is in and who wrote it, and which voters voted on which comment. It knows
 * nothing of any topic's record format (the `format-*.ts` modules turn it into records), so the
 * same history can be written in today's format and in whatever replaces it.
 */

export interface HistorySizes {
  users: number;
  comments: number;
  threads: number;
  /** All votes, the hot comment's included. */
  votes: number;
  /** Voters on the one hot comment (part of `votes`). */
  hotVoters: number;
  /** Voters per comment for the votes that are not on the hot comment. */
  votersPerComment: number;
}

export interface History {
  readonly sizes: HistorySizes;
  userId(i: number): string;
  threadId(t: number): string;
  commentId(c: number): string;
  /** Thread index of comment c: comments go round-robin over the threads. */
  threadOf(c: number): number;
  /** User index of comment c's author: spread over every user. */
  authorOf(c: number): number;
  /** The comment the hot voters vote on. */
  readonly hotComment: number;
  /** Comments with `votersPerComment` voters each, after the hot one: 1, 2, ... */
  readonly votedComments: number;
  /** The last comment: never voted on in the history, so a measurement can start it from zero. */
  readonly freshComment: number;
  /** User index of the v-th voter of a comment (0-based); distinct for v < users. */
  voterOf(c: number, v: number): number;
  /** The value of that vote: mostly up, every fifth down. */
  voteValue(c: number, v: number): 1 | -1;
}

/** Ids carry the run id, so runs sharing a broker never mix; lengths like real ids (10-20 chars). */
export function history(runId: string, sizes: HistorySizes): History {
  const hotVoters = Math.min(sizes.hotVoters, sizes.votes, sizes.users);
  const rest = sizes.votes - hotVoters;
  const perComment = Math.max(1, Math.min(sizes.votersPerComment, sizes.users));
  // Every voted comment must exist, and the last one stays without votes: the votes past what
  // the comments can hold are not seeded.
  const votedComments = Math.min(Math.ceil(rest / perComment), Math.max(0, sizes.comments - 2));
  return {
    sizes: { ...sizes, hotVoters },
    userId: (i) => `${runId}-u${i}`,
    threadId: (t) => `${runId}-t${t}`,
    commentId: (c) => `${runId}-c${c}`,
    threadOf: (c) => c % sizes.threads,
    // A multiplier prime to any size a run is likely to use scatters authors over users.
    authorOf: (c) => (c * 7919) % sizes.users,
    hotComment: 0,
    votedComments,
    freshComment: sizes.comments - 1,
    voterOf: (c, v) => (c * 104_729 + v) % sizes.users,
    voteValue: (c, v) => ((c + v) % 5 === 4 ? -1 : 1),
  };
}

/** How many votes of a comment the history holds: hotVoters for the hot one, votersPerComment for 1..votedComments. */
export function votesOn(h: History, c: number): number {
  if (c === h.hotComment) return h.sizes.hotVoters;
  if (c < 1 || c > h.votedComments) return 0;
  const rest = h.sizes.votes - h.sizes.hotVoters;
  const per = Math.max(1, Math.min(h.sizes.votersPerComment, h.sizes.users));
  // The last voted comment takes what is left (when the comments are too few, not all of it).
  return c < h.votedComments ? per : Math.min(per, rest - per * (h.votedComments - 1));
}
