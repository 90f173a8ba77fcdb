/**
 * The demo thread page: pick a thread, see its comments arrive live through libs/client, post
 * through ingest, and watch "N reading now" and the accept-to-shown latency.
 */
import { createClient, type Client, type ClientState, type Subscription } from '@threadcast/client';
import type { ClientEvent } from '@threadcast/contracts';
import { createModeratorView } from './moderator-view';
import { renderComment, type CommentActions } from './render-comment';
import {
  apply,
  emptyThread,
  isOwn,
  latencyMs,
  presenceText,
  threadIdFrom,
  userIdFor,
  type CommentView,
  type ThreadState,
} from './thread-state';

interface PageConfig {
  ingestUrl: string;
  gatewayUrl: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const els = {
  conn: $('conn'),
  presence: $('presence'),
  latency: $('latency'),
  threadForm: $<HTMLFormElement>('thread-form'),
  threadInput: $<HTMLInputElement>('thread-id'),
  threadList: $<HTMLDataListElement>('thread-list'),
  title: $('thread-title'),
  comments: $<HTMLOListElement>('comments'),
  empty: $('empty'),
  form: $<HTMLFormElement>('comment-form'),
  name: $<HTMLInputElement>('author-name'),
  body: $<HTMLTextAreaElement>('comment-body'),
  post: $<HTMLButtonElement>('post'),
  error: $('form-error'),
};

const STATE_TEXT: Record<ClientState, string> = {
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
};

/** Gateway and ingest addresses: /config.json from the static server, else this host's defaults. */
async function loadConfig(): Promise<PageConfig> {
  const host = location.hostname || 'localhost';
  const fallback = { ingestUrl: `http://${host}:8080`, gatewayUrl: `ws://${host}:8090/ws` };
  try {
    const res = await fetch('./config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    return { ...fallback, ...((await res.json()) as Partial<PageConfig>) };
  } catch {
    return fallback;
  }
}

/** One id per browser profile, so votes count once per reader. */
function browserSuffix(): string {
  const key = 'threadcast.suffix';
  let v = localStorage.getItem(key);
  if (!v) {
    v = Math.random().toString(36).slice(2, 8);
    localStorage.setItem(key, v);
  }
  return v;
}

async function main() {
  const config = await loadConfig();
  const suffix = browserSuffix();
  let thread: { id: string; state: ThreadState; sub: Subscription } | undefined;
  const items = new Map<string, HTMLLIElement>();

  const client: Client = createClient({
    url: config.gatewayUrl,
    onStateChange(state) {
      els.conn.textContent = STATE_TEXT[state];
      els.conn.dataset.state = state;
    },
    onError(code, message) {
      console.warn(`gateway: ${code}: ${message}`);
    },
  });

  const userId = () => userIdFor(els.name.value, suffix);

  const vote = async (commentId: string, value: 1 | -1) => {
    if (!thread) return;
    await ingest(`/v1/threads/${thread.id}/comments/${commentId}/votes`, 'POST', { userId: userId(), value });
  };

  /** Markdown of the comments this page posted, to start an edit from. */
  const sources = new Map<string, string>();
  const ownActions: NonNullable<CommentActions['own']> = {
    source: (id) => sources.get(id) ?? items.get(id)?.querySelector('.body')?.textContent ?? '',
    async edit(id, body) {
      if (!thread) return;
      await ingest(`/v1/threads/${thread.id}/comments/${id}`, 'PATCH', { body, editorId: userId() });
      sources.set(id, body);
    },
    async remove(id) {
      if (!thread) return;
      await ingest(`/v1/threads/${thread.id}/comments/${id}`, 'DELETE', { deletedBy: userId() });
    },
  };
  const render = (c: CommentView, li: HTMLLIElement) =>
    renderComment(c, li, {
      vote: (id, value) =>
        void vote(id, value).catch((err: Error) => showError(`Could not vote: ${err.message}`)),
      own: isOwn(c, userId()) ? ownActions : undefined,
    });

  const onEvent = (event: ClientEvent) => {
    if (!thread) return;
    const change = apply(thread.state, event);
    if (!change) return;
    if (change.kind === 'added') {
      const li = document.createElement('li');
      li.className = 'comment';
      render(change.comment, li);
      items.set(change.comment.id, li);
      els.comments.append(li);
      els.empty.hidden = true;
      const ms = latencyMs(change.comment.createdAt, Date.now());
      if (ms !== undefined) {
        els.latency.textContent = `latency ${ms} ms`;
        els.latency.title = 'from ingest accepting the comment to this page showing it';
      }
    } else {
      const li = items.get(change.comment.id);
      if (li) render(change.comment, li);
    }
  };

  const open = (id: string) => {
    if (thread?.id === id) return;
    thread?.sub.unsubscribe();
    items.clear();
    els.comments.replaceChildren();
    els.empty.hidden = false;
    els.presence.textContent = '– reading now';
    els.latency.textContent = 'latency –';
    els.title.textContent = `Thread ${id}`;
    els.threadInput.value = id;
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    const state = emptyThread();
    const sub = client.subscribe(`thread:${id}`, {
      onEvent,
      onPresence: (count) => (els.presence.textContent = presenceText(count)),
      onReset: () => console.warn('the thread could not be resumed; some events were missed'),
      onError: (code, message) => showError(`${code}: ${message}`),
    });
    thread = { id, state, sub };
    rememberThread(id);
  };

  const rememberThread = (id: string) => {
    const key = 'threadcast.threads';
    const known = new Set<string>(JSON.parse(localStorage.getItem(key) ?? '[]') as string[]);
    known.add(id);
    localStorage.setItem(key, JSON.stringify([...known].slice(-20)));
    els.threadList.replaceChildren(
      ...[...known].map((t) => {
        const o = document.createElement('option');
        o.value = t;
        return o;
      }),
    );
  };

  const showError = (message: string) => {
    els.error.textContent = message;
  };

  const ingest = async (path: string, method: string, body: unknown) => {
    const res = await fetch(`${config.ingestUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const answer = (await res.json().catch(() => undefined)) as
        { error?: { message?: string } } | undefined;
      throw new Error(answer?.error?.message ?? `ingest answered ${res.status}`);
    }
    return res.json() as Promise<unknown>;
  };

  let namedAs: string | undefined;
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!thread) return;
    const name = els.name.value.trim();
    const body = els.body.value;
    if (!name || !body.trim()) return;
    els.post.disabled = true;
    showError('');
    const id = userId();
    void (async () => {
      try {
        if (namedAs !== id) {
          await ingest(`/v1/users/${id}`, 'PUT', { name });
          namedAs = id;
          localStorage.setItem('threadcast.name', name);
        }
        const answer = (await ingest(`/v1/threads/${thread.id}/comments`, 'POST', {
          author: { id, name },
          body,
        })) as { id: string };
        sources.set(answer.id, body);
        // Its event may have come back before this answer did: show Edit and Delete on it now.
        const comment = thread.state.comments.get(answer.id);
        const li = items.get(answer.id);
        if (comment && li) render(comment, li);
        els.body.value = '';
      } catch (err) {
        showError(`Could not post: ${(err as Error).message}`);
      } finally {
        els.post.disabled = false;
        els.body.focus();
      }
    })();
  });

  els.threadForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = threadIdFrom(els.threadInput.value);
    if (id) open(id);
    else els.threadInput.setCustomValidity('letters, digits, . _ - only');
  });
  els.threadInput.addEventListener('input', () => els.threadInput.setCustomValidity(''));
  window.addEventListener('hashchange', () => {
    const id = threadIdFrom(location.hash);
    if (id) open(id);
  });

  createModeratorView({ gatewayUrl: config.gatewayUrl, userId, currentThread: () => thread?.id, ingest });

  els.name.value = localStorage.getItem('threadcast.name') ?? '';
  open(threadIdFrom(location.hash) ?? 't-hello');
}

void main();
