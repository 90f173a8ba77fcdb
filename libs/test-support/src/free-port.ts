import { createServer } from 'node:net';

/** Every port this process handed out: a test starting several services at once gets distinct ones. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it; free until someone binds
 * it), and never one this process returned before: the OS may pick a port it just freed again,
 * and two services started together were once given the same one (EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await osPickedPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
