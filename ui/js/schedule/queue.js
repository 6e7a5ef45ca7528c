// @ts-check
// The Queue view: what is scheduled, per account and soonest first — its local time, first words,
// the first image (the staged copy's preview, with its alt text), accounts and where it stands
// (scheduled · due · held, and from the outbox: waiting for connection · failed) — with Edit (in
// the composer: ../composer/editing.js), Reschedule… (the picker), Send now and Cancel with Undo, or
// Edit and Retry for a post that failed. Below, the posts that reached every account, newest first,
// with a link per account: the history Rust keeps in the database (whichever process sent them),
// re-read with the queue.
// A long queue is listed a page at a time per account, soonest first, with "Show more" below: a
// thousand posts laid out at once took the view half a second to open (BENCHMARKS.md › Queue).
// Cancel is undoable without risk: the post is only hidden while Undo is offered, and cancelled in
// Rust when the offer ends; a window closed meanwhile leaves it queued, never lost. A post due
// before the offer would end is cancelled at once, so Undo can never let it go out meanwhile.
import * as api from '../api.js';
import { PASSES_BY_ITSELF } from '../api.js';
import { byId, h, actionButton, setBusy } from '../dom.js';
import { localDateTime, shortDateTime } from '../time.js';
import { pickTime } from './picker.js';

/** @typedef {import('../ipc').OutboxEntry} OutboxEntry */
/** @typedef {import('../ipc').Posted} Posted */

const UNDO_MS = 8000;
/** How many posts of an account are listed at first, and how many more each "Show more" adds. */
const PAGE = 50;

/**
 * How many posts each account's list shows (by account), kept while the window is open so that a
 * re-read (after any change) does not fold a list the person unfolded.
 * @type {Map<string, number>}
 */
const shownPerAccount = new Map();
/** The rows listed last, for "Show more" to list more of without reading the queue again. */
let listed = [];

/** @type {{ id: string, timer: ReturnType<typeof setTimeout> } | null} */
let pendingCancel = null;
/**
 * The previews of the thumbnails shown, by staged path (a staged copy never changes, so a preview
 * is fetched once while its post is listed): the queue is re-read on every change, the images not.
 * @type {Map<string, Promise<string | null>>}
 */
const previews = new Map();
let loading = null;
/** did → when its sign-in with Bluesky ends (ms since the epoch), for the accounts that have one. */
let signInEnds = new Map();

const STATES = {
  scheduled: 'Scheduled',
  due: 'Due — sending',
  held: 'Held: its time passed long ago',
  needsReconnection: 'Waits for an account to be reconnected (Settings › Connected accounts)',
  waiting: 'Waiting for connection',
  retrying: 'Sent again by itself soon',
  failed: 'Failed',
};

const at = (account) => `@${account.handle || account.account}`;

/** Says `message` to screen readers from the Queue view (also after another view sent the person here). */
export function announce(message) {
  const region = byId('queue-announce');
  region.textContent = '';
  if (message) setTimeout(() => { region.textContent = message; }, 50);
}

/** The first words of a composition, for lists and announcements. */
function firstWords(entry) {
  return opening(entry.composition.posts.map((post) => post.text ?? '').join(' '));
}

/** The opening of `text` on one line, at most 80 characters. */
function opening(text) {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line) return '(no text)';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/**
 * The first image of the first post, as a thumbnail with its alt text, shown once its preview has
 * loaded (no empty box meanwhile, none at all without an image or when the copy cannot be read).
 */
function thumbnail(entry) {
  const image = entry.composition.posts[0]?.images?.[0];
  if (!image?.path) return null;
  const img = /** @type {HTMLImageElement} */ (h('img', { class: 'queue-thumb', alt: image.alt ?? '', hidden: true }));
  if (!previews.has(image.path)) {
    previews.set(image.path, api.previewImage(image.path).then((preview) => preview.previewUrl, () => null));
  }
  previews.get(image.path)?.then((url) => {
    if (!url) return;
    img.src = url;
    img.hidden = false;
  });
  return img;
}

/** An outbox row that went out and did not reach every account: waiting for connection, to be sent
 * again by itself (the server had trouble or rate-limited it), or failed (waits for the person). */
function outboxState(entry) {
  const failed = entry.accounts.filter((a) => a.state === 'failed');
  if (!failed.length) return null;
  if (!failed.every((a) => PASSES_BY_ITSELF.includes(a.error?.code ?? ''))) return 'failed';
  return failed.some((a) => a.error?.code === 'network') ? 'waiting' : 'retrying';
}

function item(entry, state) {
  const posts = entry.composition.posts;
  const images = posts.reduce((sum, post) => sum + (post.images?.length ?? 0), 0);
  const when = entry.due?.at ?? entry.createdAt;
  const notes = [
    posts.length > 1 ? `Thread of ${posts.length} posts` : null,
    images ? (images === 1 ? '1 image' : `${images} images`) : null,
    `To ${entry.accounts.map(at).join(', ')}`,
  ].filter(Boolean).join(' · ');
  const words = firstWords(entry);
  const scheduled = ['scheduled', 'due', 'held', 'needsReconnection'].includes(state);
  const edit = h('button', { type: 'button', class: 'btn queue-edit', 'aria-label': `Edit: ${words}` }, 'Edit');
  const actions = scheduled
    ? [
        edit,
        h('button', { type: 'button', class: 'btn queue-reschedule', 'aria-label': `Reschedule: ${words}` }, 'Reschedule…'),
        actionButton('queue-send', 'Send now', { 'aria-label': `Send now: ${words}` }),
        h('button', { type: 'button', class: 'btn btn-ghost queue-cancel', 'aria-label': `Cancel: ${words}` }, 'Cancel'),
      ]
    : [edit, actionButton('queue-retry', 'Retry', { 'aria-label': `Retry: ${words}` })];
  // A post that went out to some accounts says which have it (and keep it, whatever an edit
  // changes) and why the others do not.
  const reasons = ['failed', 'waiting', 'retrying'].includes(state) ? entry.accounts.map(accountLine) : [];
  // A scheduled post due after an account's sign-in with Bluesky ends would wait for a new one.
  const due = Date.parse(entry.due?.at ?? '');
  const ending = scheduled ? entry.accounts.filter((account) => signInEnds.get(account.account) < due) : [];
  const endingNotes = ending.map((account) => h('p', { class: 'queue-warning' },
    `The sign-in of ${at(account)} ends ${shortDateTime(new Date(signInEnds.get(account.account) ?? 0).toISOString())}, ` +
    'before this is due: sign in again in Settings › Connected accounts, or it waits for you.'));
  return h('li', { class: 'queue-item', 'data-id': entry.id, 'data-state': state },
    h('div', { class: 'queue-when' },
      h('time', { datetime: when, title: localDateTime(when) }, shortDateTime(when)),
      h('span', { class: 'queue-state', 'data-state': state }, STATES[state])),
    thumbnail(entry),
    h('p', { class: 'queue-words' }, words),
    h('p', { class: 'queue-notes muted' }, notes),
    reasons.length ? h('ul', { class: 'queue-reasons' }, reasons) : null,
    ...endingNotes,
    h('div', { class: 'queue-actions' }, actions));
}

/** Renders the queue: a section per account, each soonest first, a page of posts at a time. */
function render(rows) {
  listed = rows;
  const byAccount = new Map();
  for (const row of rows) {
    for (const account of row.entry.accounts) {
      const key = account.account;
      if (!byAccount.has(key)) byAccount.set(key, { title: at(account), items: [] });
      byAccount.get(key).items.push(row);
    }
  }
  const sections = [...byAccount].map(([key, { title, items }], i) => {
    const when = ({ entry }) => Date.parse(entry.due?.at ?? entry.createdAt);
    items.sort((a, b) => when(a) - when(b));
    const shown = shownPerAccount.get(key) ?? PAGE;
    const hidden = items.length - shown;
    return h('section', { class: 'queue-account', 'data-account': key, 'aria-labelledby': `queue-account-${i}` },
      h('h2', { id: `queue-account-${i}` }, title),
      h('ol', { class: 'queue-list' }, items.slice(0, shown).map(({ entry, state }) => item(entry, state))),
      hidden > 0
        ? h('button', { type: 'button', class: 'btn queue-more',
          'aria-label': `Show ${Math.min(hidden, PAGE)} more (${hidden} not shown), posts to ${title}` },
        `Show ${Math.min(hidden, PAGE)} more (${hidden} not shown)`)
        : null);
  });
  byId('queue-groups').replaceChildren(...sections);
  byId('queue-empty').hidden = rows.length > 0;
  // Only the previews of the images listed are kept.
  const kept = new Set(rows.map(({ entry }) => entry.composition.posts[0]?.images?.[0]?.path));
  for (const path of previews.keys()) if (!kept.has(path)) previews.delete(path);
}

/** Lists the next page of `account`'s posts and puts keyboard focus on the first of them. */
function showMore(account) {
  const before = shownPerAccount.get(account) ?? PAGE;
  shownPerAccount.set(account, before + PAGE);
  render(listed);
  const section = byId('queue-groups').querySelector(`.queue-account[data-account="${CSS.escape(account)}"]`);
  /** @type {HTMLElement | null | undefined} */ (section?.querySelector(`.queue-list > li:nth-child(${before + 1}) .queue-edit`))?.focus();
}

/** Renders the posts sent, newest first: when (local time), first words, a link per account. */
function renderHistory(/** @type {Posted[]} */ posted) {
  byId('queue-history-empty').hidden = posted.length > 0;
  byId('queue-history-hint').hidden = posted.length === 0;
  byId('queue-history-list').replaceChildren(...posted.map((post) => {
    const words = opening(post.text);
    return h('li', { class: 'queue-sent', 'data-id': post.id },
      h('p', { class: 'queue-when' },
        h('time', { datetime: post.postedAt, title: localDateTime(post.postedAt) }, shortDateTime(post.postedAt)),
        post.posts > 1 ? h('span', { class: 'queue-notes muted' }, `Thread of ${post.posts} posts`) : null),
      h('p', { class: 'queue-words' }, words),
      h('ul', { class: 'queue-links' }, post.accounts.map((account) => h('li', {},
        h('a', { class: 'queue-post-link', href: account.url, target: '_blank', rel: 'noopener noreferrer',
          'aria-label': `View on Bluesky (${at(account)}): ${words}` },
        `View on Bluesky (${at(account)})`)))));
  }));
}

/** Re-reads the queue and the outbox (cheap: nothing is looked up or sent). */
export function loadQueue() {
  loading ??= (async () => {
    try {
      const [queued, outbox, posted, accounts] = await Promise.all([
        api.scheduledPosts(), api.outboxEntries(), api.postedHistory(), api.listAccounts().catch(() => []),
      ]);
      signInEnds = new Map(accounts
        .filter((account) => account.signIn?.kind === 'oauth' && account.signIn.expiresAt)
        .map((account) => [account.did, Date.parse(account.signIn.expiresAt ?? '')]));
      const inQueue = new Set(queued.map((row) => row.id));
      /** @type {{ entry: OutboxEntry, state: string }[]} */
      const rows = queued.map((row) => ({ entry: row, state: row.state }));
      for (const entry of outbox) {
        const state = inQueue.has(entry.id) ? null : outboxState(entry);
        if (state) rows.push({ entry, state });
      }
      render(rows.filter((row) => row.entry.id !== pendingCancel?.id));
      renderHistory(posted);
      byId('queue-error').textContent = '';
    } catch (err) {
      byId('queue-error').textContent = `Couldn't read the queue: ${err.message}`;
    } finally {
      byId('queue-loading').hidden = true;
      loading = null;
    }
  })();
  return loading;
}

async function reschedule(entry) {
  const result = { due: /** @type {string | null} */ (null) };
  const moved = await pickTime({
    title: 'Reschedule post',
    confirmLabel: 'Reschedule',
    initial: entry.due?.at ?? null,
    pick: async (time) => { result.due = (await api.reschedulePost(entry.id, time)).due?.at ?? null; },
  });
  if (moved) {
    await loadQueue();
    announce(result.due ? `Rescheduled to ${localDateTime(result.due)}.` : 'Rescheduled.');
  }
}

async function sendNow(button, entry) {
  setBusy(button, true, 'Sending…');
  try {
    const sent = await api.sendScheduledNow(entry.id);
    const posted = sent.accounts.every((a) => a.state === 'posted');
    announce(posted ? 'Posted. The links are under Posted.' : 'Not posted everywhere: it is listed as failed, with why.');
  } catch (err) {
    announce(`Couldn't send it: ${err.message}`);
    byId('queue-error').textContent = `Couldn't send it: ${err.message}`;
  } finally {
    if (button.isConnected) setBusy(button, false);
  }
  await loadQueue();
}

async function retry(button, id) {
  setBusy(button, true, 'Sending…');
  try {
    const sent = await api.retryPost(id, api.newTicket());
    if (sent.accounts.every((a) => a.state === 'posted')) announce('Posted. The links are under Posted.');
  } catch (err) {
    byId('queue-error').textContent = `Couldn't send it: ${err.message}`;
  } finally {
    if (button.isConnected) setBusy(button, false);
  }
  await loadQueue();
}

/** Cancels the post whose Undo is on offer (if any): the offer ends. */
async function endUndo() {
  if (!pendingCancel) return;
  const { id, timer } = pendingCancel;
  clearTimeout(timer);
  pendingCancel = null;
  byId('queue-toast').hidden = true;
  try {
    await api.cancelScheduled(id);
  } catch (err) {
    byId('queue-error').textContent = `Couldn't cancel it: ${err.message}`;
  }
  await loadQueue();
}

async function cancel(entry) {
  await endUndo();
  const words = firstWords(entry);
  const dueIn = Date.parse(entry.due?.at ?? '') - Date.now();
  if (!(dueIn > UNDO_MS + 5000)) {
    // Its time comes before Undo would end: cancelled now, so it cannot go out meanwhile.
    try {
      await api.cancelScheduled(entry.id);
      announce(`Cancelled: ${words}`);
    } catch (err) {
      byId('queue-error').textContent = `Couldn't cancel it: ${err.message}`;
    }
    await loadQueue();
    byId('queue-title').focus();
    return;
  }
  pendingCancel = { id: entry.id, timer: setTimeout(endUndo, UNDO_MS) };
  byId('queue-toast-text').textContent = `Cancelled: ${words}`;
  byId('queue-toast').hidden = false;
  await loadQueue();
  byId('queue-toast-undo').focus();
  announce(`Cancelled: ${words}. Undo is available for ${UNDO_MS / 1000} seconds.`);
}

async function undo() {
  if (!pendingCancel) return;
  clearTimeout(pendingCancel.timer);
  const { id } = pendingCancel;
  pendingCancel = null;
  byId('queue-toast').hidden = true;
  await loadQueue();
  announce('Not cancelled: the post is back in the queue.');
  /** @type {HTMLElement | null} */ (document.querySelector(`.queue-item[data-id="${CSS.escape(id)}"] .queue-cancel`) ?? byId('queue-title'))?.focus();
}

/** The Queue's posts as they stand now: the queue's, then the outbox's. */
async function currentEntry(id) {
  const queued = await api.scheduledPosts().catch(() => []);
  return queued.find((row) => row.id === id)
    ?? (await api.outboxEntries().catch(() => [])).find((row) => row.id === id);
}

/** Where a post that went out stands on one account: its link, why it failed, or not sent yet. */
function accountLine(account) {
  if (account.state === 'posted') {
    return h('li', {}, h('a', { class: 'queue-post-link', href: account.posts[0]?.url ?? '#', target: '_blank', rel: 'noopener noreferrer' },
      `Posted as ${at(account)}: view on Bluesky`), ' (keeps what it got)');
  }
  return h('li', {}, `${at(account)}: ${account.state === 'failed' ? account.error?.message ?? 'failed' : 'not sent yet'}`);
}

/** Opens a post's link in the browser, never inside the app's own window. */
function openPostLink(event) {
  const link = /** @type {HTMLAnchorElement | null} */ (/** @type {Element} */ (event.target).closest('a.queue-post-link'));
  if (!link) return;
  event.preventDefault();
  api.openExternal(link.href).catch(() => announce(`Couldn't open your browser. The post is at ${link.href}`));
}

/** `onEdit(entry)` opens a post in the composer for editing. */
export function initQueue({ onEdit }) {
  byId('queue-groups').addEventListener('click', async (event) => {
    const target = /** @type {Element} */ (event.target);
    const li = target.closest('.queue-item');
    const button = /** @type {HTMLButtonElement | null} */ (target.closest('button'));
    if (button?.classList.contains('queue-more')) {
      showMore(/** @type {HTMLElement | null} */ (button.closest('.queue-account'))?.dataset.account ?? '');
      return;
    }
    if (!li || !button || button.disabled) return;
    const id = /** @type {HTMLElement} */ (li).dataset.id ?? '';
    const entry = await currentEntry(id);
    if (button.classList.contains('queue-retry')) {
      retry(button, id);
    } else if (!entry) {
      byId('queue-error').textContent = 'That post is no longer in the queue: it was sent or cancelled.';
      loadQueue();
    } else if (button.classList.contains('queue-edit')) {
      onEdit(entry);
    } else if (button.classList.contains('queue-reschedule')) {
      reschedule(entry);
    } else if (button.classList.contains('queue-send')) {
      sendNow(button, entry);
    } else if (button.classList.contains('queue-cancel')) {
      cancel(entry);
    }
  });
  byId('queue-groups').addEventListener('click', openPostLink);
  byId('queue-history-list').addEventListener('click', openPostLink);
  byId('queue-toast-undo').addEventListener('click', undo);
  // Leaving the view ends the offer, as the drafts' Undo does when another is offered. The lists
  // go with it: the next open says "Loading the queue…" until its own read is listed. Stale lists
  // shown and then replaced cost WebKit about 250 ms more per open (BENCHMARKS.md › Queue).
  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/') || location.hash === '#/queue') return;
    endUndo();
    byId('queue-groups').replaceChildren();
    byId('queue-history-list').replaceChildren();
    byId('queue-empty').hidden = true;
    byId('queue-loading').hidden = false;
  });
  // A post went out: sent by the window's sender (this event), or by the composer's Post or Retry
  // (the page's own `hayon-posted`, composer/post.js). Another process's sends come as data-changed.
  api.onQueueSent(() => loadQueue()).catch(() => { /* no event permission: the list is re-read on focus */ });
  window.addEventListener('hayon-posted', () => { if (!byId('view-queue').hidden) loadQueue(); });
}
