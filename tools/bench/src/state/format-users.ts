/**
 * `users` (compacted, key = user id, value = UserProfile v1): one profile per user, as ingest
 * or a product team writes them. Replace this module when the users topic's format changes.
 */
import { TOPICS, type UserProfile } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { History } from './history';

export function* userRecords(h: History): Generator<OutRecord> {
  for (let i = 0; i < h.sizes.users; i++) {
    const id = h.userId(i);
    const profile: UserProfile = {
      id,
      name: `User ${i}`,
      avatarUrl: `https://avatars.threadcast.dev/${id}.png`,
    };
    yield { topic: TOPICS.users, key: id, value: JSON.stringify(profile) };
  }
}
