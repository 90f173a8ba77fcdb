import { extractMentions, MAX_MENTIONS } from './extract-mentions';
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
