import { cpuPerComment } from './cpu-per-comment';
import type { CpuWindow } from './cpu-window';

const window = (procs: [string, number][]): CpuWindow => ({
  wall: 10,
  processes: procs.map(([name, cpu], pid) => ({ name, pid, cpu, cores: cpu / 10, rss: 0, peakRss: 0 })),
  machineBusyCores: 0,
  otherBusyCores: 0,
  cores: 2,
  loadavg: [0, 0, 0],
});

describe('cpuPerComment', () => {
  const services = ['ingest', 'enrich'];

  it('is the services (and the broker) CPU over the comments, load generators left out', () => {
    const w = window([
      ['ingest', 1],
      ['enrich', 2],
      ['kafka broker', 4],
      ['poster', 5],
    ]);
    expect(cpuPerComment(w, services, 1000)).toEqual({
      withBrokerMs: 7,
      servicesMs: 3,
      withBrokerCores: 0.7,
      servicesCores: 0.3,
    });
  });

  it('says nothing it cannot know: the broker not measured, or no comment', () => {
    const w = window([
      ['ingest', 1],
      ['enrich', 2],
    ]);
    expect(cpuPerComment(w, services, 1000)).toMatchObject({
      withBrokerMs: null,
      withBrokerCores: null,
      servicesMs: 3,
    });
    expect(cpuPerComment(w, services, 0)).toMatchObject({ servicesMs: null });
  });
});
