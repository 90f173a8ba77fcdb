/**
 * `route.votes-changelog` (route's `votes` store, apps/route/src/vote-store.ts): compacted,
 * co-partitioned with comments.enriched. A record sits in the partition number of the
 * comments.enriched partition of its comment's thread (Kafka's default partitioner on the thread
 * id, the input's key), bare (no headers):
 * - `c/<commentId>` -> its thread id: route saw the comment created (so it takes votes);
 * - `v/<commentId>/<voterId>` -> `+` or `-`: that voter's latest vote.
 * The tallies are not in the changelog: route rebuilds them locally as it restores.
 *
 * Seeded as compaction leaves the log: a `c/` record for every comment of the history (route
 * writes one for each comment created, voted on or not: the probe votes' fresh comment needs its
 * own) and one `v/` record per vote, the hot comment's every voter included (no cap: a vote is
 * one record of a few dozen bytes, whatever the number of voters).
 */
import { TOPICS } from '@threadcast/contracts';
import { partitionForKey, type OutRecord } from '@threadcast/kafka';
import { votesOn, type History } from './history';

export interface HotCommentSeed {
  commentId: string;
  /** Voters the history has on it, all seeded. */
  voters: number;
}

export function hotComment(h: History): HotCommentSeed {
  return { commentId: h.commentId(h.hotComment), voters: votesOn(h, h.hotComment) };
}

/**
 * Every comment's `c/` record, each followed by its votes' `v/` records, in the partition route
 * writes them to. `partitions`: comments.enriched's partition count (route's store partitions).
 */
export function* routeVoteRecords(h: History, partitions: number): Generator<OutRecord> {
  for (let c = 0; c < h.sizes.comments; c++) {
    const commentId = h.commentId(c);
    const threadId = h.threadId(h.threadOf(c));
    const partition = partitionForKey(threadId, partitions);
    yield record(`c/${commentId}`, threadId, partition);
    const n = votesOn(h, c);
    for (let v = 0; v < n; v++) {
      const value = h.voteValue(c, v) === 1 ? '+' : '-';
      yield record(`v/${commentId}/${h.userId(h.voterOf(c, v))}`, value, partition);
    }
  }
}

function record(key: string, value: string, partition: number): OutRecord {
  return { topic: TOPICS.routeVotesChangelog, partition, key, value };
}

/** The topics route writes its own state to (a vote's cost there is their growth). */
export const ROUTE_CHANGELOGS: readonly string[] = [TOPICS.routeVotesChangelog];
