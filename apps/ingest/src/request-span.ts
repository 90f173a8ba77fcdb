/**
 * The HTTP server span of the request (started by OpenTelemetry's HTTP instrumentation), named by
 * route and annotated with what on-call searches by. No-ops when tracing is off.
 */
import { isSpanContextValid, trace, type Attributes } from '@opentelemetry/api';

export function annotateRequestSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

export function nameRequestSpan(route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(route);
  span.setAttribute('http.route', route.slice(route.indexOf(' ') + 1));
}

/** `traceparent` of the request's span, for the response; undefined when not traced. */
export function responseTraceparent(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return undefined;
  return `00-${ctx.traceId}-${ctx.spanId}-0${ctx.traceFlags & 1}`;
}
