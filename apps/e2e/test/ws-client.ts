import { SignJWT } from 'jose';
import WebSocket from 'ws';

export interface Frame {
  op: string;
  channel?: string;
  cursor?: string;
  event?: Record<string, unknown> & { type: string; eventId: string; id: string };
  code?: string;
  message?: string;
  id?: string;
  /** `presence` frames: readers of the channel across pods. */
  count?: number;
}

/** A protocol-v1 test client that records every frame it receives. */
export class TestClient {
  readonly frames: Frame[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  /**
   * Anonymous, or as a user whose HS256 token (signed with `secret`, the gateway's
   * GATEWAY_JWT_SECRET) carries `sub` and the forums it moderates.
   */
  static async connectAs(
    gatewayUrl: string,
    secret: string,
    claims?: { sub: string; mod?: string[] },
  ): Promise<TestClient> {
    if (!claims) return TestClient.connect(gatewayUrl);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret));
    return TestClient.connect(`${gatewayUrl}?token=${token}`);
  }

  async subscribe(channel: string): Promise<Frame> {
    this.ws.send(JSON.stringify({ op: 'subscribe', channel }));
    return this.waitFor(`subscribed ${channel}`, (f) => f.op === 'subscribed' && f.channel === channel);
  }

  events(channel?: string): NonNullable<Frame['event']>[] {
    return this.frames
      .filter((f) => f.op === 'event' && (!channel || f.channel === channel))
      .map((f) => f.event!);
  }

  async waitFor(what: string, match: (f: Frame) => boolean, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(match);
      if (f) return f;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitForEvents(what: string, channel: string, count: number, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = this.events(channel);
      if (list.length >= count) return list;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${list.length}/${count}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.ws.close();
  }
}

// Test responses are whatever the API answered; assertions narrow them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

export async function postJson(
  url: string,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; body: AnyJson }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
