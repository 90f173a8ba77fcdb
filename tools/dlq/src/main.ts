// `npm run dlq -- list|replay ...`: the on-call CLI for comments.dlq (see docs/dlq.md).
// Only wiring here: arguments, config, Kafka; the commands are in list-command / replay-command.
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@threadcast/config';
import { TOPICS } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, readLog, topicEndOffsets, uniqueGroupId } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { USAGE, parseCommand, type Command } from './cli-args';
import { dlqConfig } from './dlq-config';
import type { DlqDeps } from './dlq-deps';
import { toDlqEntry } from './dlq-entry';
import { listCommand } from './list-command';
import { replayCommand } from './replay-command';

async function main(argv: string[]): Promise<number> {
  let cmd: Command;
  let config;
  try {
    cmd = parseCommand(argv, Date.now());
    config = loadConfig(dlqConfig);
  } catch (e) {
    process.stderr.write(`dlq: ${(e as Error).message}\n${e instanceof ConfigError ? '' : `${USAGE}\n`}`);
    return 2;
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ service: 'dlq', level: config.LOG_LEVEL });
  const kafka = createKafka(config, logger, 'threadcast-dlq');
  const producer = createKeyedProducer(kafka);
  let connected = false;
  const deps: DlqDeps & { partitionsOf(topic: string): Promise<number> } = {
    read: async (since) =>
      (
        await readLog({
          kafka,
          topic: TOPICS.dlq,
          groupId: uniqueGroupId('threadcast-dlq-cli', hostname()),
          logger,
          since,
        })
      ).map(toDlqEntry),
    async send(records) {
      if (!connected) await producer.connect();
      connected = true;
      await producer.send(records);
    },
    out: (text) => process.stdout.write(`${text}\n`),
    partitionsOf: async (topic) => (await topicEndOffsets(kafka, topic)).length,
  };
  try {
    if (cmd.command === 'list') {
      await listCommand(deps, cmd);
      return 0;
    }
    const result = await replayCommand(deps, cmd);
    return result.replayed.length > 0 && result.refused.length === 0 ? 0 : 1;
  } catch (e) {
    process.stderr.write(
      `dlq: ${(e as Error).message} (Kafka: ${config.KAFKA_BROKERS.join(',')}; is it running? ` +
        'npm start runs one, or set KAFKA_BROKERS)\n',
    );
    return 1;
  } finally {
    if (connected) await producer.disconnect().catch(() => undefined);
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
