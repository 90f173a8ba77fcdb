import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness';

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The internal HTTP server: /healthz (alive), /readyz (ready for traffic), /metrics (Prometheus). */
export async function startOpsServer(opts: {
  port: number;
  host?: string;
  readiness: Readiness;
  registry: Registry;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } });
    }
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const s = opts.readiness.status();
      return json(
        res,
        s.ready ? 200 : 503,
        s.ready ? { status: 'ready' } : { status: 'not ready', failing: s.failing },
      );
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(body);
        },
        (e: Error) => json(res, 500, { error: { code: 'metrics_failed', message: e.message } }),
      );
      return;
    }
    json(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
