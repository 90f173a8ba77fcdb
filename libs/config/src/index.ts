export { bool, int, list, oneOf, optional, pemFile, port, str, FieldError } from './fields';
export type { Field } from './fields';
export { configuredOrigin, normalizeOrigin, originAllowed, origins } from './origins';
export { loadConfig, describeConfig, ConfigError } from './load-config';
export type { ConfigOf, Schema } from './load-config';
export { kafkaConfig, consumerGroupConfig, processConfig, opsConfig, stateConfig } from './common-config';
