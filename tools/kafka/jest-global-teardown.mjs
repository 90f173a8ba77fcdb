import { rmSync } from 'node:fs';
import teardownJaeger from '../jaeger/jest-global-teardown.mjs';

async function teardownKafka() {
  const broker = globalThis.__THREADCAST_KAFKA__;
  if (!broker) return;
  await broker.stop();
  rmSync(broker.dataDir, { recursive: true, force: true });
}

export default async function teardown() {
  await Promise.all([teardownKafka(), teardownJaeger()]);
}
