import { CommentScoreState, decodeJson, TOPICS, validate } from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';

/**
 * Headers of route's own changelog records (not part of any other stage's contract):
 * which route process wrote the state, and the input record it came from.
 */
export const SCORE_HEADERS = { writer: 'tc-score-writer', source: 'tc-score-source' } as const;

/**
 * `comments.scores` accepts 1 MiB per record (topicSpecs). A state past this (some 25k voters on
 * one comment) cannot be written, so the vote is dead-lettered instead of stalling the partition.
 */
export const MAX_SCORE_STATE_BYTES = 1_000_000;

/** The changelog record of a comment's new state, produced with (and committed like) the vote. */
export function scoreChangelogRecord(
  state: CommentScoreState,
  opts: { writerId: string; source: { partition: number; offset: string } },
): OutRecord {
  const value = Buffer.from(JSON.stringify(state));
  if (value.length > MAX_SCORE_STATE_BYTES) {
    throw new PoisonRecordError(
      'score_state_too_large',
      `score state of ${state.commentId} would be ${value.length} bytes; the limit is ${MAX_SCORE_STATE_BYTES}`,
    );
  }
  return {
    topic: TOPICS.commentScores,
    key: state.commentId,
    value,
    headers: {
      [SCORE_HEADERS.writer]: opts.writerId,
      [SCORE_HEADERS.source]: `${TOPICS.commentsEnriched}/${opts.source.partition}/${opts.source.offset}`,
    },
  };
}

/**
 * Applies one `comments.scores` record to the in-memory table: a state replaces the comment's
 * entry, a tombstone removes it. Throws on a record that is not a valid state (the reader skips it).
 */
export function loadScoreRecord(table: Map<string, CommentScoreState>, record: InRecord): void {
  if (record.key === null) throw new Error('score record without key');
  const commentId = record.key.toString('utf8');
  if (record.value === null) {
    table.delete(commentId);
    return;
  }
  const json = decodeJson(record.value, MAX_SCORE_STATE_BYTES + 1024);
  const checked = json.ok ? validate(CommentScoreState, json.value) : json;
  if (!checked.ok) throw new Error(`score record ${commentId}: ${checked.message}`);
  table.set(commentId, checked.value);
}
