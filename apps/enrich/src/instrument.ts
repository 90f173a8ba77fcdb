// Imported first by main.ts: OpenTelemetry must patch http and kafkajs before they are loaded.
import { startTelemetry } from '@threadcast/telemetry';

export const telemetry = startTelemetry({ service: 'enrich' });
