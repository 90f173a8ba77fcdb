import MarkdownIt, { type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Comment markdown -> HTML safe to insert into any page. Two independent layers:
 * markdown-it with `html: false` escapes every raw tag the author typed and refuses
 * javascript:/vbscript:/file:/data: link targets; sanitize-html then keeps only the allow-list
 * below, so a bug or a future option in the first layer still cannot let script through.
 */
const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
// Comments have no headings, rules, tables or inline images: their syntax stays plain text
// (an image becomes `!` and a link to it), rather than vanishing in the sanitizer.
md.disable(['heading', 'lheading', 'hr', 'table', 'image']);

export const ALLOWED_TAGS = [
  'p',
  'br',
  'em',
  'strong',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'del',
];
export const LINK_REL = 'nofollow ugc noopener';
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    s: 'del',
    // Only absolute http(s) and mailto targets stay links; anything else (relative, `//host`,
    // odd schemes) becomes a span, which the allow-list drops while keeping its text.
    a: (_tag, attribs): sanitizeHtml.Tag => {
      const href = attribs.href?.trim();
      if (!href || !SAFE_HREF.test(href) || !URL.canParse(href)) return { tagName: 'span', attribs: {} };
      return { tagName: 'a', attribs: { href, rel: LINK_REL } };
    },
  },
};

/** The token stream of a body; parse once and hand it to both renderMarkdown and extractMentions. */
export function parseMarkdown(body: string): Token[] {
  return md.parse(body, {});
}

/** Sanitized HTML of a markdown body. */
export function renderMarkdown(body: string, tokens: Token[] = parseMarkdown(body)): string {
  return sanitizeHtml(md.renderer.render(tokens, md.options, {}), SANITIZE).trim();
}
