import { spamScore } from './spam-score';

describe('spamScore', () => {
  it('scores an ordinary comment 0', () => {
    expect(spamScore('I think the second point is right, see https://example.com for why.', 1)).toEqual({
      score: 0,
      reasons: [],
    });
  });

  it.each([
    ['links', 'a http://a.example b https://b.example c www.c.example', 0.3],
    ['links', Array.from({ length: 9 }, (_, i) => `https://x${i}.example`).join(' '), 0.45],
    ['repeated_chars', 'what!!!!!!!!', 0.15],
    ['repeated_words', 'buy buy buy buy', 0.2],
    ['repeated_words', 'great post great post great post great post great post', 0.2],
    ['blocklist', 'cheap   PILLS here', 0.3],
    ['blocklist', 'casino casino? viagra, free money', 0.6],
    ['all_caps', 'THIS IS THE BEST THREAD EVER', 0.2],
  ])('flags %s', (reason, body, weight) => {
    expect(spamScore(body, 1)).toEqual({ score: weight, reasons: [reason] });
  });

  it('does not flag markdown punctuation, short shouts or single words', () => {
    expect(spamScore('```\n==========\n```\n-----------\n**bold** ........', 1).reasons).toEqual([]);
    expect(spamScore('LOL OK', 1).reasons).toEqual([]);
    expect(spamScore('classic casinos are not xxxl', 1).reasons).toEqual([]);
  });

  it('rises with the author’s burst and caps the sum at 1', () => {
    expect(spamScore('hi', 3).score).toBe(0);
    expect(spamScore('hi', 4)).toEqual({ score: 0.15, reasons: ['burst'] });
    expect(spamScore('hi', 6).score).toBe(0.45);
    expect(spamScore('hi', 50).score).toBe(0.6);
    const worst = spamScore('VIAGRA CASINO FREE MONEY!!!!!!!! http://a.example http://b.example', 10);
    expect(worst.score).toBe(1);
    expect(worst.reasons).toEqual(['links', 'repeated_chars', 'blocklist', 'all_caps', 'burst']);
  });
});
