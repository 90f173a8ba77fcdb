import { urlWithToken } from './url-with-token';

describe('urlWithToken', () => {
  it('leaves the url alone without a token', () => {
    expect(urlWithToken('wss://h/ws', undefined)).toBe('wss://h/ws');
    expect(urlWithToken('wss://h/ws', '')).toBe('wss://h/ws');
  });

  it('appends the token as a query parameter, encoded', () => {
    expect(urlWithToken('wss://h/ws', 'a.b+c/d=')).toBe('wss://h/ws?token=a.b%2Bc%2Fd%3D');
    expect(urlWithToken('wss://h/ws?v=1', 'x')).toBe('wss://h/ws?v=1&token=x');
    expect(urlWithToken('/ws', 'x')).toBe('/ws?token=x');
  });
});
