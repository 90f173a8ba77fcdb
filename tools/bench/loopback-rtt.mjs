// The machine's floor for anything that talks over loopback TCP: two Node processes bounce a
// 100-byte message back and forth, TCP_NODELAY, one in flight, and the client reports the wall
// time and its own CPU per round trip. Every Kafka request, HTTP request and WebSocket
// handshake in threadcast pays at least this on each side, so it explains figures in
// docs/benchmarks.md that the code alone does not. Usage: node tools/bench/loopback-rtt.mjs [N]
import { fork } from 'node:child_process';
import { connect, createServer } from 'node:net';

const rounds = Number(process.argv[2] ?? 20_000);

if (process.argv[2] === 'echo') {
  createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
  }).listen(0, '127.0.0.1', function () {
    process.send(this.address().port);
  });
} else {
  if (!Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write('usage: node tools/bench/loopback-rtt.mjs [round trips, default 20000]\n');
    process.exit(2);
  }
  const echo = fork(new URL(import.meta.url).pathname, ['echo']);
  const port = await new Promise((resolve) => echo.once('message', resolve));
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const message = Buffer.alloc(100);
  const run = (n) =>
    new Promise((resolve) => {
      let left = n;
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const onData = () => {
        if (--left > 0) return void socket.write(message);
        socket.off('data', onData);
        resolve({ wallUs: Number(process.hrtime.bigint() - t0) / 1e3, cpu: process.cpuUsage(cpu0) });
      };
      socket.on('data', onData);
      socket.write(message);
    });
  await run(Math.min(2000, rounds)); // warm-up: JIT, socket buffers
  const { wallUs, cpu } = await run(rounds);
  const per = (us) => (us / rounds).toFixed(1);
  process.stdout.write(
    `loopback TCP round trip, ${rounds} rounds: ${per(wallUs)} µs wall; client CPU ${per(cpu.user + cpu.system)} µs ` +
      `(${per(cpu.system)} µs in the kernel) per round trip\n`,
  );
  socket.destroy();
  echo.kill();
}
