// A tiny static file server for the demo page (apps/web/dist), plus `/config.json` telling the
// page where ingest and the gateway are. The hosts in config.json follow the Host the browser
// used, so the page works as http://localhost:8000 and as http://<machine>:8000 alike.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Serves `root` on `port` (0: any free one). `ingestPort`/`gatewayPort` go into /config.json.
 * Resolves with `{ port, close() }`.
 */
export function serveStatic({ root, port, host = '0.0.0.0', ingestPort, gatewayPort }) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://page');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/config.json') {
      const hostname = (req.headers.host ?? 'localhost').replace(/:\d+$/, '');
      const body = JSON.stringify({
        ingestUrl: `http://${hostname}:${ingestPort}`,
        gatewayUrl: `ws://${hostname}:${gatewayPort}/ws`,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = join(root, rel === '' ? 'index.html' : rel);
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    try {
      let s = await stat(file);
      if (s.isDirectory()) {
        file = join(file, 'index.html');
        s = await stat(file);
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': s.size,
        'x-content-type-options': 'nosniff',
        // Hashed assets never change; the page itself may.
        'cache-control': file.includes(`${sep}assets${sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: server.address().port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
