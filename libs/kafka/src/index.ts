export { murmur2, partitionForKey } from './murmur2';
export { createKafka } from './create-kafka';
export { countKafkaRequests } from './request-metrics';
export type { Kafka, KafkaClientConfig } from './create-kafka';
export { kafkaSslOptions } from './kafka-ssl';
export type { KafkaSslConfig } from './kafka-ssl';
export { createTopicsAndWait, missingTopics, provisionTopics } from './provision-topics';
export type { ProvisionReport, TopicDifference } from './provision-topics';
export {
  createKeyedProducer,
  DEFAULT_MAX_REQUEST_BYTES,
  javaCompatiblePartitioner,
  RecordsRefusedError,
} from './keyed-producer';
export type { KeyedProducer, RefusedRecord } from './keyed-producer';
export { produceErrorKind, produceErrorType } from './produce-errors';
export type { ProduceErrorKind } from './produce-errors';
export { deadLetter } from './dead-letter';
export type { DeadLetterReason } from './dead-letter';
export { decodeHeaders, toInRecord } from './records';
export type { InRecord, OutRecord } from './records';
export { runStage } from './run-stage';
export { startStageService } from './start-stage-service';
export type { StageServiceOptions } from './start-stage-service';
export { keepTrying } from './keep-trying';
export type { RunningStage, StageHandler, StageOptions } from './run-stage';
export { readTopic } from './read-topic';
export { createPartitionReader } from './partition-reader';
export type { PartitionBounds, PartitionReader, PartitionReaderOptions } from './partition-reader';
export type { TopicReader } from './read-topic';
export { watchKafka } from './kafka-health';
export type { KafkaHealth } from './kafka-health';
export { backoffMs, retryWhileRetriable, sleep } from './backoff';
export { stageMetrics } from './stage-metrics';
export type { StageMetrics } from './stage-metrics';
export { uniqueGroupId } from './unique-group-id';
export { setGroupOffsets, topicEndOffsets } from './group-offsets';
export type { PartitionOffset } from './group-offsets';
export { readLog } from './read-log';
export { untraced } from './record-tracing';
