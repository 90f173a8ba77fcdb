/**
 * Gateway protocol v1, the frames a client sends: built here by clients (libs/client) and parsed
 * here by the gateway, so both sides read one definition. The server's frames: server-frames.ts.
 */
import { parseChannel, type Channel } from './channels';
import type { ErrorCode } from './server-frames';

/** A client's correlation id, echoed in the reply to the frame that carried it. */
export type FrameId = string | number | undefined;

export type ClientOp =
  | { op: 'subscribe'; id: FrameId; channel: Channel; cursor: string | undefined }
  | { op: 'unsubscribe'; id: FrameId; channel: Channel }
  | { op: 'ping'; id: FrameId };

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

// Frames the client sends. A cursor left undefined is dropped by JSON.stringify.

export function subscribeFrame(channel: string, cursor: string | undefined): string {
  return JSON.stringify({ op: 'subscribe', channel, cursor });
}

export function unsubscribeFrame(channel: string): string {
  return JSON.stringify({ op: 'unsubscribe', channel });
}

export const PING_FRAME = '{"op":"ping"}';
