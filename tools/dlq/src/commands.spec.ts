import { TOPICS } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { parseCommand } from './cli-args';
import type { DlqEntry } from './dlq-entry';
import { listCommand } from './list-command';
import { replayCommand } from './replay-command';
import { dlqEntry } from './dlq-entry.fixtures';

function fakeDeps(entries: DlqEntry[]) {
  const lines: string[] = [];
  const sent: OutRecord[] = [];
  const reads: (number | undefined)[] = [];
  return {
    lines,
    sent,
    reads,
    read: async (since?: number) => {
      reads.push(since);
      return entries;
    },
    send: async (records: OutRecord[]) => void sent.push(...records),
    out: (text: string) => void lines.push(...text.split('\n')),
    partitionsOf: async () => 12,
  };
}

const now = Date.parse('2030-01-01T12:00:00Z');
const list = (argv: string[]) => {
  const cmd = parseCommand(['list', ...argv], now);
  if (cmd.command !== 'list') throw new Error('not list');
  return cmd;
};
const replay = (argv: string[]) => {
  const cmd = parseCommand(['replay', ...argv], now);
  if (cmd.command !== 'replay') throw new Error('not replay');
  return cmd;
};

describe('dlq list', () => {
  const entries = [
    dlqEntry(0),
    dlqEntry(1, { code: 'invalid_json', stage: 'route', topic: TOPICS.commentsEnriched }),
  ];

  it('prints a table with stage, code, source position, key and reason', async () => {
    const deps = fakeDeps(entries);
    expect(await listCommand(deps, list([]))).toBe(2);
    expect(deps.lines[0]).toBe('comments.dlq: 2 records');
    expect(deps.lines[1]).toMatch(/^ID\s+DEAD-LETTERED AT\s+STAGE\s+CODE\s+SOURCE\s+KEY\s+REASON$/);
    expect(deps.lines[2]).toMatch(
      /^0\s+2030-01-01T00:00:00.000Z\s+enrich\s+thread_closed\s+comments\/3@100\s+t-1\s+reason 0$/,
    );
    expect(deps.lines[3]).toMatch(
      /^1\s+.*\s+route\s+invalid_json\s+comments.enriched\/3@101\s+t-1\s+reason 1$/,
    );
  });

  it('passes --since to the reader and filters by stage and code', async () => {
    const deps = fakeDeps(entries);
    expect(await listCommand(deps, list(['--since', '1h', '--stage', 'route']))).toBe(1);
    expect(deps.reads).toEqual([now - 3_600_000]);
    expect(deps.lines[0]).toBe('comments.dlq: 1 record (since 2030-01-01T11:00:00.000Z, stage route)');
    expect(await listCommand(deps, list(['--code', 'nope']))).toBe(0);
    expect(deps.lines.at(-1)).toBe('comments.dlq: 0 records (code nope)');
  });

  it('prints JSON lines with --json', async () => {
    const deps = fakeDeps(entries);
    await listCommand(deps, list(['--json']));
    expect(deps.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        id: '0',
        stage: 'enrich',
        code: 'thread_closed',
        eventId: 'e-0',
        valueBytes: 32,
      }),
      expect.objectContaining({
        id: '1',
        source: { topic: TOPICS.commentsEnriched, partition: 3, offset: '101' },
      }),
    ]);
  });

  it('keeps control characters of a key out of the terminal', async () => {
    const deps = fakeDeps([dlqEntry(0, { key: 'a\u001b[31mb' })]);
    await listCommand(deps, list([]));
    expect(deps.lines[2]).toContain('a\u00b7[31mb');
  });
});

describe('dlq replay', () => {
  const entries = [dlqEntry(0), dlqEntry(1), dlqEntry(2, { topic: TOPICS.deliveries }), dlqEntry(3)];

  it('re-drives exactly the selected records and says where they went', async () => {
    const deps = fakeDeps(entries);
    const result = await replayCommand(deps, replay(['1,3']));
    expect(result.replayed.map((e) => e.id)).toEqual(['1', '3']);
    expect(deps.sent.map((r) => [r.topic, r.headers!['dlq-replayed-from']])).toEqual([
      [TOPICS.comments, 'comments.dlq/0/1'],
      [TOPICS.comments, 'comments.dlq/0/3'],
    ]);
    expect(deps.lines[0]).toBe('re-drove 2 records:');
    expect(deps.lines[1]).toMatch(
      /^ {2}dlq 1 -> comments\/\d+ {2}key t-1 {2}\(enrich: thread_closed, first read at comments\/3@101, event e-1\)$/,
    );
  });

  it('sends nothing on --dry-run', async () => {
    const deps = fakeDeps(entries);
    await replayCommand(deps, replay(['0', '--dry-run']));
    expect(deps.sent).toHaveLength(0);
    expect(deps.lines[0]).toBe('would re-drive 1 record:');
  });

  it('says why a selected record is not replayable, and when nothing matches', async () => {
    const deps = fakeDeps(entries);
    const result = await replayCommand(deps, replay(['2']));
    expect(result.refused).toHaveLength(1);
    expect(deps.lines[0]).toMatch(/^not replayed: 2: DLQ record 2 came from deliveries/);
    expect(deps.sent).toHaveLength(0);
    await replayCommand(deps, replay(['40-50']));
    expect(deps.lines.at(-1)).toBe('nothing matches the selector: no record re-driven');
  });
});

describe('parseCommand', () => {
  it('asks for help, and names unknown commands and options', () => {
    expect(parseCommand([], now)).toEqual({ command: 'help' });
    expect(() => parseCommand(['lsit'], now)).toThrow(/unknown command "lsit"/);
    expect(() => parseCommand(['list', '--sinse', '1h'], now)).toThrow(/--sinse/);
    expect(() => parseCommand(['replay'], now)).toThrow(/needs a selector/);
  });
});
