import type { CommentScoreState } from '@threadcast/contracts';

export interface Vote {
  commentId: string;
  threadId: string;
  userId: string;
  value: 1 | -1;
}

export interface Score {
  score: number;
  up: number;
  down: number;
}

/**
 * The state after a vote: the voter's latest vote replaces any earlier one, so a replayed vote
 * (a redelivered record) leaves the state as it was. Returns `state` itself when nothing changes.
 */
export function applyVote(state: CommentScoreState | undefined, vote: Vote): CommentScoreState {
  if (state === undefined) {
    return { commentId: vote.commentId, threadId: vote.threadId, votes: { [vote.userId]: vote.value } };
  }
  if (state.votes[vote.userId] === vote.value) return state;
  return { ...state, votes: { ...state.votes, [vote.userId]: vote.value } };
}

export function scoreOf(state: CommentScoreState): Score {
  let up = 0;
  let down = 0;
  for (const id in state.votes) {
    if (state.votes[id] === 1) up++;
    else down++;
  }
  return { score: up - down, up, down };
}
