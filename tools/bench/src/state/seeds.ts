/**
 * What the state scenario seeds, topic by topic, and which topics are each stage's changelogs.
 * One format module per topic: when a topic's format changes, its module is replaced and this
 * list follows; the history (history.ts) and the measurements do not change.
 */
import type { OutRecord } from '@threadcast/kafka';
import { TOPICS } from '@threadcast/contracts';
import { ENRICH_CHANGELOGS, enrichCommentRecords } from './format-enrich-comments';
import { ROUTE_CHANGELOGS, routeVoteRecords } from './format-route-votes';
import { threadRecords } from './format-threads';
import { userRecords } from './format-users';
import type { History } from './history';
import type { StageName } from './stage-start';

/** What a format may need to know of the broker's topics (read from their metadata at run time). */
export interface Topology {
  /** comments' partition count: enrich's input, so its comment index's partitions. */
  enrichPartitions: number;
  /** comments.enriched's partition count: route's input, so its stores' partitions. */
  routePartitions: number;
}

export const SEEDS: { topic: string; records(h: History, t: Topology): Iterable<OutRecord> }[] = [
  { topic: TOPICS.users, records: userRecords },
  { topic: TOPICS.threads, records: threadRecords },
  { topic: TOPICS.enrichCommentsChangelog, records: (h, t) => enrichCommentRecords(h, t.enrichPartitions) },
  { topic: TOPICS.routeVotesChangelog, records: (h, t) => routeVoteRecords(h, t.routePartitions) },
];

export const CHANGELOGS: Record<StageName, readonly string[]> = {
  enrich: ENRICH_CHANGELOGS,
  route: ROUTE_CHANGELOGS,
};
