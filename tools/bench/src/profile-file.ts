import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where a profile of this run goes: `<dir>/<name>.cpuprofile`, the folder made if needed. */
export function profileFile(dir: string, name: string): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  return join(abs, `${name}.cpuprofile`);
}
