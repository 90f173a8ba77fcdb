// Preloaded into a server under test (`node --expose-gc --require probe.cjs main.js`): answers
// the bench runner over the IPC channel with the process's own accounting (process.cpuUsage,
// memoryUsage), after a full GC when asked, and runs V8's CPU profiler (the one behind
// --cpu-prof) over exactly the window the runner measures. It does nothing between requests and
// does not keep the process alive.
'use strict';
const { writeFileSync } = require('node:fs');
const inspector = require('node:inspector');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

if (process.send) {
  let session;
  // The measured window's event-loop delay and GC pauses ('loop-start' .. 'loop-stop').
  let loop;
  const reply = (m, extra) => process.send({ probe: m.probe, id: m.id, ...extra });
  const fail = (m, err) => reply(m, { error: String(err && err.message ? err.message : err) });
  process.on('message', (m) => {
    if (!m || typeof m.probe !== 'string') return;
    if (m.probe === 'usage') {
      if (m.gc && typeof globalThis.gc === 'function') {
        globalThis.gc();
        globalThis.gc();
      }
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      reply(m, {
        cpu: (cpu.user + cpu.system) / 1e6,
        system: cpu.system / 1e6,
        rss: mem.rss,
        heapUsed: mem.heapUsed,
      });
    } else if (m.probe === 'loop-start') {
      loop?.histogram.disable();
      loop?.observer.disconnect();
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      const gc = { count: 0, totalMs: 0, maxMs: 0 };
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.count++;
          gc.totalMs += e.duration;
          if (e.duration > gc.maxMs) gc.maxMs = e.duration;
        }
      });
      observer.observe({ entryTypes: ['gc'] });
      histogram.enable();
      loop = { histogram, observer, gc };
      reply(m, {});
    } else if (m.probe === 'loop-stop') {
      if (!loop) return fail(m, 'no loop window running');
      const { histogram, observer, gc } = loop;
      loop = undefined;
      histogram.disable();
      observer.disconnect();
      reply(m, {
        loop: {
          delayP50Ms: histogram.percentile(50) / 1e6,
          delayP99Ms: histogram.percentile(99) / 1e6,
          delayMaxMs: histogram.max / 1e6,
          gcCount: gc.count,
          gcTotalMs: gc.totalMs,
          gcMaxMs: gc.maxMs,
        },
      });
    } else if (m.probe === 'profile-start') {
      session = new inspector.Session();
      session.connect();
      session.post('Profiler.enable', (e1) => {
        if (e1) return fail(m, e1);
        session.post('Profiler.setSamplingInterval', { interval: m.intervalUs || 1000 }, (e2) => {
          if (e2) return fail(m, e2);
          session.post('Profiler.start', (e3) => (e3 ? fail(m, e3) : reply(m, {})));
        });
      });
    } else if (m.probe === 'profile-stop') {
      if (!session) return fail(m, 'no profile running');
      session.post('Profiler.stop', (err, res) => {
        if (err) return fail(m, err);
        writeFileSync(m.file, JSON.stringify(res.profile));
        session.disconnect();
        session = undefined;
        reply(m, { file: m.file });
      });
    }
  });
  process.channel.unref();
}
