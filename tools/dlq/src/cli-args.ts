import { parseArgs } from 'node:util';
import { SELECTOR_HELP, parseSelector, type Selector } from './selector';
import { parseSince } from './since';

export const USAGE = [
  'usage: npm run dlq -- list [--since <30m|1h|2d|ISO time>] [--stage <stage>] [--code <code>] [--json]',
  '       npm run dlq -- replay <selector>... [--since <...>] [--dry-run]',
  `selector: ${SELECTOR_HELP}`,
  'Kafka: KAFKA_BROKERS (default: the npm start broker), KAFKA_SSL, KAFKA_SASL_* as for the services.',
].join('\n');

export type Command =
  | { command: 'help' }
  | { command: 'list'; since?: number; stage?: string; code?: string; json: boolean }
  | { command: 'replay'; since?: number; select: Selector; dryRun: boolean };

/** argv (after the script name) -> a command, or an Error whose message says what is wrong. */
export function parseCommand(argv: string[], now: number): Command {
  const [command, ...rest] = argv;
  if (command === undefined || ['help', '-h', '--help'].includes(command)) return { command: 'help' };
  if (command === 'list') {
    const { values } = parseArgs({
      args: rest,
      options: {
        since: { type: 'string' },
        stage: { type: 'string' },
        code: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
    return {
      command: 'list',
      since: values.since === undefined ? undefined : parseSince(values.since, now),
      stage: values.stage,
      code: values.code,
      json: values.json,
    };
  }
  if (command === 'replay') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { since: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    return {
      command: 'replay',
      since: values.since === undefined ? undefined : parseSince(values.since, now),
      select: parseSelector(positionals),
      dryRun: values['dry-run'],
    };
  }
  throw new Error(`unknown command ${JSON.stringify(command)}`);
}
