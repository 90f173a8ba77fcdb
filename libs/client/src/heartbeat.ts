export interface HeartbeatHooks {
  /** Send an application ping (a frame the server answers). */
  ping(): void;
  /** Two intervals passed without a frame: give up on the connection. */
  dead(): void;
}

export interface Heartbeat {
  /** Call on every frame received (and on open). Cheap: it only sets a flag. */
  heard(): void;
  stop(): void;
}

/**
 * Application-level liveness. Browsers never expose WebSocket ping/pong frames, and a socket
 * whose network vanished (a closed laptop lid, a NAT table that forgot it) can stay "open" for
 * minutes. So: each interval in which nothing arrived sends a ping, and a second silent interval
 * in a row means nothing is coming. Busy connections never ping. Started before the socket
 * opens, it also bounds how long a connection attempt may hang.
 */
export function startHeartbeat(intervalMs: number, hooks: HeartbeatHooks): Heartbeat {
  let heard = false;
  let silent = 0;
  const timer = setInterval(() => {
    if (heard) {
      heard = false;
      silent = 0;
      return;
    }
    silent++;
    if (silent >= 2) {
      clearInterval(timer);
      hooks.dead();
    } else {
      hooks.ping();
    }
  }, intervalMs);
  return {
    heard() {
      heard = true;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
