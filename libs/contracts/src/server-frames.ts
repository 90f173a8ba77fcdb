/**
 * Gateway protocol v1, the frames the server sends: built here by the gateway (control frames)
 * and route (event frames, stored ready-made in `deliveries`), parsed here by clients.
 */
import type { ClientEvent } from './client-events';
import type { FrameId } from './client-frames';

export type ErrorCode =
  | 'bad_request'
  | 'forbidden'
  | 'too_many_subscriptions'
  | 'rate_limited'
  /** Kafka could not be asked where to start; the same subscribe may work a moment later. */
  | 'unavailable';

export type ServerFrame =
  | { op: 'event'; channel: string; cursor: string; event: ClientEvent }
  | { op: 'reset'; channel: string }
  /** `cursor` is the server's position in the channel, or null before it has one. */
  | { op: 'subscribed'; channel: string; cursor: string | null }
  | { op: 'unsubscribed'; channel: string }
  | { op: 'pong' }
  /** Readers of the channel across all gateway pods, sent when the total changes. */
  | { op: 'presence'; channel: string; count: number }
  /** `channel` is set when the failing frame named one. */
  | { op: 'error'; code: string; message: string; channel: string | undefined };

/** A frame that is not protocol v1: not JSON text, or missing what its op needs. */
export interface InvalidServerFrame {
  op: 'invalid';
  message: string;
}

/**
 * Parses one received message. Never throws. Undefined for a well-formed frame with an op this
 * client does not know, so a newer gateway can add ops without breaking older clients.
 */
export function parseServerFrame(data: unknown): ServerFrame | InvalidServerFrame | undefined {
  if (typeof data !== 'string') return invalid('binary frame; protocol v1 sends JSON text');
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return invalid('frame is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid('frame is not a JSON object');
  }
  const f = json as Record<string, unknown>;
  switch (f.op) {
    case 'event': {
      const event = f.event as { eventId?: unknown } | null | undefined;
      // Without an eventId the event could not be deduplicated; without a cursor, not resumed.
      if (typeof f.channel !== 'string' || typeof f.cursor !== 'string') {
        return invalid('event frame needs a channel and a cursor');
      }
      if (typeof event !== 'object' || event === null || typeof event.eventId !== 'string') {
        return invalid('event frame needs an event with an eventId');
      }
      return { op: 'event', channel: f.channel, cursor: f.cursor, event: event as ClientEvent };
    }
    case 'subscribed':
      if (typeof f.channel !== 'string') return invalid('subscribed frame needs a channel');
      return { op: 'subscribed', channel: f.channel, cursor: typeof f.cursor === 'string' ? f.cursor : null };
    case 'reset':
    case 'unsubscribed':
      if (typeof f.channel !== 'string') return invalid(`${f.op} frame needs a channel`);
      return { op: f.op, channel: f.channel };
    case 'pong':
      return { op: 'pong' };
    case 'presence':
      if (typeof f.channel !== 'string') return invalid('presence frame needs a channel');
      if (typeof f.count !== 'number' || !Number.isSafeInteger(f.count) || f.count < 0) {
        return invalid('presence frame needs a count (a whole number, 0 or more)');
      }
      return { op: 'presence', channel: f.channel, count: f.count };
    case 'error':
      return {
        op: 'error',
        code: typeof f.code === 'string' ? f.code : 'unknown',
        message: typeof f.message === 'string' ? f.message : '',
        channel: typeof f.channel === 'string' ? f.channel : undefined,
      };
    default:
      return typeof f.op === 'string' ? undefined : invalid('frame has no op');
  }
}

function invalid(message: string): InvalidServerFrame {
  return { op: 'invalid', message };
}

// Control frames the gateway sends. `id` and fields left undefined are dropped by JSON.stringify.

/**
 * `cursor` is where the subscription starts: the given cursor when resuming, else now. A client
 * that drops before its first event resumes from it without a gap.
 */
export function subscribedFrame(channel: string, cursor: string, id: FrameId): string {
  return JSON.stringify({ op: 'subscribed', channel, cursor, id });
}

/** The subscription's cursor could not be resumed: refetch the channel's history elsewhere. */
export function resetFrame(channel: string, id: FrameId): string {
  return JSON.stringify({ op: 'reset', channel, id });
}

export function unsubscribedFrame(channel: string, id: FrameId): string {
  return JSON.stringify({ op: 'unsubscribed', channel, id });
}

export function pongFrame(id: FrameId): string {
  return JSON.stringify({ op: 'pong', id });
}

/** `channel` is set when the failing frame named a valid one, so a client can tell which. */
export function errorFrame(code: ErrorCode, message: string, id: FrameId, channel?: string): string {
  return JSON.stringify({ op: 'error', code, message, id, channel });
}

/** Readers of the channel across all gateway pods. */
export function presenceFrame(channel: string, count: number): string {
  return JSON.stringify({ op: 'presence', channel, count });
}

/**
 * The value of a `deliveries` record: the exact event frame a client receives, minus the cursor
 * the gateway appends (frame-delivery.ts there), so every socket gets the same bytes.
 */
export function eventFrameValue(channel: string, event: ClientEvent): string {
  return JSON.stringify({ op: 'event', channel, event });
}
