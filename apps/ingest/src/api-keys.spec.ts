import { createApiKeyCheck, presentedKey } from './api-keys';

describe('API keys', () => {
  it('leaves the API open without configured keys', () => {
    expect(createApiKeyCheck([])({})).toBe(true);
  });

  it('accepts a configured key in x-api-key or as a bearer token', () => {
    const check = createApiKeyCheck(['alpha', 'beta-key']);
    expect(check({ 'x-api-key': 'alpha' })).toBe(true);
    expect(check({ authorization: 'Bearer beta-key' })).toBe(true);
    expect(check({ authorization: 'bearer beta-key' })).toBe(true);
  });

  it('refuses missing, unknown and partial keys', () => {
    const check = createApiKeyCheck(['alpha']);
    expect(check({})).toBe(false);
    expect(check({ 'x-api-key': 'alph' })).toBe(false);
    expect(check({ 'x-api-key': 'alphaa' })).toBe(false);
    expect(check({ authorization: 'Basic alpha' })).toBe(false);
    expect(check({ authorization: 'Bearer' })).toBe(false);
  });

  it('prefers x-api-key over Authorization', () => {
    expect(presentedKey({ 'x-api-key': 'a', authorization: 'Bearer b' })).toBe('a');
  });
});
