import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { mintDevToken } from './dev-tokens';
import { createTokenVerifier, type TokenSettings } from './token-verifier';

const SECRET = 'a-test-secret-that-is-32-bytes-long!';
const settings = (over: Partial<TokenSettings> = {}): TokenSettings => ({
  GATEWAY_JWT_SECRET: SECRET,
  GATEWAY_JWT_JWKS_URL: undefined,
  GATEWAY_JWT_ISSUER: undefined,
  GATEWAY_JWT_AUDIENCE: undefined,
  GATEWAY_JWT_MOD_CLAIM: 'mod',
  GATEWAY_DEV_AUTH: false,
  GATEWAY_HOST: '127.0.0.1',
  NODE_ENV: 'development',
  ...over,
});
const hs256 = (claims: Record<string, unknown>, exp: string | number = '1h', secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));

describe('token verifier', () => {
  it('is absent when nothing is configured, and refuses a secret and a JWKS URL together', () => {
    expect(createTokenVerifier(settings({ GATEWAY_JWT_SECRET: undefined }))).toBeUndefined();
    expect(() =>
      createTokenVerifier(settings({ GATEWAY_JWT_JWKS_URL: 'https://keys.example/jwks' })),
    ).toThrow('GATEWAY_JWT_JWKS_URL cannot be set together with GATEWAY_JWT_SECRET');
  });

  it('with GATEWAY_DEV_AUTH, accepts demo tokens and nothing signed otherwise; never with real keys', async () => {
    const dev = createTokenVerifier(settings({ GATEWAY_JWT_SECRET: undefined, GATEWAY_DEV_AUTH: true }))!;
    const minted = await mintDevToken(new URLSearchParams('sub=u-mod&forum=f1'), 'mod');
    expect(minted.status).toBe(200);
    const { token } = minted.body as { token: string };
    expect(await dev(token)).toMatchObject({ sub: 'u-mod', mod: ['f1'] });
    await expect(dev(await hs256({ sub: 'a' }))).rejects.toThrow('bad token signature');
    // A gateway with a real secret refuses demo tokens.
    await expect(createTokenVerifier(settings())!(token)).rejects.toThrow('bad token signature');
    expect(() => createTokenVerifier(settings({ GATEWAY_DEV_AUTH: true }))).toThrow(
      'GATEWAY_DEV_AUTH cannot be set together with GATEWAY_JWT_SECRET',
    );
  });

  it('refuses GATEWAY_DEV_AUTH outside a local run: NODE_ENV=production, or listening beyond loopback', () => {
    const dev = { GATEWAY_JWT_SECRET: undefined, GATEWAY_DEV_AUTH: true };
    expect(() => createTokenVerifier(settings({ ...dev, NODE_ENV: 'production' }))).toThrow(
      'GATEWAY_DEV_AUTH is refused with NODE_ENV=production',
    );
    for (const host of ['0.0.0.0', '::', '10.0.0.7', 'gateway.example.com', '127.0.0.1.example.com']) {
      expect(() => createTokenVerifier(settings({ ...dev, GATEWAY_HOST: host }))).toThrow(
        'GATEWAY_DEV_AUTH is for local runs only and needs GATEWAY_HOST on loopback',
      );
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      expect(createTokenVerifier(settings({ ...dev, GATEWAY_HOST: host }))).toBeDefined();
    }
    // Without dev auth, any host and NODE_ENV are fine.
    expect(createTokenVerifier(settings({ GATEWAY_HOST: '0.0.0.0', NODE_ENV: 'production' }))).toBeDefined();
  });

  it('accepts an HS256 token and reads sub, exp and the moderator claim', async () => {
    const verify = createTokenVerifier(settings({ GATEWAY_JWT_MOD_CLAIM: 'forums' }))!;
    const claims = await verify(await hs256({ sub: 'alice', forums: ['f1', 'f2'] }));
    expect(claims).toEqual({ sub: 'alice', mod: ['f1', 'f2'], exp: expect.any(Number) });
    expect(await verify(await hs256({ sub: 'bob' }))).toMatchObject({ sub: 'bob', mod: [] });
  });

  it.each([
    ['an expired token', () => hs256({ sub: 'a' }, Math.floor(Date.now() / 1000) - 60), 'token expired'],
    [
      'a bad signature',
      () => hs256({ sub: 'a' }, '1h', 'another-secret-another-secret-00'),
      'bad token signature',
    ],
    ['a token without sub', () => hs256({}), 'token claim "sub" missing'],
    [
      'a token that never expires',
      () =>
        new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET)),
      'token claim "exp" missing',
    ],
    ['garbage', () => Promise.resolve('not.a.jwt'), 'malformed token'],
    [
      'a moderator claim that is not a list',
      () => hs256({ sub: 'a', mod: 'f1' }),
      'claim "mod" must be an array',
    ],
  ])('refuses %s with 401', async (_, make, message) => {
    const verify = createTokenVerifier(settings())!;
    await expect(verify(await make())).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining(message),
    });
  });

  it('checks issuer and audience when configured', async () => {
    const verify = createTokenVerifier(
      settings({ GATEWAY_JWT_ISSUER: 'https://auth', GATEWAY_JWT_AUDIENCE: 'rt' }),
    )!;
    await expect(verify(await hs256({ sub: 'a' }))).rejects.toMatchObject({ status: 401 });
    const good = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://auth')
      .setAudience('rt')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect((await verify(good)).sub).toBe('a');
  });

  describe('with a JWKS URL', () => {
    let server: Server;
    let url: string;
    let keys: Awaited<ReturnType<typeof generateKeyPair>>;
    let up = true;
    beforeAll(async () => {
      keys = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' };
      server = createServer((_, res) => {
        if (!up) return void res.writeHead(500).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    const es256 = (kid: string) =>
      new SignJWT({ sub: 'carol' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setExpirationTime('1h')
        .sign(keys.privateKey);

    it('verifies with the fetched keys; an unknown key is 401, an unreachable JWKS 503', async () => {
      const verify = createTokenVerifier(
        settings({ GATEWAY_JWT_SECRET: undefined, GATEWAY_JWT_JWKS_URL: url }),
      )!;
      expect((await verify(await es256('k1'))).sub).toBe('carol');
      await expect(verify(await hs256({ sub: 'a' }))).rejects.toMatchObject({ status: 401 });
      up = false;
      const fresh = createTokenVerifier(
        settings({ GATEWAY_JWT_SECRET: undefined, GATEWAY_JWT_JWKS_URL: url }),
      )!;
      await expect(fresh(await es256('k1'))).rejects.toMatchObject({ status: 503 });
      up = true;
    });
  });
});
