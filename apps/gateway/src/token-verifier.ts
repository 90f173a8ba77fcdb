/**
 * Verifies the `?token=` JWT of a connecting socket with jose: an HS256 shared secret or a JWKS
 * URL (keys fetched and cached by jose, refetched when a token names an unknown key id). A token
 * must carry `sub` and `exp`; tokens that never expire would outlive any revocation.
 */
import { ConfigError } from '@threadcast/config';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Claims } from './authorize';
import { DEV_JWT_SECRET } from './dev-tokens';

export interface TokenSettings {
  GATEWAY_JWT_SECRET: string | undefined;
  GATEWAY_JWT_JWKS_URL: string | undefined;
  GATEWAY_JWT_ISSUER: string | undefined;
  GATEWAY_JWT_AUDIENCE: string | undefined;
  GATEWAY_JWT_MOD_CLAIM: string;
  GATEWAY_DEV_AUTH: boolean;
  GATEWAY_HOST: string;
  NODE_ENV: string;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/**
 * The development secret is published, so a gateway trusting it must be one nobody else can
 * reach: a local run (not NODE_ENV=production) listening on loopback only. The chart refuses the
 * setting too; this is the check that holds whatever way the variable got in.
 */
function checkDevAuth(settings: TokenSettings): void {
  if (!settings.GATEWAY_DEV_AUTH) return;
  if (settings.NODE_ENV === 'production') {
    throw new ConfigError(
      'GATEWAY_DEV_AUTH',
      'is refused with NODE_ENV=production: it trusts a secret published in the source; configure GATEWAY_JWT_SECRET or GATEWAY_JWT_JWKS_URL',
    );
  }
  if (!LOOPBACK.test(settings.GATEWAY_HOST)) {
    throw new ConfigError(
      'GATEWAY_DEV_AUTH',
      `is for local runs only and needs GATEWAY_HOST on loopback (127.0.0.1, ::1 or localhost), not ${JSON.stringify(settings.GATEWAY_HOST)}: anyone who reaches the gateway could sign tokens with the published development secret`,
    );
  }
}

/**
 * Why a token was refused; the message goes to the client in the response body. Status 401 for
 * a bad token, 503 when the keys could not be fetched (the token may be fine: retry later).
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    message: string,
    readonly status: 401 | 503 = 401,
  ) {
    super(message);
  }
}

export type VerifyToken = (token: string) => Promise<Claims>;

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const MAX_TOKEN_CHARS = 8192;

/** Undefined when no verification is configured: then only anonymous sockets are accepted. */
export function createTokenVerifier(settings: TokenSettings): VerifyToken | undefined {
  const { GATEWAY_JWT_JWKS_URL: jwksUrl } = settings;
  checkDevAuth(settings);
  if (settings.GATEWAY_DEV_AUTH && (settings.GATEWAY_JWT_SECRET !== undefined || jwksUrl !== undefined)) {
    throw new ConfigError(
      'GATEWAY_DEV_AUTH',
      'cannot be set together with GATEWAY_JWT_SECRET or GATEWAY_JWT_JWKS_URL: it uses the development secret',
    );
  }
  const secret = settings.GATEWAY_DEV_AUTH ? DEV_JWT_SECRET : settings.GATEWAY_JWT_SECRET;
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError(
      'GATEWAY_JWT_JWKS_URL',
      'cannot be set together with GATEWAY_JWT_SECRET: choose one',
    );
  }
  const options: JWTVerifyOptions = {
    issuer: settings.GATEWAY_JWT_ISSUER,
    audience: settings.GATEWAY_JWT_AUDIENCE,
    requiredClaims: ['sub', 'exp'],
  };
  const modClaim = settings.GATEWAY_JWT_MOD_CLAIM;
  let verify: (token: string) => Promise<JWTPayload>;
  if (secret !== undefined) {
    const key = new TextEncoder().encode(secret);
    verify = async (token) => (await jwtVerify(token, key, { ...options, algorithms: ['HS256'] })).payload;
  } else if (jwksUrl !== undefined) {
    const keys = createRemoteJWKSet(new URL(jwksUrl));
    verify = async (token) => (await jwtVerify(token, keys, { ...options, algorithms: ASYMMETRIC })).payload;
  } else {
    return undefined;
  }

  return async (token) => {
    if (token.length > MAX_TOKEN_CHARS)
      throw new TokenError(`token longer than ${MAX_TOKEN_CHARS} characters`);
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (e) {
      throw refusal(e);
    }
    const mod = payload[modClaim];
    if (mod !== undefined && !(Array.isArray(mod) && mod.every((f) => typeof f === 'string'))) {
      throw new TokenError(`claim "${modClaim}" must be an array of forum ids`);
    }
    return { sub: payload.sub!, exp: payload.exp!, mod: (mod as string[] | undefined) ?? [] };
  };
}

function refusal(e: unknown): TokenError {
  if (e instanceof errors.JWTExpired) return new TokenError('token expired');
  if (e instanceof errors.JWSSignatureVerificationFailed) return new TokenError('bad token signature');
  if (e instanceof errors.JWTClaimValidationFailed)
    return new TokenError(`token claim "${e.claim}" ${e.reason}`);
  if (e instanceof errors.JWKSNoMatchingKey) return new TokenError('no key of the JWKS matches the token');
  if (e instanceof errors.JOSEAlgNotAllowed) return new TokenError('token algorithm not allowed');
  if (
    e instanceof errors.JWSInvalid ||
    e instanceof errors.JWTInvalid ||
    e instanceof errors.JOSENotSupported
  ) {
    return new TokenError(`malformed token (${e.code})`);
  }
  // Anything else is the JWKS endpoint failing (timeout, network, HTTP status, bad JSON): not
  // the token's fault.
  return new TokenError('token keys could not be fetched', 503);
}
