/**
 * The moderator view: comments held back from threads (premoderated, or likely spam) arrive on
 * `mod:<forumId>`, which the gateway lets only moderator tokens read. The token is pasted, or
 * minted by a gateway running with the local development secret (GET /demo-token). It uses its
 * own connection: the reader's socket stays anonymous.
 */
import { createClient, type Client, type ClientState } from '@threadcast/client';
import { demoTokenUrl } from './demo-token-url';
import { avatarOf, metaLine } from './render-comment';
import { decidedFrom, heldFrom, threadIdFrom, type HeldView } from './thread-state';

export interface ModeratorViewOptions {
  gatewayUrl: string;
  userId(): string;
  currentThread(): string | undefined;
  ingest(path: string, method: string, body: unknown): Promise<unknown>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function createModeratorView(opts: ModeratorViewOptions): void {
  const els = {
    form: $<HTMLFormElement>('mod-form'),
    forum: $<HTMLInputElement>('mod-forum'),
    token: $<HTMLInputElement>('mod-token'),
    status: $('mod-status'),
    held: $<HTMLOListElement>('held'),
    hold: $<HTMLButtonElement>('hold-thread'),
  };
  /** The moderator connection; closing it ends its subscription too. */
  let watching: Client | undefined;
  const status = (text: string) => (els.status.textContent = text);

  const tokenFor = async (forumId: string): Promise<string> => {
    const pasted = els.token.value.trim();
    if (pasted) return pasted;
    const res = await fetch(demoTokenUrl(opts.gatewayUrl, opts.userId(), forumId), { cache: 'no-store' });
    const answer = (await res.json().catch(() => ({}))) as {
      token?: string;
      error?: { message?: string };
    };
    if (!res.ok || !answer.token) {
      throw new Error(answer.error?.message ?? `the gateway answered ${res.status}`);
    }
    return answer.token;
  };

  const itemOf = (id: string) =>
    [...els.held.querySelectorAll<HTMLLIElement>(':scope > li')].find((li) => li.dataset.id === id);

  /** Approve or reject: the item goes once the decision comes back on `mod:` (every moderator's view). */
  const decide = (held: HeldView, verdict: 'approve' | 'reject', buttons: HTMLButtonElement[]) => {
    for (const b of buttons) b.disabled = true;
    opts
      .ingest(`/v1/threads/${held.threadId}/comments/${held.id}/${verdict}`, 'POST', {
        moderatorId: opts.userId(),
      })
      .then(() => {
        // The decision may be back on mod: before ingest's answer is.
        if (itemOf(held.id))
          status(`${verdict === 'approve' ? 'Approving' : 'Rejecting'} comment ${held.id}…`);
      })
      .catch((err: Error) => {
        for (const b of buttons) b.disabled = false;
        status(`Could not ${verdict} the comment: ${err.message}`);
      });
  };

  const watch = (forumId: string, token: string) => {
    watching?.close();
    els.held.replaceChildren();
    const channel = `mod:${forumId}`;
    const client = createClient({
      url: opts.gatewayUrl,
      token,
      onStateChange(state: ClientState) {
        if (state === 'open') status(`Watching ${channel}: held comments appear below.`);
        else if (state === 'reconnecting') status(`Reconnecting to ${channel}…`);
      },
      onError: (code, message) => status(`${code}: ${message}`),
    });
    client.subscribe(channel, {
      onEvent(event) {
        // The client already dropped duplicates (by event id).
        const held = heldFrom(event);
        if (held && !itemOf(held.id)) els.held.append(heldItem(held, decide));
        const decided = decidedFrom(event);
        if (decided) {
          itemOf(decided.id)?.remove();
          status(`Comment ${decided.id} ${decided.verdict}.`);
        }
      },
      onError: (code, message) => status(`${code}: ${message}`),
    });
    watching = client;
  };

  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    const forumId = threadIdFrom(els.forum.value);
    if (!forumId) return status('A forum id is 1 to 128 letters, digits, _ . or -.');
    status('Getting a token…');
    tokenFor(forumId)
      .then((token) => watch(forumId, token))
      .catch((err: Error) => status(`No moderator token: ${err.message}`));
  });

  // Putting the open thread in the forum, premoderated, sends its new comments here instead.
  els.hold.addEventListener('click', () => {
    const thread = opts.currentThread();
    const forumId = threadIdFrom(els.forum.value);
    if (!thread || !forumId) return;
    const holding = els.hold.getAttribute('aria-pressed') !== 'true';
    const moderation = holding ? 'premoderated' : 'open';
    opts
      .ingest(`/v1/threads/${thread}`, 'PUT', { forumId, moderation })
      .then(() => {
        els.hold.setAttribute('aria-pressed', String(holding));
        els.hold.textContent = holding
          ? "Stop holding this thread's new comments"
          : "Hold this thread's new comments for the forum's moderators";
        status(
          holding
            ? `New comments in ${thread} are held for forum ${forumId}'s moderators.`
            : `New comments in ${thread} go straight to the thread again.`,
        );
      })
      .catch((err: Error) => status(`Could not change the thread: ${err.message}`));
  });
}

type Decide = (held: HeldView, verdict: 'approve' | 'reject', buttons: HTMLButtonElement[]) => void;

function heldItem(held: HeldView, decide: Decide): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'comment held';
  li.dataset.id = held.id;
  const head = metaLine(held.author, held.createdAt);
  const why = document.createElement('span');
  why.className = 'why';
  why.textContent = `held: ${held.reason}${held.detail ? ` (${held.detail})` : ''} · thread ${held.threadId}`;
  head.append(' ', why);
  const body = document.createElement('div');
  body.className = 'body';
  // Sanitized by enrich, like every comment's html.
  body.innerHTML = held.html;
  const approve = document.createElement('button');
  approve.type = 'button';
  approve.textContent = 'Approve';
  approve.setAttribute('aria-label', 'Approve this comment');
  const reject = document.createElement('button');
  reject.type = 'button';
  reject.textContent = 'Reject';
  reject.className = 'secondary';
  reject.setAttribute('aria-label', 'Reject this comment');
  const buttons = [approve, reject];
  approve.addEventListener('click', () => decide(held, 'approve', buttons));
  reject.addEventListener('click', () => decide(held, 'reject', buttons));
  const actions = document.createElement('div');
  actions.className = 'decide';
  actions.append(approve, reject);
  const content = document.createElement('div');
  content.className = 'content';
  content.append(head, body, actions);
  li.append(avatarOf(held.author), content);
  return li;
}
