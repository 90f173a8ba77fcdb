/**
 * Gateway protocol v1: what a client may send, and the control frames the server answers with.
 * Event frames are not built here: they come ready-made from `deliveries` (see frame-delivery.ts).
 */
import { parseChannel, type Channel } from '@threadcast/contracts';

/** A client's correlation id, echoed in the reply to the frame that carried it. */
export type FrameId = string | number | undefined;

export type ClientOp =
  | { op: 'subscribe'; id: FrameId; channel: Channel; cursor: string | undefined }
  | { op: 'unsubscribe'; id: FrameId; channel: Channel }
  | { op: 'ping'; id: FrameId };

export type ErrorCode =
  | 'bad_request'
  | 'forbidden'
  | 'too_many_subscriptions'
  | 'rate_limited'
  /** Kafka could not be asked where to start; the same subscribe may work a moment later. */
  | 'unavailable';

/** A frame that cannot be acted on; `id` is kept when the frame carried a usable one. */
export interface InvalidFrame {
  op: 'invalid';
  id: FrameId;
  code: ErrorCode;
  message: string;
}

const MAX_ID_CHARS = 128;
const MAX_CURSOR_CHARS = 128;
const CHANNEL_HELP = 'channel must be thread:<id>, user:<id> or mod:<id>';

/** Parses one text frame. Never throws: anything unusable comes back as an InvalidFrame. */
export function parseClientFrame(text: string): ClientOp | InvalidFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return invalid(undefined, 'frame is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid(undefined, 'frame must be a JSON object');
  }
  const frame = json as Record<string, unknown>;
  const id = frame.id;
  if (id !== undefined && !isFrameId(id)) {
    return invalid(undefined, `id must be a string of at most ${MAX_ID_CHARS} characters or a finite number`);
  }
  switch (frame.op) {
    case 'ping':
      return { op: 'ping', id };
    case 'subscribe': {
      const channel = channelOf(frame.channel);
      if (!channel) return invalid(id, CHANNEL_HELP);
      const cursor = frame.cursor;
      if (
        cursor !== undefined &&
        cursor !== null &&
        !(typeof cursor === 'string' && cursor.length <= MAX_CURSOR_CHARS)
      ) {
        return invalid(id, `cursor must be a string of at most ${MAX_CURSOR_CHARS} characters`);
      }
      return { op: 'subscribe', id, channel, cursor: cursor ?? undefined };
    }
    case 'unsubscribe': {
      const channel = channelOf(frame.channel);
      if (!channel) return invalid(id, CHANNEL_HELP);
      return { op: 'unsubscribe', id, channel };
    }
    default:
      return invalid(id, 'op must be subscribe, unsubscribe or ping');
  }
}

function isFrameId(v: unknown): v is string | number {
  return (typeof v === 'string' && v.length <= MAX_ID_CHARS) || (typeof v === 'number' && Number.isFinite(v));
}

function channelOf(v: unknown): Channel | undefined {
  return typeof v === 'string' ? parseChannel(v) : undefined;
}

function invalid(id: FrameId, message: string): InvalidFrame {
  return { op: 'invalid', id, code: 'bad_request', message };
}

// Control replies. `id` and optional fields left undefined are dropped by JSON.stringify.

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
