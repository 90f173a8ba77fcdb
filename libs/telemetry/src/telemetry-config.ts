import { bool, optional, str } from '@threadcast/config';

/**
 * The few settings read here; everything else (exporter, endpoint, sampler, propagators) is the
 * OpenTelemetry SDK's own `OTEL_*` variables, read by the SDK itself.
 */
export const telemetryConfig = {
  OTEL_SDK_DISABLED: bool('true turns tracing off entirely (no spans, no export, no headers added).', false),
  SERVICE_VERSION: str(
    'Version reported in traces (service.version); the Helm chart sets the image tag.',
    '0.1.0',
  ),
  SERVICE_INSTANCE_ID: optional('Pod or instance name for logs and consumer ids; defaults to hostname-pid.'),
} as const;
