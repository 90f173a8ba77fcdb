export interface HeartbeatHooks {
  /** Send an application ping (a frame the server answers with a pong). */
  ping(): void;
  /** Two intervals passed without a frame: give up on the connection. */
  dead(): void;
}

export interface Heartbeat {
  /** A frame other than a pong arrived: the peer is alive and the connection in use. */
  heard(): void;
  /** A pong arrived: the peer is alive, but the connection is still idle. */
  pong(): void;
  stop(): void;
}

/**
 * Application-level liveness. Browsers never expose WebSocket ping/pong frames, and a socket
 * whose network vanished (a closed laptop lid, a NAT table that forgot it) can stay "open" for
 * minutes. So each interval in which only pongs (or nothing) arrived sends a ping, which also
 * keeps idle-timeout proxies from cutting a quiet connection; busy connections never ping. Two
 * intervals in a row without any frame mean nothing is coming. Started before the socket opens,
 * it also bounds how long a connection attempt may hang.
 */
export function startHeartbeat(intervalMs: number, hooks: HeartbeatHooks): Heartbeat {
  let alive = false;
  let busy = false;
  let silent = 0;
  const timer = setInterval(() => {
    silent = alive ? 0 : silent + 1;
    const idle = !busy;
    alive = busy = false;
    if (silent >= 2) {
      clearInterval(timer);
      hooks.dead();
    } else if (idle) {
      hooks.ping();
    }
  }, intervalMs);
  return {
    // Per-frame calls: they only set flags.
    heard() {
      alive = busy = true;
    },
    pong() {
      alive = true;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
