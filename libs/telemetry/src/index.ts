export { startTelemetry } from './start-telemetry';
export type { Telemetry } from './start-telemetry';
export { telemetryConfig } from './telemetry-config';
