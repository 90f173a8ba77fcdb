import { int, kafkaConfig, processConfig } from '@threadcast/config';

export const topicsConfig = {
  ...kafkaConfig,
  ...processConfig,
  KAFKA_MIN_INSYNC_REPLICAS: int(
    'Topic config min.insync.replicas when provisioning: replicas that must hold a write before producers (acks=all) get their acknowledgement, at most KAFKA_REPLICATION_FACTOR. 0 chooses: 2 with 3 or more replicas (a 202 survives losing any broker, and one broker may be down without refusing writes), else 1.',
    0,
    { min: 0, max: 16 },
  ),
} as const;
