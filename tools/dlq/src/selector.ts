import type { DlqEntry } from './dlq-entry';

/** Which DLQ entries a `replay` means. */
export type Selector = (entry: DlqEntry) => boolean;

const FIELDS = ['code', 'stage', 'key', 'source'] as const;
type Field = (typeof FIELDS)[number];

export const SELECTOR_HELP =
  'all | <offset> | <from>-<to> | <partition>:<offset> (comma lists allowed, e.g. 3,7,10-12) | ' +
  'code=<code> | stage=<stage> | key=<key> | source=<topic>; several words must all match';

/**
 * Selector words -> one predicate. Positions (`12`, `10-14`, `2:7`, `3,9,10-12`) pick DLQ
 * records by id; `field=value` words filter; all words must match. Nothing is "all" by default:
 * replaying everything has to be asked for with `all`.
 */
export function parseSelector(words: string[]): Selector {
  if (words.length === 0) throw new Error(`replay needs a selector: ${SELECTOR_HELP}`);
  const parts = words.map(parseWord);
  return (entry) => parts.every((p) => p(entry));
}

function parseWord(word: string): Selector {
  if (word === 'all') return () => true;
  const eq = word.indexOf('=');
  if (eq > 0) {
    const field = word.slice(0, eq) as Field;
    const value = word.slice(eq + 1);
    if (!FIELDS.includes(field) || value === '') {
      throw new Error(
        `selector ${JSON.stringify(word)}: expected ${FIELDS.map((f) => `${f}=<value>`).join(', ')}`,
      );
    }
    return (e) => fieldOf(e, field) === value;
  }
  const ranges = word.split(',').map((item) => parsePosition(item, word));
  return (e) =>
    ranges.some((r) => r.partition === e.partition && BigInt(e.offset) >= r.from && BigInt(e.offset) <= r.to);
}

function fieldOf(e: DlqEntry, field: Field): string | undefined {
  switch (field) {
    case 'code':
      return e.code;
    case 'stage':
      return e.stage;
    case 'key':
      return e.key;
    case 'source':
      return e.source?.topic;
  }
}

function parsePosition(item: string, word: string): { partition: number; from: bigint; to: bigint } {
  const m = /^(?:(\d+):)?(\d+)(?:-(\d+))?$/.exec(item);
  if (!m) throw new Error(`selector ${JSON.stringify(word)}: expected ${SELECTOR_HELP}`);
  const from = BigInt(m[2]!);
  const to = m[3] === undefined ? from : BigInt(m[3]);
  if (to < from) throw new Error(`selector ${JSON.stringify(word)}: range ${from}-${to} runs backwards`);
  return { partition: m[1] === undefined ? 0 : Number(m[1]), from, to };
}
