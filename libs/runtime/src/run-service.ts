import { ConfigError, loadConfig, type ConfigOf, type Schema } from '@threadcast/config';
import type { Registry } from 'prom-client';
import { createLogger, defaultInstanceId, type Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { startOpsServer } from './ops-server';
import { createReadiness, type Readiness } from './readiness';

/** What every service's start function gets: its typed config and the process-wide parts. */
export interface ServiceContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** This pod or instance: SERVICE_INSTANCE_ID, else hostname-pid. In logs and consumer ids. */
  readonly instanceId: string;
  /** Registers a step of graceful shutdown; steps run in reverse order of registration. */
  onShutdown(name: string, step: () => Promise<void> | void): void;
}

type BaseSchema = Schema & {
  OPS_PORT: Schema[string];
  LOG_LEVEL: Schema[string];
  SHUTDOWN_TIMEOUT_MS: Schema[string];
  SERVICE_INSTANCE_ID: Schema[string];
};

export interface ServiceDefinition<S extends BaseSchema> {
  name: string;
  config: S;
  start(ctx: ServiceContext<ConfigOf<S>>): Promise<void>;
}

/**
 * The whole life of a service process: config validated once (a bad variable exits 2 with one
 * line naming it), logger, metrics, the ops server, then the service's own start; SIGTERM and
 * SIGINT make readiness false and run the shutdown steps in reverse within SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<S extends BaseSchema>(def: ServiceDefinition<S>): Promise<void> {
  let config: ConfigOf<S>;
  try {
    config = loadConfig(def.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const c = config as unknown as {
    OPS_PORT: number;
    LOG_LEVEL: string;
    SHUTDOWN_TIMEOUT_MS: number;
    SERVICE_INSTANCE_ID?: string;
  };
  const instanceId = c.SERVICE_INSTANCE_ID ?? defaultInstanceId();
  const logger = createLogger({ service: def.name, level: c.LOG_LEVEL, instanceId });
  const registry = createMetricsRegistry(def.name);
  const readiness = createReadiness();
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  let stopping = false;

  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    readiness.drain();
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: c.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting anyway');
      process.exit(code || 1);
    }, c.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    for (const { name, step } of steps.reverse()) {
      try {
        await step();
      } catch (e) {
        logger.error({ err: e, step: name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(code);
  };

  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('uncaughtException', (e) => {
    logger.fatal({ err: e }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (e) => {
    logger.fatal({ err: e }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  // Not ready until start() has returned and registered its own checks.
  let started = false;
  readiness.add('starting', () => started);
  try {
    const ops = await startOpsServer({ port: c.OPS_PORT, readiness, registry });
    steps.push({ name: 'ops-server', step: () => ops.close() });
    await def.start({
      config,
      logger,
      registry,
      readiness,
      instanceId,
      onShutdown: (name, step) => steps.push({ name, step }),
    });
    started = true;
    logger.info({ opsPort: ops.port }, 'started');
  } catch (e) {
    // Settings that are only wrong together (checked by the service) exit like a bad variable.
    if (e instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${e.message}\n`);
      return shutdown('invalid configuration', 2);
    }
    logger.fatal({ err: e }, 'failed to start');
    await shutdown('start failed', 1);
  }
}
