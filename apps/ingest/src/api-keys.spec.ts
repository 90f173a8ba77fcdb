import { ConfigError } from '@threadcast/config';
import { ANONYMOUS, apiKeyList, createCallerCheck, presentedKey } from './api-keys';

const keys = (list: string) => apiKeyList('').parse(list);

describe('API keys', () => {
  it('reads name:secret and name:secret:moderator, and names a bare secret by its hash', () => {
    expect(keys('web:s3cret, mods:m0d:moderator, legacy-secret')).toEqual([
      { name: 'web', secret: 's3cret', moderator: false },
      { name: 'mods', secret: 'm0d', moderator: true },
      { name: expect.stringMatching(/^key-[0-9a-f]{8}$/), secret: 'legacy-secret', moderator: false },
    ]);
    expect(keys('')).toEqual([]);
  });

  it('refuses bad entries, naming the item but never its secret', () => {
    for (const bad of [
      'web:',
      ':zzsecret',
      'web:zz1:admin',
      'a:zz1:moderator:x',
      'we b:zz1',
      'anonymous:zz1',
      'web:zz1,web:zz2',
      'a:zz3,b:zz3',
    ]) {
      let message = '';
      try {
        keys(bad);
      } catch (e) {
        message = (e as Error).message;
      }
      expect([bad, message]).toEqual([bad, expect.stringMatching(/item \d/)]);
      expect(message).not.toMatch(/zz/);
    }
  });

  it('refuses to run open: no keys is a ConfigError unless anonymous callers are allowed', () => {
    expect(() => createCallerCheck([], false)).toThrow(ConfigError);
    expect(() => createCallerCheck([], false)).toThrow(/INGEST_API_KEYS.*INGEST_ALLOW_ANONYMOUS/);
    expect(createCallerCheck([], true)({})).toBe(ANONYMOUS);
  });

  it('tells which caller presents a key, in x-api-key or as a bearer token', () => {
    const check = createCallerCheck(keys('web:alpha,mods:beta-key:moderator'), false);
    expect(check({ 'x-api-key': 'alpha' })).toEqual({ name: 'web', moderator: false });
    expect(check({ authorization: 'Bearer beta-key' })).toEqual({ name: 'mods', moderator: true });
    expect(check({ authorization: 'bearer beta-key' })).toEqual({ name: 'mods', moderator: true });
  });

  it('requires a key once keys are configured, even with anonymous callers allowed', () => {
    const check = createCallerCheck(keys('web:alpha'), true);
    expect(check({})).toBeUndefined();
    expect(check({ 'x-api-key': 'alpha' })?.name).toBe('web');
  });

  it('refuses missing, unknown and partial keys, and the name instead of the secret', () => {
    const check = createCallerCheck(keys('web:alpha'), false);
    expect(check({})).toBeUndefined();
    expect(check({ 'x-api-key': 'alph' })).toBeUndefined();
    expect(check({ 'x-api-key': 'alphaa' })).toBeUndefined();
    expect(check({ 'x-api-key': 'web' })).toBeUndefined();
    expect(check({ 'x-api-key': 'web:alpha' })).toBeUndefined();
    expect(check({ authorization: 'Basic alpha' })).toBeUndefined();
    expect(check({ authorization: 'Bearer' })).toBeUndefined();
  });

  it('prefers x-api-key over Authorization', () => {
    expect(presentedKey({ 'x-api-key': 'a', authorization: 'Bearer b' })).toBe('a');
  });
});
