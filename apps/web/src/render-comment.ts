/**
 * One comment's DOM: avatar, author, time, the sanitized body, vote buttons with the live score,
 * and for the reader's own comments Edit (inline form) and Delete. Rebuilt whole on every change
 * of the comment: a comment is a handful of nodes, and rebuilding keeps no stale state.
 */
import type { ClientAuthor } from '@threadcast/contracts';
import { initials, type CommentView } from './thread-state';

export interface CommentActions {
  vote(commentId: string, value: 1 | -1): void;
  /** Present for the reader's own comments. */
  own?: {
    /** The markdown to start an edit from. */
    source(commentId: string): string;
    edit(commentId: string, body: string): Promise<void>;
    remove(commentId: string): Promise<void>;
  };
}

export function renderComment(c: CommentView, li: HTMLLIElement, actions: CommentActions): void {
  li.replaceChildren();
  li.dataset.id = c.id;
  const body = document.createElement('div');
  body.className = 'body';
  if (c.deleted) body.textContent = '(deleted)';
  // enrich rendered the markdown and sanitized it: the gateway's html is safe to insert.
  else body.innerHTML = c.html;

  const tools = document.createElement('p');
  tools.className = 'votes';
  tools.append(
    button('▲', `Vote up the comment by ${c.author.name}`, () => actions.vote(c.id, 1)),
    score(c.score),
    button('▼', `Vote down the comment by ${c.author.name}`, () => actions.vote(c.id, -1)),
  );
  const own = actions.own;
  if (own) {
    const edit = button('Edit', 'Edit your comment', () => {
      tools.hidden = true;
      body.replaceWith(editForm(c, own, li, actions));
    });
    const remove = button('Delete', 'Delete your comment', () => {
      remove.disabled = true;
      own.remove(c.id).catch((err: Error) => {
        remove.disabled = false;
        showProblem(li, `Could not delete: ${err.message}`);
      });
    });
    edit.classList.add('secondary');
    remove.classList.add('secondary');
    tools.append(edit, remove);
  }

  const content = document.createElement('div');
  content.className = 'content';
  content.append(metaLine(c.author, c.createdAt, c.edited ? ' (edited)' : ''), body, tools);
  li.append(avatarOf(c.author), content);
}

/** The author's picture, or their initials. Decorative: the name is in the text beside it. */
export function avatarOf(author: ClientAuthor): HTMLElement {
  const avatar = document.createElement(author.avatarUrl ? 'img' : 'span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  if (avatar instanceof HTMLImageElement) {
    avatar.src = author.avatarUrl!;
    avatar.alt = '';
  } else avatar.textContent = initials(author.name);
  return avatar;
}

/** "<strong>Name</strong> <time>12:03</time>", with `timeSuffix` after the time. */
export function metaLine(author: ClientAuthor, createdAt: string, timeSuffix = ''): HTMLParagraphElement {
  const head = document.createElement('p');
  head.className = 'meta';
  const who = document.createElement('strong');
  who.className = 'author';
  who.textContent = author.name;
  const when = document.createElement('time');
  when.dateTime = createdAt;
  when.textContent = timeText(createdAt) + timeSuffix;
  head.append(who, ' ', when);
  return head;
}

function editForm(
  c: CommentView,
  own: NonNullable<CommentActions['own']>,
  li: HTMLLIElement,
  actions: CommentActions,
): HTMLFormElement {
  const form = document.createElement('form');
  form.className = 'edit-form';
  const id = `edit-${c.id}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = 'Edit your comment';
  const text = document.createElement('textarea');
  text.id = id;
  text.required = true;
  text.maxLength = 10_000;
  text.rows = 3;
  text.value = own.source(c.id);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const cancel = button('Cancel', 'Cancel the edit', () => renderComment(c, li, actions));
  cancel.classList.add('secondary');
  const row = document.createElement('p');
  row.className = 'votes';
  row.append(save, cancel);
  form.append(label, text, row);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    save.disabled = true;
    // The edit shows when its event comes back through the pipeline, like everyone else's.
    own
      .edit(c.id, text.value)
      .then(() => renderComment(c, li, actions))
      .catch((err: Error) => {
        save.disabled = false;
        showProblem(li, `Could not save: ${err.message}`);
      });
  });
  queueMicrotask(() => text.focus());
  return form;
}

function button(text: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function score(value: number): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = 'score';
  s.textContent = String(value);
  s.setAttribute('aria-label', `score ${value}`);
  return s;
}

function showProblem(li: HTMLLIElement, message: string): void {
  let p = li.querySelector<HTMLParagraphElement>('.error');
  if (!p) {
    p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    li.querySelector('.content')?.append(p);
  }
  p.textContent = message;
}

function timeText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
