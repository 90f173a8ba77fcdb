import { ID_PATTERN } from '@threadcast/contracts';
import type { Token } from 'markdown-it';
import { parseMarkdown } from './render-markdown';

export const MAX_MENTIONS = 20;
/** Longest id the contract admits (ID_PATTERN): a longer candidate is no mention. */
export const MAX_ID_CHARS = 128;

const ID = new RegExp(ID_PATTERN);
// `@` not preceded by a word char, `.`, `-`, `@` or `/`: leaves out emails (ada@example.com)
// and paths (https://host/@ada). One left-to-right pass: the greedy run needs no backtracking
// (nothing follows it) and the next search starts after it, so the scan is linear in the text.
// Candidates are then checked against the contract's ID pattern, at most MAX_ID_CHARS long.
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
      // A sentence may end right after a mention: "thanks @ada." mentions `ada`. Trimmed by a
      // loop, not a regex (`/\.+$/` retries every dot of a long run: quadratic), and too long a
      // candidate never reaches the ID regex.
      const id = withoutTrailingDots(m[1]!);
      if (id.length <= MAX_ID_CHARS && ID.test(id)) found.add(id);
      if (found.size >= MAX_MENTIONS) return [...found];
    }
  }
  return [...found];
}

/** `s` without its trailing dots; linear in their number. */
function withoutTrailingDots(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2e) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The text of an inline run; any other token (code span, link, emphasis) is a word boundary. */
function proseOf(children: Token[]): string {
  let text = '';
  for (const t of children) text += t.type === 'text' ? t.content : ' ';
  return text;
}
