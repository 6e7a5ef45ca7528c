// Sending the post: the progress indicator (#post-progress) fed by Rust's stages, and the outcome per
// account (#post-results) — a link to each new post, or why that account failed.
import * as api from '../api.js';
import { byId, h } from '../dom.js';

const STAGES = {
  start: [0, 'Getting ready…'],
  preparingImages: [1, 'Preparing images…'],
  fetchingLinkCard: [2, 'Fetching the link preview…'],
  uploading: [3, 'Posting…'],
  done: [4, 'Done'],
};

export function initPostResults() {
  byId('post-results').addEventListener('click', (event) => {
    const link = event.target.closest('a.post-link');
    if (link) {
      // Open in the browser, never inside the app's own window.
      event.preventDefault();
      api.openExternal(link.href).catch(() => {
        byId('post-results-note').textContent = `Couldn't open your browser. The post is at ${link.href}`;
      });
    } else if (event.target.closest('#post-results-dismiss')) {
      hideResults();
      byId('composer-text').focus();
    }
  });
}

/** Posts `request`; feeds #post-progress (which the caller shows and hides). Resolves with Rust's per-account results, or rejects. */
export async function sendPost(request) {
  hideResults();
  showStage('start');
  return api.post(request, showStage);
}

function showStage(stage) {
  const [step, text] = STAGES[stage] ?? STAGES.uploading;
  const bar = byId('post-progress');
  bar.dataset.stage = String(step);
  bar.setAttribute('aria-valuenow', String(step));
  bar.setAttribute('aria-valuetext', text);
  byId('post-progress-text').textContent = text;
}

export function hideResults() {
  byId('post-results').hidden = true;
  byId('post-results-list').replaceChildren();
  byId('post-results-note').textContent = '';
}

/**
 * Shows the outcome. `unchosen`: accounts that succeeded and were unticked because others failed.
 * Returns a one-line summary for the screen-reader announcement.
 */
export function showResults(results, { unchosen = [] } = {}) {
  const ok = results.filter((r) => !r.error);
  const failed = results.filter((r) => r.error);
  const at = (r) => `@${r.handle || r.account}`;
  let title;
  if (!failed.length) title = ok.length === 1 ? `Posted as ${at(ok[0])}` : `Posted to all ${ok.length} accounts`;
  else if (!ok.length) title = failed.length === 1 ? `Not posted: ${at(failed[0])} failed` : `Not posted: all ${failed.length} accounts failed`;
  else title = `Posted to ${ok.length} of ${results.length} accounts`;

  const container = byId('post-results');
  container.dataset.kind = failed.length ? (ok.length ? 'warning' : 'error') : 'success';
  byId('post-results-title').textContent = title;
  byId('post-results-list').replaceChildren(...results.map((r) => (r.error
    ? h('li', { class: 'post-result', 'data-account': r.account, 'data-ok': 'false' },
      h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✕'),
      h('span', {}, h('strong', {}, at(r)), `: ${r.error.message || 'Something went wrong.'}`))
    : h('li', { class: 'post-result', 'data-account': r.account, 'data-ok': 'true' },
      h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✓'),
      h('a', { class: 'post-link', href: r.url, target: '_blank', rel: 'noopener noreferrer' }, `View post on Bluesky (${at(r)})`)))));

  let note = '';
  if (failed.length && ok.length) {
    note = `Your draft is kept so you can try again. ${unchosen.map((d) => `@${results.find((r) => r.account === d)?.handle ?? d}`).join(', ')} ` +
      `${unchosen.length === 1 ? 'was' : 'were'} unticked so ${unchosen.length === 1 ? 'it' : 'they'} won't post twice.`;
  } else if (failed.length) {
    note = 'Your draft is kept so you can try again.';
  }
  byId('post-results-note').textContent = note;
  container.hidden = false;
  return `${title}.${note ? ` ${note}` : ''}`;
}

/** The whole request failed before anything was posted. */
export function showPostError(err) {
  const container = byId('post-results');
  container.dataset.kind = 'error';
  byId('post-results-title').textContent = 'Not posted';
  byId('post-results-list').replaceChildren(h('li', { class: 'post-result', 'data-ok': 'false' },
    h('span', { class: 'result-icon', 'aria-hidden': 'true' }, '✕'),
    h('span', {}, err.message || 'Something went wrong.')));
  byId('post-results-note').textContent = 'Your draft is kept so you can try again.';
  container.hidden = false;
  return `Not posted: ${err.message}`;
}
