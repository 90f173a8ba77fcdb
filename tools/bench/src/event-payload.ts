/**
 * The fan-out scenario's events: a `deliveries` record value shaped exactly as route writes one
 * (`{"op":"event","channel":...,"event":{comment.created}}`), padded so that the frame a client
 * receives, cursor included, is about `frameBytes` long.
 */
import { markerText } from './marker';

/** `,"cursor":"<p>-<offset>"` as the gateway splices it in; offsets of a bench run fit 7 digits. */
export const CURSOR_ALLOWANCE = 22;
const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';

export function eventValue(opts: {
  channel: string;
  thread: string;
  seq: number;
  tMicros: number;
  frameBytes: number;
  eventId: string;
  createdAt: string;
}): string {
  const frame = (padding: string) =>
    JSON.stringify({
      op: 'event',
      channel: opts.channel,
      event: {
        type: 'comment.created',
        eventId: opts.eventId,
        id: opts.eventId,
        threadId: opts.thread,
        parentId: null,
        author: { id: 'u1', name: 'U' },
        html: `${markerText(opts.seq, opts.tMicros)} ${padding}`,
        mentions: [],
        createdAt: opts.createdAt,
      },
    });
  const bare = frame('');
  const missing = opts.frameBytes - CURSOR_ALLOWANCE - Buffer.byteLength(bare);
  if (missing <= 0) return bare;
  return frame(FILLER.repeat(Math.ceil(missing / FILLER.length)).slice(0, missing));
}
