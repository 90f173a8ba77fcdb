/**
 * A WebSocket client for load generation, straight on a TCP socket: the RFC 6455 opening
 * handshake (its Sec-WebSocket-Accept checked against a key fixed per process, so no hashing
 * per connection), masked client frames, and a parser that hands each unmasked server text frame
 * over as a slice of the bytes read, without copying or events per frame. It answers pings and
 * close frames as the protocol asks. What it skips is what a measuring instrument does not need
 * (extensions, subprotocols, redirects): it costs the load generator a fraction of what the `ws`
 * client does, so the server under test, not the generator, sets the pace.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY = randomBytes(16).toString('base64');
const ACCEPT = createHash('sha1')
  .update(KEY + GUID)
  .digest('base64');
const MASK = randomBytes(4);
const HEADER_END = Buffer.from('\r\n\r\n');

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface RawHandlers {
  onOpen(): void;
  /** A whole text message: a view into the bytes read, valid during the call only. */
  onMessage(payload: Buffer): void;
  /** Once, when the TCP connection is gone; `code` from the close frame, 1006 without one. */
  onClose(code: number): void;
  /** Before onClose, when something failed (connect, handshake, protocol). */
  onError(reason: string): void;
}

export interface RawSocket {
  readonly open: boolean;
  sendText(text: string): void;
  close(code?: number): void;
  terminate(): void;
}

/** A masked client frame (RFC 6455 5.2). */
export function clientFrame(opcode: number, payload: Buffer, mask: Buffer = MASK): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + ext + 4 + len);
  out[0] = 0x80 | opcode;
  if (ext === 0) out[1] = 0x80 | len;
  else if (ext === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(len, 6);
  }
  const at = 2 + ext;
  mask.copy(out, at);
  for (let i = 0; i < len; i++) out[at + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * Splits server frames out of a byte stream. Returns the bytes of an incomplete frame at the end
 * (to be prepended to the next chunk), or throws on a protocol error.
 */
export function parseFrames(
  buf: Buffer,
  onFrame: (fin: boolean, opcode: number, payload: Buffer) => void,
): Buffer | undefined {
  let i = 0;
  while (buf.length - i >= 2) {
    const b0 = buf[i]!;
    const b1 = buf[i + 1]!;
    if (b1 & 0x80) throw new Error('masked server frame');
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - i < 4) break;
      len = buf.readUInt16BE(i + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - i < 10) break;
      len = buf.readUInt32BE(i + 2) * 2 ** 32 + buf.readUInt32BE(i + 6);
      head = 10;
    }
    if (buf.length - i - head < len) break;
    const start = i + head;
    onFrame((b0 & 0x80) !== 0, b0 & 0x0f, buf.subarray(start, start + len));
    i = start + len;
  }
  return i < buf.length ? buf.subarray(i) : undefined;
}

export function openRaw(
  url: string,
  opts: { localAddress?: string; timeoutMs: number },
  h: RawHandlers,
): RawSocket {
  const u = new URL(url);
  const port = Number(u.port) || 80;
  const request =
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  const socket: Socket = connect({
    host: u.hostname,
    port,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  socket.setNoDelay(true);
  let state: 'connecting' | 'handshake' | 'open' | 'closing' | 'closed' = 'connecting';
  let pending: Buffer | undefined;
  let fragments: Buffer[] | undefined;
  let closeCode = 1006;
  let failed = false;
  const timer = setTimeout(() => fail('handshake timeout'), opts.timeoutMs);

  const fail = (reason: string) => {
    if (failed || state === 'closed') return;
    failed = true;
    h.onError(reason);
    socket.destroy();
  };
  const onFrame = (fin: boolean, opcode: number, payload: Buffer) => {
    switch (opcode) {
      case OP_TEXT:
      case OP_BINARY:
        if (fin) h.onMessage(payload);
        else fragments = [Buffer.from(payload)];
        return;
      case OP_CONT:
        if (!fragments) throw new Error('continuation without a first fragment');
        fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(fragments);
          fragments = undefined;
          h.onMessage(whole);
        }
        return;
      case OP_PING:
        socket.write(clientFrame(OP_PONG, payload));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (state === 'open') socket.write(clientFrame(OP_CLOSE, payload.subarray(0, 2)));
        state = 'closing';
        socket.end();
        return;
      default:
        throw new Error(`unknown opcode ${opcode}`);
    }
  };
  const onBytes = (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = parseFrames(buf, onFrame);
  };

  socket.on('connect', () => {
    state = 'handshake';
    socket.write(request);
  });
  socket.on('data', (chunk: Buffer) => {
    try {
      if (state === 'handshake') {
        const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          pending = buf;
          return;
        }
        pending = undefined;
        const head = buf.toString('latin1', 0, end);
        const status = head.slice(9, 12);
        if (status !== '101') return fail(`HTTP ${status}`);
        if (!head.toLowerCase().includes(`sec-websocket-accept: ${ACCEPT.toLowerCase()}`)) {
          return fail('bad Sec-WebSocket-Accept');
        }
        clearTimeout(timer);
        state = 'open';
        h.onOpen();
        if (buf.length > end + 4) onBytes(buf.subarray(end + 4));
        return;
      }
      onBytes(chunk);
    } catch (e) {
      fail((e as Error).message);
    }
  });
  socket.on('error', (e: Error & { code?: string }) => fail(e.code ?? e.message));
  socket.on('close', () => {
    clearTimeout(timer);
    const was = state;
    state = 'closed';
    if (was === 'connecting' || was === 'handshake') {
      if (!failed) {
        failed = true;
        h.onError('closed during the handshake');
      }
    }
    h.onClose(closeCode);
  });

  return {
    get open() {
      return state === 'open';
    },
    sendText(text) {
      if (state === 'open') socket.write(clientFrame(OP_TEXT, Buffer.from(text)));
    },
    close(code = 1000) {
      if (state !== 'open') {
        if (state !== 'closed') socket.destroy();
        return;
      }
      state = 'closing';
      const payload = Buffer.allocUnsafe(2);
      payload.writeUInt16BE(code, 0);
      socket.write(clientFrame(OP_CLOSE, payload));
      // The server answers with its close frame and ends the connection.
      setTimeout(() => socket.destroy(), 2000).unref();
    },
    terminate() {
      socket.destroy();
    },
  };
}
