import type { OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import {
  indexCreated,
  isExpired,
  unindex,
  type DropItem,
  type LocalData,
  type PartitionState,
  type RestoreFn,
} from '@threadcast/store';

/**
 * route's `votes` store, one per comments.enriched partition. In the changelog (and the store):
 * `c/<commentId>` -> `<threadId>/<createdAt epoch ms>`, written when route sees the comment
 * created, `t/<createdAt>/<commentId>` (libs/store retention.ts: the time index the retention
 * sweep reads), and `v/<commentId>/<voterId>` -> `+` or `-`, each voter's latest vote (one record
 * of a few dozen bytes per vote, whatever the number of voters). Only in the store (`local`),
 * rebuilt by the restore: `<commentId>` -> its tally (up, down). Ids never contain `/`
 * (contracts: letters, digits, `_ . -`). A `c/` value without a time (written before retention)
 * has no index entry: such a comment is kept until deleted.
 */
export const VOTES_STORE = 'votes';

export interface Tally {
  up: number;
  down: number;
}

export interface Vote {
  commentId: string;
  threadId: string;
  userId: string;
  value: 1 | -1;
  /** The vote's event time (ISO): compared with its comment's creation for retention. */
  acceptedAt?: string;
}

/** What the `c/` key says: the comment's thread and, since retention, its creation time. */
interface Existing {
  threadId: string;
  createdAtMs: number | undefined;
}

function readComment(state: Pick<PartitionState, 'get'>, commentId: string): Existing | undefined {
  const b = state.get(commentKey(commentId));
  if (b === undefined) return undefined;
  const s = b.toString('utf8');
  const slash = s.indexOf('/');
  if (slash < 0) return { threadId: s, createdAtMs: undefined };
  const t = Number(s.slice(slash + 1));
  return { threadId: s.slice(0, slash), createdAtMs: Number.isFinite(t) ? t : undefined };
}

const commentKey = (commentId: string) => `c/${commentId}`;
const votePrefix = (commentId: string) => `v/${commentId}/`;
const voteKey = (commentId: string, userId: string) => `v/${commentId}/${userId}`;
const UP = Buffer.from('+');
const DOWN = Buffer.from('-');

/** A vote's value as stored: 1 byte. */
function voteValue(v: Buffer | null | undefined): 1 | -1 | undefined {
  if (!v || v.length !== 1) return undefined;
  return v[0] === 0x2b ? 1 : v[0] === 0x2d ? -1 : undefined;
}

export function readTally(local: LocalData, commentId: string): Tally | undefined {
  const b = local.get(commentId);
  if (!b || b.length !== 8) return undefined;
  return { up: b.readUInt32BE(0), down: b.readUInt32BE(4) };
}

function writeTally(local: LocalData, commentId: string, t: Tally): void {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(t.up, 0);
  b.writeUInt32BE(t.down, 4);
  local.set(commentId, b);
}

/** The tally after a voter's vote went from `before` to `after` (either may be none). */
function moveTally(
  local: LocalData,
  commentId: string,
  before: 1 | -1 | undefined,
  after: 1 | -1 | undefined,
) {
  if (before === after) return;
  const t = readTally(local, commentId) ?? { up: 0, down: 0 };
  if (before === 1) t.up = Math.max(0, t.up - 1);
  if (before === -1) t.down = Math.max(0, t.down - 1);
  if (after === 1) t.up++;
  if (after === -1) t.down++;
  writeTally(local, commentId, t);
}

/**
 * The comment exists from now on, created at `createdAtMs` (its event's acceptedAt: the same on
 * a replay), and is in the time index. Written again when a creation is handled again (a replay):
 * the local store may hold it from an attempt whose changelog records never reached the broker.
 */
export function recordCreated(
  state: PartitionState,
  commentId: string,
  threadId: string,
  createdAtMs: number,
): OutRecord[] {
  return [
    state.put(commentKey(commentId), Buffer.from(`${threadId}/${Math.floor(createdAtMs)}`)),
    indexCreated(state, commentId, createdAtMs),
  ];
}

/**
 * Counts a vote: O(1) whatever the number of voters. The voter's latest vote replaces an earlier
 * one, so the same vote handled again (a replay) leaves the tally as it is; its changelog record
 * is produced all the same (see recordCreated). A vote for a comment route never saw created in
 * this partition (never existed, refused, deleted, dropped by retention, or on another thread) is
 * poison, and so is a vote cast (its acceptedAt) more than `windowMs` after its comment's
 * creation, whether or not the sweep dropped the comment yet: by the records' own times, so a
 * replay decides the same.
 */
export function applyVote(
  state: PartitionState,
  vote: Vote,
  windowMs = 0,
): { record: OutRecord; tally: Tally } {
  const comment = readComment(state, vote.commentId);
  if (comment === undefined) {
    throw new PoisonRecordError(
      'unknown_comment',
      `vote for comment ${vote.commentId}, which route never saw created (or was deleted, or dropped by retention)`,
    );
  }
  const castAt = vote.acceptedAt === undefined ? NaN : Date.parse(vote.acceptedAt);
  if (
    comment.createdAtMs !== undefined &&
    !Number.isNaN(castAt) &&
    isExpired(comment.createdAtMs, castAt, windowMs)
  ) {
    throw new PoisonRecordError(
      'unknown_comment',
      `vote for comment ${vote.commentId}, created more than the retention window before the vote`,
    );
  }
  if (comment.threadId !== vote.threadId) {
    throw new PoisonRecordError(
      'unknown_comment',
      `vote for comment ${vote.commentId} names thread ${vote.threadId}, not its own`,
    );
  }
  const key = voteKey(vote.commentId, vote.userId);
  const before = voteValue(state.get(key));
  const record = state.put(key, vote.value === 1 ? UP : DOWN);
  moveTally(state.local, vote.commentId, before, vote.value);
  return { record, tally: readTally(state.local, vote.commentId) ?? { up: 0, down: 0 } };
}

/**
 * A deleted comment's state goes: a tombstone per vote and one for the comment (rare, and the
 * changelog only drops a key for a tombstone), its tally with them. Nothing for an unknown one.
 */
export function recordDeleted(state: PartitionState, commentId: string): OutRecord[] {
  const comment = readComment(state, commentId);
  if (comment === undefined) return [];
  const out: OutRecord[] = [];
  for (const key of [...state.keys(votePrefix(commentId))]) out.push(state.remove(key));
  state.local.delete(commentId);
  out.push(state.remove(commentKey(commentId)));
  if (comment.createdAtMs !== undefined) out.push(unindex(state, commentId, comment.createdAtMs));
  return out;
}

/**
 * Retention (libs/store sweeper.ts): drops up to `budget` keys of an expired comment, its votes
 * first (the tally follows each), its `c/` key last; done when the comment is gone.
 */
export const dropComment: DropItem = (state, commentId, budget) => {
  const records: OutRecord[] = [];
  const keys: string[] = [];
  for (const key of state.keys(votePrefix(commentId))) {
    if (keys.length >= budget) break;
    keys.push(key);
  }
  for (const key of keys) {
    moveTally(state.local, commentId, voteValue(state.get(key)), undefined);
    records.push(state.remove(key));
  }
  if (records.length >= budget) return { records, done: false };
  if (state.get(commentKey(commentId)) !== undefined) {
    state.local.delete(commentId);
    records.push(state.remove(commentKey(commentId)));
  }
  return { records, done: true };
};

/**
 * A changelog record into the store: as written, and the tally moved by the vote's change.
 * A record the store already reflects changes nothing, so restoring from a checkpoint older than
 * the local data is safe.
 */
export const restoreVotes: RestoreFn = (view, key, value) => {
  if (key.startsWith('v/')) {
    const end = key.indexOf('/', 2);
    if (end < 0) return;
    const commentId = key.slice(2, end);
    const before = voteValue(view.get(key));
    view.set(key, value);
    moveTally(view.local, commentId, before, voteValue(value));
    return;
  }
  view.set(key, value);
  if (value === null && key.startsWith('c/')) view.local.delete(key.slice(2));
};
