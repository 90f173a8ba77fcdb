import { parseSince } from './since';

describe('parseSince', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  it.each([
    ['90s', 90_000],
    ['15m', 15 * 60_000],
    ['1h', 3_600_000],
    ['2d', 2 * 86_400_000],
  ])('reads %s as a duration back from now', (text, ms) => {
    expect(parseSince(text, now)).toBe(now - ms);
  });
  it('reads an ISO time', () => {
    expect(parseSince('2030-01-01T11:00:00Z', now)).toBe(Date.parse('2030-01-01T11:00:00Z'));
  });
  it.each(['1 hour', 'h', '-1h', '1w', '', '2030-13-45'])('refuses %j, saying what it expects', (text) => {
    expect(() => parseSince(text, now)).toThrow(/--since: expected a duration/);
  });
});
