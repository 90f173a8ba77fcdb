/**
 * The two WebSocket clients a receiver can hold its sockets with, behind one shape: the `ws`
 * library's client, or the bench's own raw client (raw-ws.ts, much cheaper per frame and per
 * handshake). `--client-impl` picks one; the same counting runs on top of either.
 */
import WebSocket from 'ws';
import { openRaw, type RawHandlers, type RawSocket } from './raw-ws';

export type ClientImpl = 'raw' | 'ws';

export function openClient(
  impl: ClientImpl,
  url: string,
  opts: { localAddress?: string; timeoutMs: number },
  h: RawHandlers,
): RawSocket {
  if (impl === 'raw') return openRaw(url, opts, h);
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    handshakeTimeout: opts.timeoutMs,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  let errored = false;
  ws.on('open', () => h.onOpen());
  ws.on('message', (data: Buffer) => h.onMessage(data));
  ws.on('error', (e: Error & { code?: string }) => {
    if (errored) return;
    errored = true;
    h.onError(e.code ?? e.message.slice(0, 60));
  });
  ws.on('close', (code) => h.onClose(code));
  return {
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    sendText: (text) => ws.send(text),
    close: (code = 1000) => ws.close(code),
    terminate: () => ws.terminate(),
  };
}
