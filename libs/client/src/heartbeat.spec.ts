import { startHeartbeat } from './heartbeat';

describe('heartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function start() {
    const calls: string[] = [];
    const beat = startHeartbeat(1_000, { ping: () => calls.push('ping'), dead: () => calls.push('dead') });
    return { beat, calls };
  }

  it('pings after a silent interval and gives up after a second one', () => {
    const { calls } = start();
    jest.advanceTimersByTime(1_000);
    expect(calls).toEqual(['ping']);
    jest.advanceTimersByTime(1_000);
    expect(calls).toEqual(['ping', 'dead']);
    jest.advanceTimersByTime(10_000);
    expect(calls).toEqual(['ping', 'dead']);
  });

  it('never pings a connection that keeps receiving', () => {
    const { beat, calls } = start();
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(500);
      beat.heard();
    }
    jest.advanceTimersByTime(500);
    expect(calls).toEqual([]);
  });

  it('pings an idle connection every interval while its pongs keep it alive', () => {
    const { beat, calls } = start();
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(1_000);
      beat.pong();
    }
    expect(calls).toEqual(['ping', 'ping', 'ping', 'ping', 'ping']);
  });

  it('gives up two intervals after the last frame', () => {
    const { beat, calls } = start();
    jest.advanceTimersByTime(1_000);
    beat.pong();
    jest.advanceTimersByTime(1_000); // the pong counts: still alive, ping again
    expect(calls).toEqual(['ping', 'ping']);
    jest.advanceTimersByTime(1_000); // silent: ping once more
    expect(calls).toEqual(['ping', 'ping', 'ping']);
    jest.advanceTimersByTime(1_000); // silent twice: dead
    expect(calls).toEqual(['ping', 'ping', 'ping', 'dead']);
  });

  it('stop() ends it', () => {
    const { beat, calls } = start();
    beat.stop();
    jest.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
  });
});
