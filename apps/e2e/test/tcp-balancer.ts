import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What a Kubernetes Service does for the gateway, in-process: each new connection goes to the
 * first backend that accepts it, so when a pod dies its clients' reconnects land on another.
 * `down()` simulates a network outage: every connection is cut and new ones fail until `up()`.
 */
export interface TcpBalancer {
  readonly port: number;
  backends: number[];
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<TcpBalancer> {
  const open = new Set<Socket>();
  let isDown = false;
  const route = (client: Socket, candidates: number[]) => {
    const [port, ...rest] = candidates;
    if (port === undefined || isDown) return client.destroy();
    const upstream = connect(port, '127.0.0.1');
    upstream.once('error', () => {
      // Refused: that pod is gone. Try the next one, as a Service would after its endpoints change.
      if (!upstream.readableEnded && upstream.bytesRead === 0 && client.bytesWritten === 0)
        route(client, rest);
      else client.destroy();
    });
    upstream.once('connect', () => {
      open.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const cut = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.once('close', cut).once('error', cut);
      upstream.once('close', cut).once('error', cut);
    });
  };
  const server: Server = createServer((client) => {
    client.pause();
    route(client, [...balancer.backends]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const balancer: TcpBalancer = {
    port: (server.address() as { port: number }).port,
    backends,
    down() {
      isDown = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    up() {
      isDown = false;
    },
    close() {
      balancer.down();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return balancer;
}
