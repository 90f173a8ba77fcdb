import { decodeJwt } from 'jose';
import { DEV_TOKEN_TTL_SECONDS, mintDevToken } from './dev-tokens';

describe('demo tokens', () => {
  const now = Date.UTC(2030, 0, 1);

  it('mints a token for the user and forums asked, moderator claim named as configured', async () => {
    const answer = await mintDevToken(new URLSearchParams('sub=u-ada&forum=f1&forum=f2'), 'forums', now);
    expect(answer.status).toBe(200);
    const body = answer.body as { token: string; sub: string; mod: string[]; expiresAt: string };
    expect(body).toMatchObject({ sub: 'u-ada', mod: ['f1', 'f2'], expiresAt: '2030-01-01T01:00:00.000Z' });
    expect(decodeJwt(body.token)).toEqual({
      sub: 'u-ada',
      forums: ['f1', 'f2'],
      iat: now / 1000,
      exp: now / 1000 + DEV_TOKEN_TTL_SECONDS,
    });
  });

  it('defaults to a demo moderator of the default forum', async () => {
    const answer = await mintDevToken(new URLSearchParams(), 'mod', now);
    expect(answer.body).toMatchObject({ sub: 'u-demo-moderator', mod: ['default'] });
  });

  it.each([
    ['sub=a%20b', 'sub must be'],
    ['forum=', 'forum must be'],
    [`forum=${'f'.repeat(129)}`, 'forum must be'],
    [Array.from({ length: 21 }, (_, i) => `forum=f${i}`).join('&'), 'at most 20 forums'],
  ])('refuses %s with 400', async (query, message) => {
    const answer = await mintDevToken(new URLSearchParams(query), 'mod', now);
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: expect.stringContaining(message) } },
    });
  });
});
