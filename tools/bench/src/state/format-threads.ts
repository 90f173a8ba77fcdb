/**
 * `threads` (compacted, key = thread id, value = ThreadInfo v1): each thread's forum and
 * moderation settings. Replace this module when the threads topic's format changes.
 */
import { TOPICS, type ThreadInfo } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { History } from './history';

export function* threadRecords(h: History): Generator<OutRecord> {
  for (let t = 0; t < h.sizes.threads; t++) {
    const id = h.threadId(t);
    const info: ThreadInfo = {
      id,
      forumId: `forum-${t % 1000}`,
      title: `Thread ${t}`,
      moderation: 'open',
      closed: false,
    };
    yield { topic: TOPICS.threads, key: id, value: JSON.stringify(info) };
  }
}
