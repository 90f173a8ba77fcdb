import { extractMentions, MAX_ID_CHARS, MAX_MENTIONS } from './extract-mentions';
import { parseMarkdown } from './render-markdown';

describe('extractMentions', () => {
  it.each([
    ['hi @ada and @bob_2', ['ada', 'bob_2']],
    ['@ada at the start, @ada again', ['ada']],
    ['thanks @ada.', ['ada']],
    ['(@ada), @b.c-d!', ['ada', 'b.c-d']],
    ['**@ada** and _@bob_', ['ada', 'bob']],
    ['[@ada](https://example.com)', ['ada']],
    ['mail ada@example.com or <bob@example.com>', []],
    ['see https://host.example/@ada', []],
    ['`@ada` in code', []],
    ['```\n@ada in a block\n```', []],
    ['    @ada indented code', []],
    ['remote @ada@other.host', []],
    ['lone @ and @@', []],
    ['line one\n@ada on line two', ['ada']],
    [`@${'x'.repeat(129)}`, []],
    ['no mentions here', []],
  ])('%j -> %j', (body, expected) => {
    expect(extractMentions(body)).toEqual(expected);
  });

  it('keeps the first MAX_MENTIONS unique ids', () => {
    const body = Array.from({ length: 30 }, (_, i) => `@u${i}`).join(' ');
    const got = extractMentions(body);
    expect(got).toHaveLength(MAX_MENTIONS);
    expect(got[0]).toBe('u0');
    expect(got[MAX_MENTIONS - 1]).toBe(`u${MAX_MENTIONS - 1}`);
  });

  it('reads an already parsed token stream', () => {
    expect(extractMentions('hey @ada', parseMarkdown('hey @ada'))).toEqual(['ada']);
  });
});

/**
 * Runs `fn` and returns every regex execution it made (pattern and input length). Every regex
 * method (test, match, matchAll, replace, split) goes through `RegExp.prototype.exec` when it is
 * replaced, so nothing escapes the count.
 */
function regexRuns(fn: () => void): { source: string; length: number }[] {
  const runs: { source: string; length: number }[] = [];
  const exec = Object.getOwnPropertyDescriptor(RegExp.prototype, 'exec')!;
  RegExp.prototype.exec = function (this: RegExp, input: string) {
    runs.push({ source: this.source, length: String(input).length });
    return (exec.value as RegExp['exec']).call(this, input);
  };
  try {
    fn();
  } finally {
    Object.defineProperty(RegExp.prototype, 'exec', exec);
  }
  return runs;
}

// Issue 15, point 6: `@a` + 10,000 dots + `b` made the trailing-dot trim `/\.+$/` retry every
// dot of the run (about 50 million steps a comment). The work is bounded here by what the
// regexes are fed, not by time: only the one linear scan over the text may see more than an id.
describe('extractMentions on hostile bodies', () => {
  const SCAN = '(?<![\\w.\\-@/])@([\\w.-]+)';
  const hostile = (n: number) => [
    `@a${'.'.repeat(n)}b`,
    `@a${'.'.repeat(n)}`,
    `@${'a'.repeat(n)}`,
    `@${'a.'.repeat(n / 2)}`,
    `${'@a.'.repeat(n / 3)}`,
    `x @${'-'.repeat(n)}. @ada.`,
  ];

  it('feeds no regex but the linear scan more than an id’s length, however long the candidate', () => {
    for (const n of [1_000, 10_000, 100_000]) {
      // Parsed outside the count: markdown-it's own regexes are the library's (see the audit).
      const parsed = hostile(n).map((body) => [body, parseMarkdown(body)] as const);
      const runs = regexRuns(() => {
        for (const [body, tokens] of parsed) extractMentions(body, tokens);
      });
      expect(runs.some((r) => r.source === SCAN && r.length >= n)).toBe(true);
      const others = runs.filter((r) => r.source !== SCAN);
      expect(others.every((r) => r.length <= MAX_ID_CHARS)).toBe(true);
      // The scan itself runs once per match plus once at the end of each text.
      expect(runs.filter((r) => r.source === SCAN).length).toBeLessThanOrEqual(n / 3 + 20);
    }
  });

  it('still finds the mentions around a hostile run', () => {
    expect(extractMentions(`@ada. @a${'.'.repeat(10_000)}b @bob...`)).toEqual(['ada', 'bob']);
    expect(extractMentions(`@${'a'.repeat(MAX_ID_CHARS)}${'.'.repeat(10_000)}`)).toEqual([
      'a'.repeat(MAX_ID_CHARS),
    ]);
  });
});
