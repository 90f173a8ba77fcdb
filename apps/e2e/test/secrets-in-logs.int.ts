import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { sleep, waitUntil } from './chaos-kit';
import { runApp, startService, type RunningService } from './services';

// Issue 7: secrets never appear in logs. Every service runs at LOG_LEVEL=debug with secrets set,
// is made to fail in the ways that log the most (Kafka refusing the SASL login, bad and good API
// keys and tokens, a misconfigured secret), and its whole output must not contain any of them.
describe('secrets never appear in logs', () => {
  const run = Math.random().toString(36).slice(2, 10);
  const secret = {
    saslPassword: `sasl-password-${run}`,
    apiKey: `api-key-${run}`,
    otherApiKey: `second-api-key-${run}`,
    wrongApiKey: `wrong-api-key-${run}`,
    jwtSecret: `jwt-secret-${run}-jwt-secret-${run}-padding`,
  };
  const services: RunningService[] = [];
  const outputs: { what: string; text: () => string }[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop('SIGKILL')));
  });

  /** Runs an app to its exit (or kills it after `ms`), returning all it printed. */
  const runToEnd = async (name: string, env: Record<string, string>, ms = 20_000) => {
    const child = runApp(name, env);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    const code = await exited;
    clearTimeout(timer);
    return { code, out };
  };
  const sasl = {
    LOG_LEVEL: 'debug',
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: `user-${run}`,
    KAFKA_SASL_PASSWORD: secret.saslPassword,
  };

  it('keeps the Kafka password out of the logs of a stage whose login the broker refuses', async () => {
    // The test broker speaks no SASL: the login fails, start fails, the stage logs it and exits.
    const enrich = await runToEnd('enrich', { ...sasl, OPS_PORT: '0' });
    expect(enrich.code).not.toBe(0);
    expect(enrich.out).toMatch(/"level":(50|60)/);
    outputs.push({ what: 'enrich with a refused SASL login', text: () => enrich.out });
  });

  it('keeps API keys, tokens and the signing secret out of ingest and gateway logs', async () => {
    const ingest = await startService(
      'ingest',
      { ...sasl, INGEST_API_KEYS: `${secret.apiKey},${secret.otherApiKey}` },
      { wait: false },
    );
    const gateway = await startService('gateway', {
      LOG_LEVEL: 'debug',
      GATEWAY_JWT_SECRET: secret.jwtSecret,
    });
    services.push(ingest, gateway);
    outputs.push({ what: 'ingest', text: () => ingest.output.join('') });
    outputs.push({ what: 'gateway', text: () => gateway.output.join('') });
    await waitUntil('ingest listening', async () => {
      try {
        await fetch(`http://127.0.0.1:${ingest.port}/`);
        return true;
      } catch {
        return false;
      }
    });
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${ingest.port}/v1/threads/t1/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ author: { id: 'u1' }, body: 'hello' }),
      });
    // Kafka refuses the login, so a good key gets 503 (logged as a warning); a bad one 401.
    expect((await post({ 'x-api-key': secret.apiKey })).status).toBe(503);
    expect((await post({ authorization: `Bearer ${secret.otherApiKey}` })).status).toBe(503);
    expect((await post({ 'x-api-key': secret.wrongApiKey })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${secret.wrongApiKey}` })).status).toBe(401);

    const key = new TextEncoder().encode(secret.jwtSecret);
    const good = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(key);
    const forged = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(`${secret.wrongApiKey}-${secret.wrongApiKey}`));
    const expired = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(0)
      .sign(key);
    const tokens = { good, forged, expired, garbage: `garbage.${run}.token` };
    const statuses: Record<string, number> = {};
    for (const [name, token] of Object.entries(tokens)) {
      statuses[name] = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws?token=${token}`);
        ws.on('open', () => {
          ws.send(JSON.stringify({ op: 'subscribe', channel: 'user:u1' }));
          setTimeout(() => {
            ws.close();
            resolve(101);
          }, 200);
        });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', () => undefined);
      });
    }
    expect(statuses).toEqual({ good: 101, forged: 401, expired: 401, garbage: 401 });
    for (const [name, token] of Object.entries(tokens))
      (secret as Record<string, string>)[`token ${name}`] = token;
    // Let the debug logs of the last requests land.
    await sleep(500);
  });

  it('keeps API keys out of the one-line error of a misconfigured service', async () => {
    const bad = await runToEnd('ingest', {
      INGEST_API_KEYS: `${secret.apiKey},,${secret.otherApiKey}`,
      OPS_PORT: '0',
    });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('INGEST_API_KEYS');
    outputs.push({ what: 'ingest with a bad INGEST_API_KEYS', text: () => bad.out });
  });

  it('finds none of them in any of those outputs', () => {
    const leaks = outputs.flatMap(({ what, text }) =>
      Object.entries(secret)
        .filter(([, value]) => text().includes(value))
        .map(([name]) => `${name} in the output of ${what}`),
    );
    expect(leaks).toEqual([]);
    const lines = outputs.reduce((n, o) => n + o.text().split('\n').length, 0);
    console.log(
      `secrets in logs: ${Object.keys(secret).length} secrets checked in ${lines} log lines of ${outputs.length} processes: ${leaks.length} found`,
    );
  });
});
