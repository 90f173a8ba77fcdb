import { kafkaConfig, processConfig } from '@threadcast/config';

export const topicsConfig = { ...kafkaConfig, ...processConfig } as const;
