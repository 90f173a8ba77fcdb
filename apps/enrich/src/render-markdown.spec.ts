import { ALLOWED_TAGS, LINK_REL, renderMarkdown } from './render-markdown';

// Classic XSS payloads (OWASP cheat sheet, markdown-specific ones, encodings).
const XSS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<<script>script>alert(1)<</script>/script>',
  '<img src=x onerror=alert(1)>',
  "<IMG SRC=JaVaScRiPt:alert('XSS')>",
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<input onfocus=alert(1) autofocus>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<style>body{display:none}</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="&#14;javascript:alert(1)">x</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](  javascript:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript&#x3A;alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](java&#x09;script:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](data:image/png;base64,iVBORw0KGgo=)',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '[x](file:///etc/passwd)',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '[ok](https://ok.example "t\\" onmouseover=\\"alert(1)")',
  '[ok](http://a.example/"onmouseover="alert(1))',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '    <img src=x onerror=alert(1)>',
  '> <img src=x onerror=alert(1)>',
  '* [x](javascript:alert(1))',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
];

const TAG = /<\/?([a-zA-Z][\w-]*)([^>]*)>/g;

describe('renderMarkdown', () => {
  it.each(XSS)('leaves %j inert', (payload) => {
    const html = renderMarkdown(payload);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i);
    // Attribute-aware: escaped payload text such as `&lt;a href="javascript:..."&gt;` is inert.
    expect(html).not.toMatch(/<[a-z][^>]*\s(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):/i);
    for (const [, name, attrs] of html.matchAll(TAG)) {
      expect(ALLOWED_TAGS).toContain(name!.toLowerCase());
      for (const [, attr] of attrs!.matchAll(/\s([\w-]+)\s*=/g)) expect(['href', 'rel']).toContain(attr);
      for (const [, href] of attrs!.matchAll(/href="([^"]*)"/g))
        expect(href).toMatch(/^(https?:\/\/|mailto:)/);
    }
  });

  it('renders the allowed formatting', () => {
    expect(renderMarkdown('**bold** _em_ ~~gone~~ `code`')).toBe(
      '<p><strong>bold</strong> <em>em</em> <del>gone</del> <code>code</code></p>',
    );
    expect(renderMarkdown('> q\n\n- a\n\n1. b\n\n```\nx\n```')).toBe(
      '<blockquote>\n<p>q</p>\n</blockquote>\n<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>\n<pre><code>x\n</code></pre>',
    );
    expect(renderMarkdown('one\ntwo')).toBe('<p>one<br />\ntwo</p>');
  });

  it('makes links nofollow ugc noopener, never target=_blank', () => {
    const html = renderMarkdown('[docs](https://example.com/a?b=1) and https://example.org');
    expect(html).toBe(
      `<p><a href="https://example.com/a?b=1" rel="${LINK_REL}">docs</a> and ` +
        `<a href="https://example.org" rel="${LINK_REL}">https://example.org</a></p>`,
    );
    expect(html).not.toContain('target');
    expect(renderMarkdown('[m](mailto:ada@example.com)')).toContain('href="mailto:ada@example.com"');
  });

  it('keeps the text of links it refuses and of syntax comments do not support', () => {
    expect(renderMarkdown('[x](//evil.example/x) [y](relative/path)')).toBe('<p>x y</p>');
    expect(renderMarkdown('# Title')).toBe('<p># Title</p>');
  });

  it('escapes raw HTML as text', () => {
    expect(renderMarkdown('<b>hi</b>')).toBe('<p>&lt;b&gt;hi&lt;/b&gt;</p>');
  });
});
