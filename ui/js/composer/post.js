// @ts-check
// Sending the thread: the progress indicator (#post-progress) fed by Rust's stages, and the outcome
// per account (#post-results) — a link to each new post, or why that account failed, and "Retry
// failed", which sends the same outbox entry again to the accounts that failed (never a second copy
// to the others), and "Remove from outbox", which gives up on it (its draft stays). At start, a thread
// that was still being posted when Hayon stopped is shown the same way. While a video goes to
// Bluesky (its upload, then the service's processing), Cancel (#post-cancel) stops the send before
// it is written: nothing is posted and the composer keeps everything.
import * as api from '../api.js';
import { PASSES_BY_ITSELF } from '../api.js';
import { byId, h, setBusy } from '../dom.js';

const STAGES = {
  start: [0, 'Getting ready…'],
  preparingImages: [1, 'Preparing images…'],
  fetchingLinkCard: [2, 'Fetching the link preview…'],
  uploading: [3, 'Posting…'],
  done: [4, 'Done'],
};

let retryId = null;
/** @type {(id: string) => Promise<unknown>} */
let onRetry = async () => null;
/** The ticket of the send under way (what Cancel names it by), or null. */
let ticket = null;

export function initPostResults({ onDismiss, onDiscard }) {
  byId('post-cancel').addEventListener('click', () => {
    if (ticket === null) return;
    setBusy(byId('post-cancel'), true, 'Cancelling…');
    // A failed call leaves the send going: the button comes back to be pressed again.
    api.cancelPosting(ticket).catch(() => setBusy(byId('post-cancel'), false));
  });
  byId('post-results').addEventListener('click', (event) => {
    const target = /** @type {Element} */ (event.target);
    const link = /** @type {HTMLAnchorElement} */ (target.closest('a.post-link'));
    if (link) {
      // Open in the browser, never inside the app's own window.
      event.preventDefault();
      api.openExternal(link.href).catch(() => {
        byId('post-results-note').textContent = `Couldn't open your browser. The post is at ${link.href}`;
      });
    } else if (target.closest('#post-results-dismiss')) {
      hideResults();
      onDismiss();
    } else if (target.closest('#post-retry') && retryId !== null) {
      onRetry(retryId);
    } else if (target.closest('#post-discard') && retryId !== null) {
      onDiscard(retryId);
    }
  });
}

/**
 * Posts `composition` from `draft`, the draft Rust deletes once every account has the thread; or
 * retries the outbox entry `id` (which keeps its own draft) when `composition` is null. Feeds
 * #post-progress (which the caller shows and hides). Resolves with `{ id, accounts }` (see
 * `api.post`).
 */
export async function sendPost(composition, id = null, draft = null) {
  hideResults();
  ticket = api.newTicket();
  showStage('start');
  setBusy(byId('post-retry'), false);
  const sending = composition ? api.post(composition, draft, ticket, showStage) : api.retryPost(id, ticket, showStage);
  return sending.finally(() => {
    ticket = null;
    showCancel(false);
    // The Queue's list of posts sent re-reads itself (schedule/queue.js), whatever the outcome.
    window.dispatchEvent(new Event('hayon-posted'));
  });
}

/** Cancel beside the progress: shown while a video is uploaded or processed. */
function showCancel(shown) {
  const button = byId('post-cancel');
  if (!shown) setBusy(button, false);
  button.hidden = !shown;
}

/** The outbox entry whose outcome is shown with Retry, or null. */
export const shownEntry = () => retryId;

/** The step and words of a stage; a video's carry how far it has gone. */
function stageWords(stage) {
  if (typeof stage === 'object' && 'uploadingVideo' in stage) return [3, `Uploading the video… ${stage.uploadingVideo.percent}%`];
  if (typeof stage === 'object' && 'processingVideo' in stage) {
    return [3, `Bluesky is processing the video… ${stage.processingVideo.percent}%`];
  }
  return STAGES[/** @type {string} */ (stage)] ?? STAGES.uploading;
}

function showStage(stage) {
  const [step, text] = stageWords(stage);
  const bar = byId('post-progress');
  bar.dataset.stage = String(step);
  bar.setAttribute('aria-valuenow', String(step));
  bar.setAttribute('aria-valuetext', text);
  byId('post-progress-text').textContent = text;
  const video = typeof stage === 'object' && ('uploadingVideo' in stage || 'processingVideo' in stage);
  if (video && ticket !== null && byId('post-cancel').hidden) showCancel(true);
  if (stage === 'done') showCancel(false);
}

export function hideResults() {
  byId('post-results').hidden = true;
  byId('post-results-list').replaceChildren();
  byId('post-results-note').textContent = '';
  byId('post-retry').hidden = true;
  byId('post-discard').hidden = true;
  retryId = null;
}

const at = (r) => `@${r.handle || r.account}`;

/** An account the network (or the server's rate limit or trouble) kept out: the queue's sender tries it again. */
const waitsForConnection = (r) => r.state === 'failed' && PASSES_BY_ITSELF.includes(r.error?.code ?? '');

/** The links of one account's posts: one for a single post, one per post of a thread. */
function postLinks(r) {
  const { posts } = r;
  if (posts.length === 1) {
    return h('a', { class: 'post-link', href: posts[0].url, target: '_blank', rel: 'noopener noreferrer' }, `View post on Bluesky (${at(r)})`);
  }
  return h('span', {}, h('strong', {}, at(r)), ': thread posted — ',
    posts.map((p, i) => [i ? ' · ' : '', h('a', { class: 'post-link', href: p.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': `Post ${i + 1} of ${posts.length} by ${at(r)} on Bluesky` }, `post ${i + 1}`)]));
}

/**
 * Shows where a thread `{ id, accounts }` stands on each account; `retry(id)` is what "Retry failed"
 * does. Returns a one-line summary for the screen-reader announcement.
 */
export function showResults({ id, accounts: results }, { retry }) {
  const ok = results.filter((r) => r.state === 'posted');
  const failed = results.filter((r) => r.state === 'failed');
  const waiting = results.filter((r) => r.state === 'pending');
  const offline = failed.filter(waitsForConnection);
  const onlyOffline = !waiting.length && failed.length > 0 && offline.length === failed.length;
  let title;
  if (!failed.length && !waiting.length) title = ok.length === 1 ? `Posted as ${at(ok[0])}` : `Posted to all ${ok.length} accounts`;
  else if (!ok.length && onlyOffline) title = 'Waiting for a connection';
  else if (!ok.length && !waiting.length) title = failed.length === 1 ? `Not posted: ${at(failed[0])} failed` : `Not posted: all ${failed.length} accounts failed`;
  else title = `Posted to ${ok.length} of ${results.length} accounts`;

  const container = byId('post-results');
  container.dataset.kind = failed.length || waiting.length ? (ok.length || onlyOffline ? 'warning' : 'error') : 'success';
  byId('post-results-title').textContent = title;
  byId('post-results-list').replaceChildren(...results.map((r) => {
    if (waitsForConnection(r)) {
      return h('li', { class: 'post-result', 'data-account': r.account, 'data-ok': 'false', 'data-waiting': 'true' },
        h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '↻'),
        h('span', {}, h('strong', {}, at(r)), `: waiting for a connection. Hayon sends it by itself when the server answers again. (${r.error.message})`));
    }
    if (r.state !== 'posted') {
      const why = r.error ? (r.error.message || 'Something went wrong.') : 'not sent yet, or Hayon could not tell whether it arrived. Retry never posts it twice.';
      return h('li', { class: 'post-result', 'data-account': r.account, 'data-ok': 'false' },
        h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✕'),
        h('span', {}, h('strong', {}, at(r)), `: ${why}`));
    }
    return h('li', { class: 'post-result', 'data-account': r.account, 'data-ok': 'true' },
      h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✓'), postLinks(r));
  }));

  const canRetry = failed.length + waiting.length > 0;
  retryId = canRetry ? id : null;
  onRetry = retry;
  byId('post-retry').hidden = !canRetry;
  byId('post-discard').hidden = !canRetry;
  let note = '';
  if (canRetry) {
    note = ok.length
      ? `Retry failed sends the thread again only to ${failed.length + waiting.length === 1 ? 'the account that failed' : 'the accounts that failed'}; ${ok.length === 1 ? 'the account that has it' : 'the accounts that have it'} won't get a second copy.`
      : 'Retry failed sends it again; nothing is posted twice.';
    if (offline.length) note += ' Hayon also tries again by itself while the connection is out, and never posts twice.';
  }
  byId('post-results-note').textContent = note;
  container.hidden = false;
  return `${title}.${note ? ` ${note}` : ''}`;
}

/** At start: an outbox entry `{ id, accounts }` that Hayon had not finished posting. */
export function showPending(entry, { retry }) {
  const summary = showResults(entry, { retry });
  byId('post-results-title').textContent = 'A thread was still being posted when Hayon stopped';
  return `A thread was still being posted when Hayon stopped. ${summary}`;
}

/** The whole request failed (or was cancelled) before anything was posted. */
export function showPostError(err) {
  const container = byId('post-results');
  if (err.code === 'cancelled') {
    container.dataset.kind = 'warning';
    byId('post-results-title').textContent = 'Not posted — cancelled';
    byId('post-results-list').replaceChildren();
    byId('post-results-note').textContent = 'Nothing was posted. Your post is still here; press Post to send it.';
    container.hidden = false;
    return 'Not posted — cancelled. Nothing was posted; your post is still here.';
  }
  container.dataset.kind = 'error';
  byId('post-results-title').textContent = 'Not posted';
  byId('post-results-list').replaceChildren(h('li', { class: 'post-result', 'data-ok': 'false' },
    h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✕'),
    h('span', {}, err.message || 'Something went wrong.')));
  byId('post-results-note').textContent = 'Your draft is kept so you can try again.';
  container.hidden = false;
  return `Not posted: ${err.message}`;
}

/** The thread was queued for `when` (in words): said where Post's outcome is, with the way to the Queue. */
export function showScheduled(when) {
  const container = byId('post-results');
  container.dataset.kind = 'success';
  byId('post-results-title').textContent = 'Scheduled';
  byId('post-results-list').replaceChildren(h('li', { class: 'post-result', 'data-ok': 'true', 'data-scheduled': 'true' },
    h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✓'),
    h('span', {}, `Goes ${when}. `, h('a', { href: '#/queue' }, 'See it in the Queue'))));
  byId('post-results-note').textContent = '';
  container.hidden = false;
}
