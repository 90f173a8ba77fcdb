import { consumerGroupConfig, int, kafkaConfig, opsConfig, processConfig, str } from '@threadcast/config';

export const enrichConfig = {
  ...kafkaConfig,
  ...consumerGroupConfig,
  ...processConfig,
  ...opsConfig(9102),
  ENRICH_GROUP_ID: str('Consumer group of the enrich stage on the comments topic.', 'threadcast-enrich'),
  ENRICH_BURST_MAX_AUTHORS: int(
    'Authors whose recent comment times a pod remembers for the burst spam signal (memory bound).',
    50_000,
    { min: 1 },
  ),
} as const;
