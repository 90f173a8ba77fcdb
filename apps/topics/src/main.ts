// Provisions every topic of the platform, then exits: 0 when all exist (differences are
// reported, not "fixed"), 1 when Kafka cannot be reached, 2 on bad config (a replication factor
// above the cluster's broker count included).
import { ConfigError, loadConfig } from '@threadcast/config';
import { defaultMinInsyncReplicas, topicSpecs } from '@threadcast/contracts';
import { createKafka, provisionTopics } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { topicsConfig } from './config';

/** Config, logger and admin client; createKafka checks the TLS and SASL settings together. */
function configure() {
  const config = loadConfig(topicsConfig);
  const logger = createLogger({ service: 'topics', level: config.LOG_LEVEL });
  return { config, logger, admin: createKafka(config, logger, 'threadcast-topics').admin() };
}

async function main(): Promise<number> {
  let configured;
  try {
    configured = configure();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`topics: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { config, logger, admin } = configured;
  const minIsr =
    config.KAFKA_MIN_INSYNC_REPLICAS || defaultMinInsyncReplicas(config.KAFKA_REPLICATION_FACTOR);
  if (minIsr > config.KAFKA_REPLICATION_FACTOR) {
    process.stderr.write(
      `topics: KAFKA_MIN_INSYNC_REPLICAS (${minIsr}) must not exceed KAFKA_REPLICATION_FACTOR (${config.KAFKA_REPLICATION_FACTOR})\n`,
    );
    return 2;
  }
  try {
    await admin.connect();
    // Kafka would refuse the topics too, but with a message that names no setting.
    const { brokers } = await admin.describeCluster();
    if (brokers.length < config.KAFKA_REPLICATION_FACTOR) {
      process.stderr.write(
        `topics: KAFKA_REPLICATION_FACTOR (${config.KAFKA_REPLICATION_FACTOR}) is more than the ` +
          `${brokers.length} broker(s) the cluster has\n`,
      );
      return 2;
    }
    const specs = topicSpecs({
      partitions: config.KAFKA_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: minIsr,
    });
    const report = await provisionTopics(admin, specs);
    for (const d of report.differences) {
      logger.warn(d, 'existing topic differs from the spec; left as it is');
    }
    logger.info({ created: report.created, existing: report.existing }, 'topics provisioned');
    return 0;
  } catch (e) {
    logger.error({ err: e }, 'topic provisioning failed');
    return 1;
  } finally {
    await admin.disconnect();
  }
}

main().then((code) => process.exit(code));
