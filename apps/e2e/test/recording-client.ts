import { createClient, type Client, type ClientState, type WebSocketConstructor } from '@threadcast/client';
import type { ClientEvent } from '@threadcast/contracts';
import WebSocket from 'ws';
import { waitUntil } from '@threadcast/test-support';

/**
 * A libs/client client that records what its application sees (events after the library's
 * duplicate filter) and what the server actually sent (every event frame on the wire), so a
 * test can show the server itself sent no duplicates.
 */
export interface RecordingClient {
  client: Client;
  /** Comment ids of comment.created events, as the application saw them. */
  seen: string[];
  /** Event ids of every event frame the server sent, duplicates included. */
  wire: string[];
  states: ClientState[];
  closeCodes: number[];
  resets: number;
  /** Resolves once the server confirmed the subscription (the client then holds a cursor). */
  subscribed(): Promise<void>;
}

export function recordingClient(url: string, channel: string, token?: string): RecordingClient {
  const wire: string[] = [];
  class WireRecorder extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { op: string; event?: { eventId: string } };
        if (frame.op === 'event') wire.push(frame.event!.eventId);
      });
    }
  }
  const rec: RecordingClient = {
    client: undefined as unknown as Client,
    seen: [],
    wire,
    states: [],
    closeCodes: [],
    resets: 0,
    async subscribed() {
      const deadline = Date.now() + 30_000;
      while (rec.client.cursor(channel) === undefined) {
        if (Date.now() > deadline) throw new Error(`no subscribed frame for ${channel}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  rec.client = createClient({
    url,
    token,
    WebSocketImpl: WireRecorder as unknown as WebSocketConstructor,
    backoff: { initialMs: 50, maxMs: 500 },
    onStateChange(state, info) {
      rec.states.push(state);
      if (info) rec.closeCodes.push(info.code);
    },
  });
  rec.client.subscribe(channel, {
    onEvent(event: ClientEvent) {
      if (event.type === 'comment.created') rec.seen.push(event.id);
    },
    onReset() {
      rec.resets++;
    },
  });
  return rec;
}

export { waitUntil };
