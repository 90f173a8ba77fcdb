/**
 * Named readiness checks. A service is ready when every check passes; /readyz lists the ones
 * that do not, so an operator sees why a pod is out of rotation.
 */
export type Check = () => boolean;

export interface Readiness {
  add(name: string, check: Check): void;
  /** Forces not-ready from now on (shutdown has begun). */
  drain(): void;
  status(): { ready: boolean; failing: string[] };
}

export function createReadiness(): Readiness {
  const checks = new Map<string, Check>();
  let draining = false;
  return {
    add(name, check) {
      checks.set(name, check);
    },
    drain() {
      draining = true;
    },
    status() {
      const failing = [...checks].filter(([, check]) => !safe(check)).map(([name]) => name);
      if (draining) failing.unshift('shutting-down');
      return { ready: failing.length === 0, failing };
    },
  };
}

function safe(check: Check): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
