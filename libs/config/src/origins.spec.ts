import { loadConfig } from './load-config';
import { configuredOrigin, normalizeOrigin, originAllowed, origins } from './origins';

describe('allowed origins', () => {
  const schema = { ORIGINS: origins('test') };
  const parse = (raw: string | undefined) =>
    loadConfig(schema, raw === undefined ? {} : { ORIGINS: raw }).ORIGINS;

  it('reads a list of origins, normalized, and * alone', () => {
    expect(parse('http://localhost:8000, HTTPS://WWW.Example.com:443/')).toEqual([
      'http://localhost:8000',
      'https://www.example.com',
    ]);
    expect(parse('*')).toEqual(['*']);
  });

  it('means none when empty or unset: nothing matches', () => {
    for (const raw of [undefined, '', '  ']) {
      const allowed = parse(raw);
      expect(allowed).toEqual([]);
      expect(originAllowed(allowed, 'https://evil.example')).toBe(false);
      expect(originAllowed(allowed, 'http://localhost:8000')).toBe(false);
    }
  });

  it('refuses what is not an origin, naming the variable', () => {
    for (const bad of [
      'localhost:8000',
      'http://a.example/x',
      'ftp://a.example',
      'https://u@a.example',
      '*,https://a.example',
    ]) {
      expect(() => parse(bad)).toThrow(/ORIGINS/);
    }
  });

  it('matches listed origins however they are spelled, everything for *, never null or garbage', () => {
    const allowed = parse('https://www.example.com');
    expect(originAllowed(allowed, 'https://www.example.com')).toBe(true);
    expect(originAllowed(allowed, 'https://WWW.example.com:443')).toBe(true);
    expect(originAllowed(allowed, 'http://www.example.com')).toBe(false);
    expect(originAllowed(allowed, 'https://www.example.com.evil.example')).toBe(false);
    expect(originAllowed(allowed, 'null')).toBe(false);
    expect(originAllowed(['*'], 'https://anything.example')).toBe(true);
  });

  it('normalizes origins and takes only bare ones for the list', () => {
    expect(normalizeOrigin('HTTPS://A.example:443/')).toBe('https://a.example');
    expect(normalizeOrigin('a.example')).toBeUndefined();
    expect(configuredOrigin('https://www.example.com/')).toBe('https://www.example.com');
    expect(configuredOrigin('https://a.example?x')).toBeUndefined();
  });
});
