/**
 * Local development auth: the gateway verifies tokens with a secret published here, and mints
 * tokens for the demo page on `GET /demo-token`. Anyone can read this file, so anyone can sign
 * any token with it: `GATEWAY_DEV_AUTH` is for `npm start` on a laptop, never for a deployment.
 */
import { SignJWT } from 'jose';

export const DEV_JWT_SECRET = 'threadcast-local-development-secret-never-deploy-it';
/** Demo tokens last an hour: long enough to try things, short enough to show expiry exists. */
export const DEV_TOKEN_TTL_SECONDS = 3600;

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

export type DevTokenAnswer =
  | { status: 200; body: { token: string; sub: string; mod: string[]; expiresAt: string } }
  | { status: 400; body: { error: { code: 'bad_request'; message: string } } };

/**
 * A token for `?sub=<user id>&forum=<forum id>` (forum repeatable): that user, moderator of
 * those forums. Both default to a demo moderator of the `default` forum.
 */
export async function mintDevToken(
  query: URLSearchParams,
  modClaim: string,
  nowMs: number = Date.now(),
): Promise<DevTokenAnswer> {
  const sub = query.get('sub') ?? 'u-demo-moderator';
  const forums = query.getAll('forum');
  const mod = forums.length > 0 ? forums : ['default'];
  for (const [name, value] of [['sub', sub], ...mod.map((f) => ['forum', f])] as const) {
    if (!ID.test(value)) {
      return {
        status: 400,
        body: {
          error: {
            code: 'bad_request',
            message: `${name} must be 1 to 128 letters, digits, _ . or -, got ${JSON.stringify(value.slice(0, 140))}`,
          },
        },
      };
    }
  }
  if (mod.length > 20) {
    return { status: 400, body: { error: { code: 'bad_request', message: 'at most 20 forums per token' } } };
  }
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + DEV_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ [modClaim]: mod })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(DEV_JWT_SECRET));
  return { status: 200, body: { token, sub, mod, expiresAt: new Date(exp * 1000).toISOString() } };
}
