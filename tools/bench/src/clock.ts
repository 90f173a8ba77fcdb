/**
 * The machine's monotonic clock in µs (CLOCK_MONOTONIC through libuv), the same in every
 * process on the machine, so an injector's stamp and a receiver's reading compare directly.
 * performance.now() reads that clock too, relative to this process's start: the offset is taken
 * once, so a reading costs no BigInt.
 */
import { performance } from 'node:perf_hooks';

const offset = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

export function monoMicros(): number {
  return offset + performance.now() * 1000;
}
