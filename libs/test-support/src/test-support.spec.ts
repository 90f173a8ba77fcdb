import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { freePort, servicePorts, waitForReady, waitUntil } from './index';

describe('freePort', () => {
  it('gives a port that can be listened on at once', async () => {
    const port = await freePort();
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', resolve);
    });
    expect((srv.address() as { port: number }).port).toBe(port);
    await new Promise((r) => srv.close(r));
  });

  it('never gives the same port twice', async () => {
    // One after the other, the OS picks among ~28,000 ephemeral ports at random: 500 picks repeat
    // one with a probability of about 99 %.
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe('waitUntil', () => {
  it('resolves once the condition holds, sync or async', async () => {
    let calls = 0;
    await waitUntil('three calls', () => ++calls >= 3, 5_000, undefined, 1);
    expect(calls).toBe(3);
    await waitUntil('an async yes', async () => true);
  });

  it('names what it waited for, and the state, when it gives up', async () => {
    await expect(
      waitUntil(
        'the moon',
        () => false,
        20,
        () => 'still no moon',
        5,
      ),
    ).rejects.toThrow('timed out waiting for the moon: still no moon');
  });
});

describe('servicePorts', () => {
  it('gives ingest and the gateway a client port and names each in their env; keeps given ports', async () => {
    const ingest = await servicePorts('ingest');
    expect(ingest.env).toEqual({ OPS_PORT: String(ingest.opsPort), INGEST_PORT: String(ingest.port) });
    const gateway = await servicePorts('gateway', { opsPort: 4001, port: 4002 });
    expect(gateway).toEqual({ opsPort: 4001, port: 4002, env: { OPS_PORT: '4001', GATEWAY_PORT: '4002' } });
    const route = await servicePorts('route');
    expect(route.port).toBe(0);
    expect(Object.keys(route.env)).toEqual(['OPS_PORT']);
  });
});

describe('waitForReady', () => {
  it('resolves when /readyz says 200, and says why when the process dies first', async () => {
    const opsPort = await freePort();
    const srv = createHttpServer((req, res) => {
      res.statusCode = req.url === '/readyz' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((r) => srv.listen(opsPort, '127.0.0.1', r));
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      await waitForReady({ name: 'svc', opsPort, child: alive, output: () => '', timeoutMs: 5000 });
    } finally {
      alive.kill();
      await new Promise((r) => srv.close(r));
    }
    const dead = spawn(process.execPath, ['-e', 'process.exit(3)']);
    await new Promise((r) => dead.once('exit', r));
    await expect(
      waitForReady({
        name: 'svc',
        opsPort: await freePort(),
        child: dead,
        output: () => 'boom',
        timeoutMs: 5000,
      }),
    ).rejects.toThrow('svc exited (3) before it was ready:\nboom');
  });
});
