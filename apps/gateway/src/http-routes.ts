/**
 * The gateway's plain HTTP side: everything that is not a WebSocket upgrade. `/ws` without an
 * upgrade gets 426, `/demo-token` mints development tokens when that is on, the rest 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@threadcast/runtime';
import type { OriginCheck } from './origin-check';

export const WS_PATH = '/ws';
export const DEMO_TOKEN_PATH = '/demo-token';

export type DemoTokens = (query: URLSearchParams) => Promise<{ status: number; body: unknown }>;

export function createHttpRoutes(deps: {
  logger: Logger;
  originAllowed: OriginCheck;
  /** Absent: `/demo-token` says demo tokens are off. See dev-tokens.ts. */
  demoTokens: DemoTokens | undefined;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, originAllowed, demoTokens } = deps;

  const serveDemoToken = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host)) {
      return httpError(res, 403, 'forbidden_origin', 'pages from this origin may not ask for tokens');
    }
    // The demo page is on another port, so another origin: it may read the answer.
    const cors: Record<string, string> = origin
      ? { 'access-control-allow-origin': origin, vary: 'origin' }
      : {};
    if (req.method !== 'GET') {
      return httpError(res, 405, 'method_not_allowed', 'use GET', { ...cors, allow: 'GET' });
    }
    if (!demoTokens) {
      return httpError(
        res,
        404,
        'demo_tokens_off',
        'demo tokens are minted only by a gateway running locally with the development secret (GATEWAY_DEV_AUTH=true, as npm start does)',
        cors,
      );
    }
    const answer = await demoTokens(query);
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...cors,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === WS_PATH) return httpError(res, 426, 'upgrade_required', 'connect with a WebSocket');
    if (url.pathname === DEMO_TOKEN_PATH) {
      return void serveDemoToken(req, res, url.searchParams).catch((e: unknown) => {
        logger.error({ err: e }, 'demo token failed');
        if (!res.headersSent) httpError(res, 500, 'internal', 'could not mint a token');
      });
    }
    httpError(res, 404, 'not_found', `no route ${url.pathname}; the WebSocket endpoint is ${WS_PATH}`);
  };
}

function httpError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
