/**
 * `comments.index` (enrich's changelog) in TODAY's format: compacted, key = comment id, value =
 * CommentIndexEntry (thread and author), one record per comment ever posted, read whole by every
 * enrich pod at start. Records carry no writer header, so every enrich process applies them.
 *
 * When the index changes format (partitioned by thread, tombstoned after retention, ...), this
 * is the module to replace: the history (history.ts) stays, the records made from it change.
 */
import { TOPICS, type CommentIndexEntry } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { History } from './history';

export function* commentIndexRecords(h: History): Generator<OutRecord> {
  for (let c = 0; c < h.sizes.comments; c++) {
    const entry: CommentIndexEntry = {
      commentId: h.commentId(c),
      threadId: h.threadId(h.threadOf(c)),
      authorId: h.userId(h.authorOf(c)),
    };
    yield { topic: TOPICS.commentIndex, key: entry.commentId, value: JSON.stringify(entry) };
  }
}

/** The topics enrich writes its own state to (a vote's cost there is their growth). */
export const ENRICH_CHANGELOGS: readonly string[] = [TOPICS.commentIndex];
