import {
  channelKey,
  eventFrameValue,
  HEADERS,
  SCHEMA_IDS,
  TOPICS,
  type ClientEvent,
} from '@threadcast/contracts';
import type { Context } from '@opentelemetry/api';
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
  /**
   * The trace context the delivery belongs to, when it is sent outside its input's processing
   * (a coalesced score update); libs/kafka makes the publish span a child of it.
   */
  traceContext?: Context;
}

/**
 * A `deliveries` record. The value is the exact frame the client receives minus its cursor
 * (eventFrameValue, the wire protocol in libs/contracts): the gateway writes these bytes to every
 * socket.
 */
export function deliveryRecord(d: Delivery, meta: DeliveryMeta): OutRecord {
  const headers: Record<string, string> = {
    [HEADERS.schemaId]: SCHEMA_IDS.deliveriesV1,
    [HEADERS.channel]: d.channel,
    [HEADERS.eventId]: d.event.eventId,
    [HEADERS.acceptedAt]: meta.acceptedAtMs,
  };
  const record: OutRecord = {
    topic: TOPICS.deliveries,
    key: channelKey(d.channel),
    value: eventFrameValue(d.channel, d.event),
    headers,
  };
  if (meta.traceContext !== undefined) record.traceContext = meta.traceContext;
  return record;
}

/** The input's accept-time header; it falls back to the event's own accept time. */
export function deliveryMeta(headers: Record<string, string>, acceptedAt: string): DeliveryMeta {
  return { acceptedAtMs: headers[HEADERS.acceptedAt] ?? String(Date.parse(acceptedAt)) };
}
