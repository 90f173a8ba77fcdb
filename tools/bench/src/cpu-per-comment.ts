/**
 * What a comment costs in CPU: the services' (and the broker's) CPU seconds over a measured
 * window, by the kernel's accounting, over the comments accepted in it. The load generators are
 * left out: they are the bench's, not the system's.
 */
import type { CpuWindow } from './cpu-window';

export const BROKER = 'kafka broker';

export interface CpuPerComment {
  /** CPU ms per accepted comment, services + broker; null when the broker's CPU is unknown. */
  withBrokerMs: number | null;
  servicesMs: number | null;
  /** Average cores the services (+ broker) used over the window. */
  withBrokerCores: number | null;
  servicesCores: number;
}

export function cpuPerComment(cpu: CpuWindow, services: string[], comments: number): CpuPerComment {
  const of = (names: string[]) =>
    cpu.processes.filter((p) => names.includes(p.name)).reduce((a, p) => a + p.cpu, 0);
  const servicesCpu = of(services);
  const broker = cpu.processes.find((p) => p.name === BROKER);
  const withBroker = broker ? servicesCpu + broker.cpu : undefined;
  const perComment = (s: number | undefined) =>
    s === undefined || comments <= 0 ? null : Math.round((s / comments) * 1e5) / 100;
  const cores = (s: number) => (cpu.wall > 0 ? Math.round((s / cpu.wall) * 1000) / 1000 : 0);
  return {
    withBrokerMs: perComment(withBroker),
    servicesMs: perComment(servicesCpu),
    withBrokerCores: withBroker === undefined ? null : cores(withBroker),
    servicesCores: cores(servicesCpu),
  };
}
