import { rmSync } from 'node:fs';

export default async function teardown() {
  const jaeger = globalThis.__THREADCAST_JAEGER__;
  if (!jaeger) return;
  await jaeger.stop();
  rmSync(jaeger.dataDir, { recursive: true, force: true });
}
