/**
 * Spam score of a new comment: the sum of the weights of the signals it shows, capped at 1.
 *
 * | reason           | signal                                                          | weight                          |
 * | ---------------- | --------------------------------------------------------------- | ------------------------------- |
 * | `links`          | URLs in the body (`http://`, `https://`, `www.`)                | 0.15 per link after the first, max 0.45 |
 * | `repeated_chars` | one character 8+ times in a row (`!!!!!!!!`, `loooooooool`)     | 0.15                            |
 * | `repeated_words` | a word 4+ times in a row, or 10+ words of which < 40 % distinct | 0.2                             |
 * | `blocklist`      | a term of BLOCKLIST, as whole words, case-insensitive           | 0.3 per distinct term, max 0.6  |
 * | `all_caps`       | 15+ letters (outside URLs) of which 70 %+ upper case            | 0.2                             |
 * | `burst`          | the author's comments in the last 60 s (this one included) >= 4 | 0.15 per comment from the 4th, max 0.6 |
 *
 * The threshold is enrich's (ENRICH_SPAM_THRESHOLD): it holds comments whose score reaches it for
 * moderation. The weights are tuned for a threshold of 0.5: one strong signal (two blocklisted
 * terms, a 6-comment burst) or two moderate ones hold a comment; one link or one shout does not.
 *
 * The burst count comes from a BurstTracker, which is per pod and best-effort (see there).
 */
import type { Spam } from '@threadcast/contracts';

export const BLOCKLIST = [
  'viagra',
  'cialis',
  'casino',
  'porn',
  'xxx',
  'payday loan',
  'cheap pills',
  'free money',
  'make money fast',
  'work from home',
  'crypto giveaway',
  'click here',
  'buy now',
];

const LINK = /\bhttps?:\/\/|\bwww\./gi;
const URL_TEXT = /\b(?:https?:\/\/|www\.)\S*/gi;
// Markdown punctuation (rules, fences, emphasis, dots) repeats legitimately.
const REPEATED_CHAR = /([^\s\-=_*#~`.])\1{7,}/u;
const BLOCKED = new RegExp(`\\b(${BLOCKLIST.map((t) => t.replace(/ /g, '\\s+')).join('|')})\\b`, 'gi');
const WORD = /[\p{L}\p{N}']+/gu;
const UPPER = /\p{Lu}/gu;
const LOWER = /\p{Ll}/gu;

export function spamScore(body: string, burstCount: number): Spam {
  const reasons: string[] = [];
  let score = 0;
  const add = (reason: string, weight: number) => {
    if (weight <= 0) return;
    reasons.push(reason);
    score += weight;
  };

  add('links', Math.min(0.45, 0.15 * ((body.match(LINK)?.length ?? 0) - 1)));
  if (REPEATED_CHAR.test(body)) add('repeated_chars', 0.15);
  if (repeatedWords(body)) add('repeated_words', 0.2);
  const blocked = new Set<string>();
  for (const m of body.matchAll(BLOCKED)) blocked.add(m[1]!.toLowerCase().replace(/\s+/g, ' '));
  add('blocklist', Math.min(0.6, 0.3 * blocked.size));
  if (shouting(body)) add('all_caps', 0.2);
  add('burst', Math.min(0.6, 0.15 * (burstCount - 3)));

  return { score: Math.round(Math.min(1, score) * 1000) / 1000, reasons };
}

function repeatedWords(body: string): boolean {
  const words = body.toLowerCase().match(WORD);
  if (!words || words.length < 4) return false;
  let run = 1;
  for (let i = 1; i < words.length; i++) {
    run = words[i] === words[i - 1] ? run + 1 : 1;
    if (run >= 4) return true;
  }
  return words.length >= 10 && new Set(words).size / words.length < 0.4;
}

function shouting(body: string): boolean {
  // URLs are lower case by convention; they say nothing about shouting.
  const text = body.includes('http') || body.includes('www.') ? body.replace(URL_TEXT, '') : body;
  const upper = text.length - text.replace(UPPER, '').length;
  const lower = text.length - text.replace(LOWER, '').length;
  const letters = upper + lower;
  return letters >= 15 && upper / letters >= 0.7;
}
