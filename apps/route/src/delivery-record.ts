import { channelKey, HEADERS, SCHEMA_IDS, TOPICS, type ClientEvent } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';

/** One client event for one channel: what route decides, before it becomes a record. */
export interface Delivery {
  channel: string;
  event: ClientEvent;
}

/** What a delivery carries over from the input record besides its event. */
export interface DeliveryMeta {
  /** Epoch ms, as the `tc-accepted-at` header has it. */
  acceptedAtMs: string;
  traceparent?: string;
  tracestate?: string;
}

/**
 * A `deliveries` record. The value is the exact frame the client receives minus its cursor, so
 * this is the only place it is serialized: the gateway writes these bytes to every socket.
 */
export function deliveryRecord(d: Delivery, meta: DeliveryMeta): OutRecord {
  const headers: Record<string, string> = {
    [HEADERS.schemaId]: SCHEMA_IDS.deliveriesV1,
    [HEADERS.channel]: d.channel,
    [HEADERS.eventId]: d.event.eventId,
    [HEADERS.acceptedAt]: meta.acceptedAtMs,
  };
  if (meta.traceparent !== undefined) headers[HEADERS.traceparent] = meta.traceparent;
  if (meta.tracestate !== undefined) headers[HEADERS.tracestate] = meta.tracestate;
  return {
    topic: TOPICS.deliveries,
    key: channelKey(d.channel),
    value: JSON.stringify({ op: 'event', channel: d.channel, event: d.event }),
    headers,
  };
}

/** The input's trace and accept-time headers; the accept time falls back to the event's own. */
export function deliveryMeta(headers: Record<string, string>, acceptedAt: string): DeliveryMeta {
  const meta: DeliveryMeta = {
    acceptedAtMs: headers[HEADERS.acceptedAt] ?? String(Date.parse(acceptedAt)),
  };
  const traceparent = headers[HEADERS.traceparent];
  const tracestate = headers[HEADERS.tracestate];
  if (traceparent !== undefined) meta.traceparent = traceparent;
  if (tracestate !== undefined) meta.tracestate = tracestate;
  return meta;
}
