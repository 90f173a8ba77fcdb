/**
 * Every topic of the platform, named once. Services import these constants; none spells a topic
 * string. `comments`, `comments.enriched` and `deliveries` share one partition count so that a
 * thread's events stay in the same partition number end to end.
 */
export const TOPICS = {
  comments: 'comments',
  commentsEnriched: 'comments.enriched',
  deliveries: 'deliveries',
  dlq: 'comments.dlq',
  users: 'users',
  threads: 'threads',
  /**
   * enrich's old comment index (comment id -> index entry, whole in every pod), before its state
   * store. Still provisioned so existing clusters keep it until an operator deletes it; nothing
   * reads or writes it.
   */
  commentIndex: 'comments.index',
  /**
   * Changelog of enrich's `comments` store (the comment index), co-partitioned with comments:
   * partition p holds the index of the comments of comments partition p's threads. Key = comment
   * id, value = its CommentIndexEntry (JSON), bare (no headers).
   */
  enrichCommentsChangelog: 'enrich.comments-changelog',
  /**
   * route's old vote table (comment id -> every voter's vote), before its state store. Still
   * provisioned so existing clusters keep it until an operator deletes it; nothing reads or writes it.
   */
  commentScores: 'comments.scores',
  /**
   * Changelog of route's `votes` store, co-partitioned with comments.enriched: partition p holds
   * the state of comments.enriched partition p. `c/<commentId>` -> thread id (the comment exists),
   * `v/<commentId>/<voterId>` -> `+` or `-`.
   */
  routeVotesChangelog: 'route.votes-changelog',
  /** Gateway pods' subscriber counts per channel (key = channelKey, like deliveries): presence. */
  presence: 'presence',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  partitions: number;
  replicationFactor: number;
  /** Broker-side topic configs this platform depends on. */
  config: Record<string, string>;
}

/** Largest record the pipeline topics accept; bigger values are rejected by the broker. */
export const MAX_TOPIC_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * Replicas that must hold a write before the producer (acks=all) gets its acknowledgement, when
 * not configured: 2 of 3 (or more) replicas, so a 202 survives the loss of any one broker while
 * one broker may be down without refusing writes; 1 with fewer replicas (one broker down must not
 * stop a 2-replica topic).
 */
export function defaultMinInsyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

export function topicSpecs(opts: {
  partitions: number;
  replicationFactor: number;
  /** Topic config min.insync.replicas; defaultMinInsyncReplicas(replicationFactor) if not given. */
  minInsyncReplicas?: number;
}): TopicSpec[] {
  const { partitions, replicationFactor } = opts;
  const minIsr = opts.minInsyncReplicas ?? defaultMinInsyncReplicas(replicationFactor);
  if (!(Number.isInteger(minIsr) && minIsr >= 1 && minIsr <= replicationFactor)) {
    throw new RangeError(
      `min.insync.replicas must be from 1 to the replication factor (${replicationFactor}), not ${minIsr}`,
    );
  }
  const durability = { 'min.insync.replicas': String(minIsr) };
  // Pipeline topics accept oversize values so that contract checks (not the broker) reject them
  // and the bad record lands in the DLQ with a reason, instead of failing the producer.
  const stream = {
    'cleanup.policy': 'delete',
    'retention.ms': String(7 * 24 * 3600 * 1000),
    'max.message.bytes': String(MAX_TOPIC_MESSAGE_BYTES),
    ...durability,
  };
  const table = { 'cleanup.policy': 'compact', 'max.message.bytes': String(1024 * 1024), ...durability };
  return [
    { name: TOPICS.comments, partitions, replicationFactor, config: stream },
    { name: TOPICS.commentsEnriched, partitions, replicationFactor, config: stream },
    {
      name: TOPICS.deliveries,
      partitions,
      replicationFactor,
      // Gateways resume clients from deliveries, so its retention is the resume window.
      config: { ...stream, 'retention.ms': String(24 * 3600 * 1000) },
    },
    {
      name: TOPICS.dlq,
      partitions: 1,
      replicationFactor,
      config: { ...stream, 'retention.ms': String(14 * 24 * 3600 * 1000) },
    },
    { name: TOPICS.users, partitions, replicationFactor, config: table },
    { name: TOPICS.threads, partitions, replicationFactor, config: table },
    { name: TOPICS.commentIndex, partitions, replicationFactor, config: table },
    { name: TOPICS.commentScores, partitions, replicationFactor, config: table },
    // Same partition counts as comments and comments.enriched (a store partition per input partition).
    { name: TOPICS.enrichCommentsChangelog, partitions, replicationFactor, config: table },
    { name: TOPICS.routeVotesChangelog, partitions, replicationFactor, config: table },
    {
      name: TOPICS.presence,
      // Same partitioning as deliveries, so a channel's reports are in the partition number its
      // events are. Pods republish every few seconds and read from the log end: compaction and a
      // short retention keep the topic small.
      partitions,
      replicationFactor,
      config: {
        'cleanup.policy': 'compact,delete',
        'retention.ms': String(3600 * 1000),
        'segment.ms': String(600 * 1000),
        'max.message.bytes': String(64 * 1024),
        ...durability,
      },
    },
  ];
}
