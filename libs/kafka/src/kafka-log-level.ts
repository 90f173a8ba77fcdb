import { logLevel } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

// kafkajs' own table of protocol errors; it exports no public list. Loaded lazily and guarded, so a
// kafkajs that moves the file only costs the downgrade below, never a log line.
let transient: Set<string> | undefined;
function transientMessages(): Set<string> {
  if (transient) return transient;
  transient = new Set();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { errorCodes } = require('kafkajs/src/protocol/error') as {
      errorCodes: { retriable: boolean; message: string }[];
    };
    for (const e of errorCodes) if (e.retriable) transient.add(e.message);
  } catch {
    // Keep kafkajs' levels.
  }
  return transient;
}

/** kafkajs' lines about a connection that failed or closed, as such or as why a send is retried. */
const CONNECTION_LOST =
  /^(Failed to send messages: |Crash: KafkaJSNumberOfRetriesExceeded: )?(Connection error|Connection timeout|Closed connection)/;

/**
 * The pino level of a kafkajs log entry. kafkajs logs every error response at ERROR, also the
 * retriable ones it retries by itself (a brand-new broker answers "not the leader" and "the
 * coordinator is loading" for a second): those are WARN here, since an ERROR line means someone
 * must act. A retriable error that outlasts kafkajs' retries still surfaces, as the failed call.
 */
export function kafkaLogLevel(level: number, namespace: string, message: string, error: unknown): PinoLevel {
  const mapped = LEVELS[level] ?? 'info';
  if (mapped !== 'error') return mapped;
  // A broker that went away (crashed, restarted, unreachable): kafkajs reconnects, refreshes the
  // metadata and retries, every few hundred ms per client, so a rolling restart printed dozens of
  // ERROR lines per service. An outage that lasts shows in readiness, and kafka-health.ts says so
  // at ERROR once it has lasted.
  if (CONNECTION_LOST.test(message)) return 'warn';
  if (namespace === 'Connection' && message.startsWith('Response ')) {
    return typeof error === 'string' && transientMessages().has(error) ? 'warn' : mapped;
  }
  if (namespace === 'Consumer') {
    // A consumer that crashed on a retriable error restarts by itself (a brand-new broker's
    // "coordinator is loading" at the first join): its crash and restart lines are warnings. One
    // that does not restart is reported at ERROR by run-stage, which sees the crash event.
    if (message.startsWith('Restarting the consumer in ')) return 'warn';
    const crash = /^Crash: [A-Za-z]+: (.*)$/s.exec(message);
    if (crash && transientMessages().has(crash[1]!)) return 'warn';
  }
  return mapped;
}
