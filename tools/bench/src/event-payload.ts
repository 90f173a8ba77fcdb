/**
 * The fan-out scenario's events: a `deliveries` record value shaped exactly as route writes one
 * (`{"op":"event","channel":...,"event":{comment.created}}`), padded so that the frame a client
 * receives, cursor included, is about `frameBytes` long.
 */
import { markerText } from './marker';

/** `,"cursor":"<p>-<offset>"` as the gateway splices it in; offsets of a bench run fit 7 digits. */
export const CURSOR_ALLOWANCE = 22;

/**
 * What Centrifugo's JSON protocol wraps a publication's data in, on a channel without history
 * (no offset): `{"push":{"channel":"<channel>","pub":{"data":` ... `}}}`.
 */
export function centrifugoEnvelopeBytes(channel: string): number {
  return Buffer.byteLength(`{"push":{"channel":${JSON.stringify(channel)},"pub":{"data":}}}`);
}
const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';

export function eventValue(opts: {
  channel: string;
  thread: string;
  seq: number;
  tMicros: number;
  frameBytes: number;
  eventId: string;
  createdAt: string;
  /** deliveries (default): route's record value; centrifugo: the event alone, for its topic. */
  format?: 'deliveries' | 'centrifugo';
}): string {
  const event = (padding: string) => ({
    type: 'comment.created',
    eventId: opts.eventId,
    id: opts.eventId,
    threadId: opts.thread,
    parentId: null,
    author: { id: 'u1', name: 'U' },
    html: `${markerText(opts.seq, opts.tMicros)} ${padding}`,
    mentions: [],
    createdAt: opts.createdAt,
  });
  const centrifugo = opts.format === 'centrifugo';
  const frame = (padding: string) =>
    JSON.stringify(
      centrifugo ? event(padding) : { op: 'event', channel: opts.channel, event: event(padding) },
    );
  const envelope = centrifugo ? centrifugoEnvelopeBytes(opts.channel) : CURSOR_ALLOWANCE;
  const bare = frame('');
  const missing = opts.frameBytes - envelope - Buffer.byteLength(bare);
  if (missing <= 0) return bare;
  return frame(FILLER.repeat(Math.ceil(missing / FILLER.length)).slice(0, missing));
}
