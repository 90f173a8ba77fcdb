import { configuredOrigin, createOriginCheck, normalizeOrigin } from './origin-check';

describe('origin check', () => {
  const check = createOriginCheck(['https://www.example.com', 'http://localhost:3000']);

  it('allows listed origins, however they are spelled', () => {
    expect(check('https://www.example.com', 'rt.example.com')).toBe(true);
    expect(check('https://WWW.Example.com:443', 'rt.example.com')).toBe(true);
    expect(check('http://localhost:3000', 'localhost:8090')).toBe(true);
  });

  it('refuses other sites, other schemes and ports of a listed host, null and garbage', () => {
    expect(check('https://evil.example', 'rt.example.com')).toBe(false);
    expect(check('http://www.example.com', 'rt.example.com')).toBe(false);
    expect(check('https://www.example.com:8443', 'rt.example.com')).toBe(false);
    expect(check('https://www.example.com.evil.example', 'rt.example.com')).toBe(false);
    expect(check('null', 'rt.example.com')).toBe(false);
    expect(check('javascript:alert(1)', 'rt.example.com')).toBe(false);
    expect(check('', 'rt.example.com')).toBe(false);
  });

  it('allows a same-origin page and clients that send no Origin', () => {
    expect(check('https://rt.example.com', 'rt.example.com')).toBe(true);
    expect(check('https://RT.example.com', 'rt.Example.com')).toBe(true);
    expect(check(undefined, 'rt.example.com')).toBe(true);
    expect(check('https://rt.example.com', undefined)).toBe(false);
  });

  it('allows no other origin with an empty list (same-origin pages and no Origin still pass), every one with *', () => {
    const none = createOriginCheck([]);
    expect(none('https://evil.example', 'rt.example.com')).toBe(false);
    expect(none('https://rt.example.com', 'rt.example.com')).toBe(true);
    expect(none(undefined, 'rt.example.com')).toBe(true);
    expect(createOriginCheck(['*'])('https://evil.example', 'rt.example.com')).toBe(true);
  });

  it('normalizes origins and refuses what is not one', () => {
    expect(normalizeOrigin('HTTPS://A.example:443/')).toBe('https://a.example');
    expect(normalizeOrigin('ftp://a.example')).toBeUndefined();
    expect(normalizeOrigin('a.example')).toBeUndefined();
  });

  it('takes only bare http(s) origins for the list', () => {
    expect(configuredOrigin('https://www.example.com')).toBe('https://www.example.com');
    expect(configuredOrigin('https://www.example.com/')).toBe('https://www.example.com');
    expect(configuredOrigin('http://localhost:3000')).toBe('http://localhost:3000');
    for (const bad of [
      'https://a.example/app',
      'https://a.example?x',
      'https://u@a.example',
      'a.example',
      'ws://a.example',
      '*',
    ]) {
      expect(configuredOrigin(bad)).toBeUndefined();
    }
  });
});
