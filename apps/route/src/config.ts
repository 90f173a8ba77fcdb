import {
  consumerGroupConfig,
  int,
  kafkaConfig,
  opsConfig,
  processConfig,
  stateConfig,
  str,
} from '@threadcast/config';

export const routeConfig = {
  ...kafkaConfig,
  ...consumerGroupConfig,
  ...processConfig,
  ...stateConfig,
  ...opsConfig(9103),
  ROUTE_GROUP_ID: str('Consumer group of the route stage on comments.enriched.', 'threadcast-route'),
  ROUTE_VOTE_WINDOW_MS: int('Votes are coalesced into one comment.score per comment per window.', 250, {
    min: 1,
    max: 60_000,
  }),
  ROUTE_MAX_DIRTY_COMMENTS: int(
    'Comments with unsent scores that trigger an early flush; bounds the coalescer memory.',
    10_000,
    { min: 1 },
  ),
  ROUTE_MAX_MENTIONS: int('Most users one comment notifies by mention (beyond the reply).', 20, { min: 0 }),
} as const;
