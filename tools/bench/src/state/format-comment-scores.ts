/**
 * `comments.scores` (route's changelog) in TODAY's format: compacted, key = comment id, value =
 * the comment's whole CommentScoreState (every voter's latest vote). What is seeded is the log
 * as compaction leaves it: one record per voted comment, its final state. (Before compaction the
 * log holds every intermediate state too: n voters cost O(n^2) bytes.)
 *
 * Today's format cannot hold a comment with many voters: route refuses (dead-letters, as
 * `score_state_too_large`) any vote whose state would pass MAX_SCORE_STATE_BYTES, so the hot
 * comment is seeded with as many voters as fit, and `hotComment` says how many did not.
 *
 * When votes change format (per (comment, voter) records, or deltas), replace this module: the
 * history (history.ts) stays, the records made from it change, and the cap may go.
 */
import { TOPICS, type CommentScoreState } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { votesOn, type History } from './history';

/** apps/route/src/score-changelog.ts: the largest state route writes (the topic takes 1 MiB). */
export const MAX_SCORE_STATE_BYTES = 1_000_000;

export interface HotCommentSeed {
  commentId: string;
  /** Voters the history has on it. */
  wanted: number;
  /** Voters its seeded state holds: as many as fit under MAX_SCORE_STATE_BYTES. */
  held: number;
  /** Size of that state's value. */
  bytes: number;
}

/** The states of the voted comments; the hot comment's is capped (see `hotCommentState`). */
export function* commentScoreRecords(h: History): Generator<OutRecord> {
  const hot = hotCommentState(h);
  if (hot.state) yield record(hot.state);
  for (let c = 1; c <= h.votedComments; c++) {
    const votes: CommentScoreState['votes'] = {};
    const n = votesOn(h, c);
    for (let v = 0; v < n; v++) votes[h.userId(h.voterOf(c, v))] = h.voteValue(c, v);
    yield record({ commentId: h.commentId(c), threadId: h.threadId(h.threadOf(c)), votes });
  }
}

/**
 * The hot comment's state in today's format, holding its voters in order until the next one
 * would take the value past MAX_SCORE_STATE_BYTES (where route dead-letters the vote instead).
 */
export function hotCommentState(h: History): { state: CommentScoreState | undefined; seed: HotCommentSeed } {
  const c = h.hotComment;
  const wanted = votesOn(h, c);
  const base: CommentScoreState = {
    commentId: h.commentId(c),
    threadId: h.threadId(h.threadOf(c)),
    votes: {},
  };
  // `{"votes":{}}` grows by `"<id>":1,` (or -1) per voter; the first voter has no comma.
  let bytes = Buffer.byteLength(JSON.stringify(base));
  let held = 0;
  for (; held < wanted; held++) {
    const id = h.userId(h.voterOf(c, held));
    const value = h.voteValue(c, held);
    const grow = Buffer.byteLength(JSON.stringify(id)) + 1 + String(value).length + (held > 0 ? 1 : 0);
    if (bytes + grow > MAX_SCORE_STATE_BYTES) break;
    base.votes[id] = value;
    bytes += grow;
  }
  return {
    state: wanted > 0 ? base : undefined,
    seed: { commentId: base.commentId, wanted, held, bytes },
  };
}

function record(state: CommentScoreState): OutRecord {
  return { topic: TOPICS.commentScores, key: state.commentId, value: JSON.stringify(state) };
}

/** The topics route writes its own state to (a vote's cost there is their growth). */
export const ROUTE_CHANGELOGS: readonly string[] = [TOPICS.commentScores];
