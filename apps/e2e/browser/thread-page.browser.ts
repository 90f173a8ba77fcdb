import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { freePort, restartService, startPipeline } from '../test/services';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The flags the issue names: no sandbox (root in CI), no GPU, no background traffic. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const root = join(__dirname, '..', '..', '..');
/** Screenshots land here (git-ignored); README's docs/screenshot.png is one of them. */
const OUTPUT = join(__dirname, '..', 'test-output', 'browser');

/** Starts tools/scripts/serve-web.mjs on a free port; resolves once it prints its URL. */
async function serveWeb(
  ingestPort: number,
  gatewayPort: number,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(root, 'tools', 'scripts', 'serve-web.mjs'),
      `--port=${port}`,
      `--ingest-port=${ingestPort}`,
      `--gateway-port=${gatewayPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('web http://')) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve-web exited with ${code}: ${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

// Two browser windows on one thread, against the whole pipeline: what people see on `npm start`.
describe('the thread page in Chromium', () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let web: { child: ChildProcess; url: string };
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    // The page's origin is known only once its port is: allow any origin here (ingest and gateway).
    // The gateway runs as `npm start` runs it: development auth, so the page can get a demo
    // moderator token.
    pipeline = await startPipeline({
      ingest: { INGEST_CORS_ORIGINS: '*' },
      gateway: { GATEWAY_DEV_AUTH: 'true', GATEWAY_HOST: '127.0.0.1', GATEWAY_ALLOWED_ORIGINS: '*' },
    });
    web = await serveWeb(pipeline.ingest.port, pipeline.gateway.port);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    web?.child.kill('SIGTERM');
    await pipeline?.stop();
  });

  async function openPage(thread: string, name: string, viewport: { width: number; height: number }) {
    // A context each: two separate windows (own storage, own socket), as two people would have.
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
    page.on('dialog', (d) => {
      pageErrors.push(`${name}: a dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${web.url}/#${thread}`);
    await page.getByLabel('Your name').fill(name);
    return page;
  }

  const post = async (page: Page, body: string) => {
    await page.getByLabel(/^Comment/).fill(body);
    await page.getByRole('button', { name: 'Post' }).click();
  };
  const comment = (page: Page, text: string) => page.locator('#comments > li', { hasText: text });
  const newThread = (name: string) => `t-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const live = async (...pages: Page[]) => {
    for (const page of pages) await page.locator('#conn', { hasText: 'live' }).waitFor({ timeout: 30_000 });
  };
  /**
   * enrich learns a thread's new setting from the threads topic a moment after ingest's 202, so
   * a comment posted at once may still be routed by the old one: the reader posts probes until
   * one lands where the new setting sends it (held for the moderator, or on the thread).
   */
  const untilProbeLands = async (mod: Page, reader: Page, where: 'held' | 'thread') => {
    for (let i = 0; i < 20; i++) {
      const text = `probe-${where}-${i}.`;
      await post(reader, text);
      const held = mod.locator('#held > li', { hasText: text });
      const onThread = comment(mod, text);
      await held.or(onThread).waitFor({ timeout: 30_000 });
      if ((await (where === 'held' ? held : onThread).count()) > 0) return;
    }
    throw new Error(
      `no probe landed ${where === 'held' ? 'with the moderator' : 'on the thread'} in 20 tries`,
    );
  };
  /** Ada at a desktop window and Grace on a phone, both on the thread and live. */
  const twoWindows = async (thread: string) => {
    const a = await openPage(thread, 'Ada Lovelace', { width: 900, height: 700 });
    const b = await openPage(thread, 'Grace Hopper', { width: 390, height: 760 });
    await live(a, b);
    return { a, b };
  };

  it('shows a comment typed in one window in the other, presence 2, live votes, and inert scripts', async () => {
    const thread = `t-browser-${Math.random().toString(36).slice(2, 8)}`;
    const a = await openPage(thread, 'Ada Lovelace', { width: 900, height: 700 });
    // The second window is a phone.
    const b = await openPage(thread, 'Grace Hopper', { width: 390, height: 760 });

    // Presence counts client addresses: both windows come from 127.0.0.1 and count once, so a
    // reader on another loopback address makes the second.
    for (const page of [a, b]) {
      await page.locator('#conn', { hasText: 'live' }).waitFor();
      await page.locator('#presence', { hasText: '1 reading now' }).waitFor({ timeout: 30_000 });
    }
    const elsewhere = new WebSocket(`ws://127.0.0.1:${pipeline.gateway.port}/ws`, {
      localAddress: '127.0.0.2',
    });
    await new Promise((resolve, reject) => elsewhere.once('open', resolve).once('error', reject));
    elsewhere.send(JSON.stringify({ op: 'subscribe', channel: `thread:${thread}` }));
    for (const page of [a, b]) {
      await page.locator('#presence', { hasText: '2 reading now' }).waitFor({ timeout: 30_000 });
    }

    await post(a, 'Hello from **window A**');
    const seen = comment(b, 'Hello from window A');
    await seen.waitFor({ timeout: 30_000 });
    expect(await seen.locator('.body strong').textContent()).toBe('window A');
    expect(await seen.locator('.author').textContent()).toBe('Ada Lovelace');
    expect(await seen.locator('.avatar').textContent()).toBe('AL');
    await expect(b.locator('#latency').textContent()).resolves.toMatch(/^latency \d+ ms$/);
    // The form was cleared and keeps focus for the next comment.
    expect(await a.getByLabel(/^Comment/).inputValue()).toBe('');

    await post(b, 'A reply from the phone');
    await comment(a, 'A reply from the phone').waitFor({ timeout: 30_000 });

    // A vote in one window updates the score in both.
    await comment(b, 'Hello from window A')
      .getByRole('button', { name: /Vote up/ })
      .click();
    for (const page of [a, b]) {
      await comment(page, 'Hello from window A')
        .locator('.score', { hasText: /^1$/ })
        .waitFor({ timeout: 30_000 });
    }

    // Markup in a comment arrives escaped by enrich: shown as text, never run.
    const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> end';
    await post(a, hostile);
    const inert = comment(b, 'window.__pwned = 1');
    await inert.waitFor({ timeout: 30_000 });
    expect(await inert.locator('.body').textContent()).toContain('<script>window.__pwned = 1</script>');
    for (const page of [a, b]) {
      expect(await page.locator('#comments script, #comments img, #comments [onerror]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    }

    await a.screenshot({ path: join(OUTPUT, 'window-a.png'), fullPage: true });
    await b.screenshot({ path: join(OUTPUT, 'window-b-phone.png'), fullPage: true });

    // The other address leaves: presence drops to 1; the phone closing changes nothing (its
    // address still reads through window A).
    elsewhere.close();
    await a.locator('#presence', { hasText: '1 reading now' }).waitFor({ timeout: 30_000 });
    await b.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('lets the author edit and delete a comment, shown live in both windows, and nobody else', async () => {
    const { a, b } = await twoWindows(newThread('edit'));

    await post(a, 'First draft');
    await comment(b, 'First draft').waitFor({ timeout: 30_000 });
    await comment(a, 'First draft').getByRole('button', { name: 'Edit your comment' }).waitFor();
    // Grace sees Ada's comment without the author's controls.
    expect(
      await comment(b, 'First draft')
        .getByRole('button', { name: /your comment/ })
        .count(),
    ).toBe(0);

    await comment(a, 'First draft').getByRole('button', { name: 'Edit your comment' }).click();
    const box = a.getByRole('textbox', { name: 'Edit your comment' });
    // Votes, Edit and Delete step aside while the comment is being edited.
    expect(
      await comment(a, 'First draft')
        .getByRole('button', { name: /your comment|Vote/ })
        .count(),
    ).toBe(0);
    expect(await box.inputValue()).toBe('First draft');
    await box.fill('Second *draft*');
    await a.getByRole('button', { name: 'Save' }).click();
    for (const page of [a, b]) {
      const edited = comment(page, 'Second draft');
      await edited.waitFor({ timeout: 30_000 });
      expect(await edited.locator('.body em').textContent()).toBe('draft');
      expect(await edited.locator('time').textContent()).toContain('(edited)');
    }

    await comment(a, 'Second draft').getByRole('button', { name: 'Delete your comment' }).click();
    for (const page of [a, b]) {
      await page.locator('#comments > li .body', { hasText: '(deleted)' }).waitFor({ timeout: 30_000 });
      expect(await comment(page, 'Second draft').count()).toBe(0);
    }
    expect(await a.getByRole('button', { name: /your comment/ }).count()).toBe(0);
    await a.context().close();
    await b.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('shows a moderator the comments held for their forum, keeps them off the thread until approved, never a rejected one', async () => {
    const thread = newThread('mod');
    const forum = `f-${thread}`;
    const mod = await openPage(thread, 'Mo Derator', { width: 900, height: 900 });
    const reader = await openPage(thread, 'Grace Hopper', { width: 390, height: 760 });
    await live(mod, reader);

    await mod.locator('#mod summary').click();
    await mod.getByLabel('Forum', { exact: true }).fill(forum);
    await mod.getByRole('button', { name: 'Open moderator view' }).click();
    await mod.locator('#mod-status', { hasText: `Watching mod:${forum}` }).waitFor({ timeout: 30_000 });
    await mod.getByRole('button', { name: /Hold this thread/ }).click();
    await mod.locator('#mod-status', { hasText: 'are held' }).waitFor({ timeout: 30_000 });
    const stop = mod.getByRole('button', { name: /Stop holding this thread/ });
    expect(await stop.getAttribute('aria-pressed')).toBe('true');
    await untilProbeLands(mod, reader, 'held');

    await post(reader, 'Please approve me');
    const held = mod.locator('#held > li', { hasText: 'Please approve me' });
    await held.waitFor({ timeout: 30_000 });
    expect(await held.locator('.why').textContent()).toContain('held: premoderated');
    expect(await held.locator('.author').textContent()).toBe('Grace Hopper');
    await post(reader, 'Please reject me');
    const rejectMe = mod.locator('#held > li', { hasText: 'Please reject me' });
    await rejectMe.waitFor({ timeout: 30_000 });
    await mod.screenshot({ path: join(OUTPUT, 'moderator-view.png'), fullPage: true });

    // Approve: the comment leaves the held list and appears in the thread, for the reader too.
    await held.getByRole('button', { name: 'Approve this comment' }).click();
    for (const page of [mod, reader]) {
      const shown = comment(page, 'Please approve me');
      await shown.waitFor({ timeout: 30_000 });
      expect(await shown.locator('.author').textContent()).toBe('Grace Hopper');
    }
    await held.waitFor({ state: 'detached', timeout: 30_000 });
    await mod.locator('#mod-status', { hasText: 'approved' }).waitFor({ timeout: 30_000 });
    // Reject: it leaves the held list and never reaches the thread.
    await rejectMe.getByRole('button', { name: 'Reject this comment' }).click();
    await rejectMe.waitFor({ state: 'detached', timeout: 30_000 });
    await mod.locator('#mod-status', { hasText: 'rejected' }).waitFor({ timeout: 30_000 });

    // Held means held: a comment posted after it reaches the thread only once the hold is off.
    await stop.click();
    await mod.locator('#mod-status', { hasText: 'straight to the thread' }).waitFor({ timeout: 30_000 });
    await untilProbeLands(mod, reader, 'thread');
    await post(reader, 'Open again');
    for (const page of [mod, reader]) {
      await comment(page, 'Open again').waitFor({ timeout: 30_000 });
      expect(await comment(page, 'Please approve me').count()).toBe(1);
      expect(await comment(page, 'Please reject me').count()).toBe(0);
    }
    await mod.context().close();
    await reader.context().close();
    expect(pageErrors).toEqual([]);
  });

  it('rides out a gateway restart: "reconnecting", then every comment once, none lost', async () => {
    const { a, b } = await twoWindows(newThread('restart'));
    await post(a, 'Before the restart');
    await comment(b, 'Before the restart').waitFor({ timeout: 30_000 });

    expect(await pipeline.gateway.stop('SIGKILL')).toBeNull();
    for (const page of [a, b]) {
      await page.locator('#conn', { hasText: 'reconnecting' }).waitFor({ timeout: 30_000 });
    }
    // Ingest still takes comments while no gateway is up; they wait in Kafka.
    await post(a, 'While the gateway is down');
    // Accepted: the page clears the box only on ingest's 202.
    await a.waitForFunction(
      () => (document.getElementById('comment-body') as HTMLTextAreaElement).value === '',
    );
    expect(await a.locator('#form-error').textContent()).toBe('');
    pipeline.gateway = await restartService(pipeline.gateway);
    await live(a, b);
    await post(b, 'After the restart');

    const texts = ['Before the restart', 'While the gateway is down', 'After the restart'];
    for (const page of [a, b]) {
      await comment(page, 'After the restart').waitFor({ timeout: 30_000 });
      await comment(page, 'While the gateway is down').waitFor({ timeout: 30_000 });
      const shown = await page.locator('#comments > li .body').allTextContents();
      expect(shown.map((t) => t.trim())).toEqual(texts);
    }
    await a.context().close();
    await b.context().close();
    expect(pageErrors).toEqual([]);
  });
});
