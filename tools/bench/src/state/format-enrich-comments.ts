/**
 * `enrich.comments-changelog` (enrich's `comments` store, the comment index: apps/enrich/src/
 * tables.ts, storeCommentIndex): compacted, co-partitioned with comments. A record sits in the
 * partition number of the comments partition of its comment's thread (Kafka's default
 * partitioner on the thread id, the input's key), bare (no headers): key = comment id, value =
 * its CommentIndexEntry as JSON (`{"commentId","threadId","authorId"}`, plus held/pending/decided
 * for a held or decided comment; the history holds none).
 *
 * The bench may not import enrich (apps are no library), so this mirrors its encoding;
 * format-enrich-comments.spec.ts decodes what it writes with the contract enrich validates its
 * index against (TABLE_SPECS.comments), and enrich's tables.store.spec.ts pins enrich's side.
 *
 * Seeded as compaction leaves the log: one record per comment ever posted (nothing expired yet).
 */
import { TOPICS, type CommentIndexEntry } from '@threadcast/contracts';
import { partitionForKey, type OutRecord } from '@threadcast/kafka';
import type { History } from './history';

/** Every comment's index entry, in the partition enrich writes it to. `partitions`: comments' partition count. */
export function* enrichCommentRecords(h: History, partitions: number): Generator<OutRecord> {
  for (let c = 0; c < h.sizes.comments; c++) {
    const threadId = h.threadId(h.threadOf(c));
    const entry: CommentIndexEntry = {
      commentId: h.commentId(c),
      threadId,
      authorId: h.userId(h.authorOf(c)),
    };
    yield {
      topic: TOPICS.enrichCommentsChangelog,
      partition: partitionForKey(threadId, partitions),
      key: entry.commentId,
      value: JSON.stringify(entry),
    };
  }
}

/** The topics enrich writes its own state to (a vote's cost there is their growth). */
export const ENRICH_CHANGELOGS: readonly string[] = [TOPICS.enrichCommentsChangelog];
