import { parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';
import payloads from './fixtures/xss-payloads.json';
import { ALLOWED_TAGS, LINK_REL, renderMarkdown } from './render-markdown';

type Node = DefaultTreeAdapterMap['childNode'];
type Element = DefaultTreeAdapterMap['element'];

/**
 * What a browser would build from the HTML (parse5 implements the WHATWG parsing algorithm),
 * checked element by element: only allowed tags, only href and rel on links, only http(s) and
 * mailto targets. Checking the browser's tree rather than the string catches markup that only
 * becomes dangerous once parsed (mutation XSS), entity-encoded schemes and stray attributes.
 */
function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  const visit = (nodes: Node[]) => {
    for (const node of nodes) {
      if (!('tagName' in node)) continue;
      const el = node as Element;
      if (!ALLOWED_TAGS.includes(el.tagName)) problems.push(`<${el.tagName}>`);
      for (const { name, value } of el.attrs) {
        if (el.tagName !== 'a' || !['href', 'rel'].includes(name)) problems.push(`${el.tagName}[${name}]`);
        else if (name === 'href' && !/^(https?:\/\/|mailto:)/i.test(value)) problems.push(`href=${value}`);
        else if (name === 'rel' && value !== LINK_REL) problems.push(`rel=${value}`);
      }
      if (el.tagName === 'a' && !el.attrs.some((a) => a.name === 'rel')) problems.push('a without rel');
      visit(el.childNodes);
    }
  };
  visit(parseFragment(html).childNodes);
  return problems;
}

// The fixture: known XSS vectors (the OWASP filter evasion cheat sheet, mutation XSS, markdown
// link and autolink tricks, encodings). Each is tried as the whole body and inside markdown.
const contexts: [string, (p: string) => string][] = [
  ['as the body', (p) => p],
  ['as link text', (p) => `[${p}](https://ok.example)`],
  ['as a link target', (p) => `[x](${p})`],
  ['in emphasis', (p) => `**${p}**`],
  ['in a quote after text', (p) => `hello\n\n> ${p}`],
];

describe('renderMarkdown against known XSS vectors', () => {
  it('keeps a fixture of at least 50 distinct known payloads', () => {
    expect(new Set(payloads).size).toBe(payloads.length);
    expect(payloads.length).toBeGreaterThanOrEqual(50);
  });

  describe.each(contexts)('%s', (_name, wrap) => {
    it.each(payloads)('leaves %j inert', (payload) => {
      const html = renderMarkdown(wrap(payload));
      expect(unsafeParts(html)).toEqual([]);
      // What the browser builds, serialized again, is as safe (no mutation on a second parse).
      expect(unsafeParts(serialize(parseFragment(html)))).toEqual([]);
    });
  });

  it('has a check that catches what it must (so a pass means something)', () => {
    expect(
      unsafeParts('<p>fine <a href="https://ok.example" rel="nofollow ugc noopener">ok</a></p>'),
    ).toEqual([]);
    expect(unsafeParts('<img src=x onerror=alert(1)>')).toEqual(['<img>', 'img[src]', 'img[onerror]']);
    expect(unsafeParts('<a href="&#106;avascript:alert(1)" rel="nofollow ugc noopener">x</a>')).toEqual([
      'href=javascript:alert(1)',
    ]);
    expect(unsafeParts('<p onclick="x">a</p><a href="https://ok.example">b</a>')).toEqual([
      'p[onclick]',
      'a without rel',
    ]);
    // A comment that a second parse would turn into markup is caught on that second parse.
    expect(
      unsafeParts(serialize(parseFragment('<svg><p><style><img src=x onerror=alert(1)></style></svg>'))),
    ).not.toEqual([]);
  });

  it('still renders what comments may use', () => {
    const html = renderMarkdown(
      '**b** _i_ `c` ~~s~~ [l](https://ok.example) <https://auto.example>\n\n> q\n\n- a',
    );
    expect(unsafeParts(html)).toEqual([]);
    for (const tag of ['strong', 'em', 'code', 'del', 'a', 'blockquote', 'ul', 'li'])
      expect(html).toContain(`<${tag}`);
  });
});
