import { createServer } from 'node:net';
import { freePort, waitUntil } from './index';

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
