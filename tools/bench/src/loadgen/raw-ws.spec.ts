import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { clientFrame, openRaw, parseFrames } from './raw-ws';

type ReceiverLike = NodeJS.WritableStream & { on(e: 'message', cb: (d: Buffer, bin: boolean) => void): void };
const { Receiver, Sender } = WebSocket as unknown as {
  Receiver: new (opts: { isServer: boolean }) => ReceiverLike;
  Sender: { frame(data: Buffer, opts: Record<string, unknown>): Buffer[] };
};

/** A server frame as ws writes one. */
const serverFrame = (text: string) =>
  Buffer.concat(
    Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
  );

describe('raw WebSocket client', () => {
  it('reads ws server frames of every length, however the bytes are split', () => {
    const texts = ['a', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(70_000), '{"op":"event"}'];
    const stream = Buffer.concat(texts.map(serverFrame));
    for (const step of [3, 100, 65_536, stream.length]) {
      const got: string[] = [];
      let pending: Buffer | undefined;
      for (let i = 0; i < stream.length; i += step) {
        const chunk = stream.subarray(i, i + step);
        const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
        pending = parseFrames(buf, (fin, opcode, payload) => {
          expect([fin, opcode]).toEqual([true, 1]);
          got.push(payload.toString());
        });
      }
      expect(pending).toBeUndefined();
      expect(got).toEqual(texts);
    }
  });

  it('refuses a masked server frame', () => {
    expect(() => parseFrames(clientFrame(1, Buffer.from('hi')), () => {})).toThrow('masked server frame');
  });

  it('writes masked frames a ws server reads', async () => {
    for (const text of ['{"op":"subscribe","channel":"thread:t1"}', 'q'.repeat(300), 'r'.repeat(70_000)]) {
      const got = await new Promise<string>((resolve) => {
        const r = new Receiver({ isServer: true });
        r.on('message', (d) => resolve(d.toString()));
        r.write(clientFrame(1, Buffer.from(text)));
      });
      expect(got).toBe(text);
    }
  });

  it('talks to a ws server: handshake, messages both ways, pings answered, close codes', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
    const pongs: number[] = [];
    wss.on('connection', (ws) => {
      ws.on('pong', () => pongs.push(1));
      ws.on('message', (m) => {
        ws.send(`echo ${m.toString()}`);
        ws.ping();
        ws.send('x'.repeat(200_000));
        setTimeout(() => ws.close(4401, 'bye'), 50);
      });
    });
    const seen: string[] = [];
    const closed = await new Promise<number>((resolve, reject) => {
      const sock = openRaw(
        url,
        { timeoutMs: 5000 },
        {
          onOpen: () => sock.sendText('hello'),
          onMessage: (p) => seen.push(p.length > 100 ? `${p.length} bytes` : p.toString()),
          onClose: resolve,
          onError: (reason) => reject(new Error(reason)),
        },
      );
    });
    expect(seen).toEqual(['echo hello', '200000 bytes']);
    expect(pongs).toEqual([1]);
    expect(closed).toBe(4401);
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('reports a refused handshake with its status', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/elsewhere`;
    const reason = await new Promise<string>((resolve) => {
      openRaw(url, { timeoutMs: 5000 }, { onOpen() {}, onMessage() {}, onClose() {}, onError: resolve });
    });
    expect(reason).toBe('HTTP 400');
    await new Promise<void>((r) => wss.close(() => r()));
  });
});
