import { ID_PATTERN } from '@threadcast/contracts';
import type { Token } from 'markdown-it';
import { parseMarkdown } from './render-markdown';

export const MAX_MENTIONS = 20;

const ID = new RegExp(ID_PATTERN);
// `@` not preceded by a word char, `.`, `-`, `@` or `/`: leaves out emails (ada@example.com)
// and paths (https://host/@ada). Candidates are then checked against the contract's ID pattern.
const MENTION = /(?<![\w.\-@/])@([\w.-]+)/g;

/**
 * `@user` mentions of a body, in order of appearance, unique, at most MAX_MENTIONS. Read from the
 * markdown token stream, so code spans and code blocks never mention anyone.
 */
export function extractMentions(body: string, tokens: Token[] = parseMarkdown(body)): string[] {
  if (!body.includes('@')) return [];
  const found = new Set<string>();
  for (const block of tokens) {
    if (block.type !== 'inline' || !block.children || !block.content.includes('@')) continue;
    const prose = proseOf(block.children);
    for (const m of prose.matchAll(MENTION)) {
      // `@ada@other.host` is a remote handle, not one of ours.
      if (prose.charAt(m.index + m[0].length) === '@') continue;
      // A sentence may end right after a mention: "thanks @ada." mentions `ada`.
      const id = m[1]!.replace(/\.+$/, '');
      if (ID.test(id)) found.add(id);
      if (found.size >= MAX_MENTIONS) return [...found];
    }
  }
  return [...found];
}

/** The text of an inline run; any other token (code span, link, emphasis) is a word boundary. */
function proseOf(children: Token[]): string {
  let text = '';
  for (const t of children) text += t.type === 'text' ? t.content : ' ';
  return text;
}
