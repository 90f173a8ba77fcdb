import { rmSync } from 'node:fs';

export default async function teardown() {
  const broker = globalThis.__THREADCAST_KAFKA__;
  if (!broker) return;
  await broker.stop();
  rmSync(broker.dataDir, { recursive: true, force: true });
}
