// @ts-check
// A post's link preview card (.link-card-area in its editor) for the post's first link, as Rust's
// analysis names it. A card is fetched once per address (for every post of the thread), can be
// removed (and stays removed for that address in that post), gives way to images, and a page
// without a preview is a quiet line saying why — never an error. The card shown (its text and its
// prepared thumbnail, staged by Rust) is the card posted: nothing is fetched again.
// A link is fetched once it has stopped changing for a moment, not at every keystroke of typing it.
import * as api from '../api.js';
import { h } from '../dom.js';

const cards = new Map(); // uri → { status: 'loading' | 'ready' | 'none', card, message, loaded }
const SETTLE_MS = 400;

/** After a post went out: its cards' staged thumbnails are gone, the same link gets a fresh preview. */
export function forgetCards() {
  cards.clear();
}

const hostOf = (address) => {
  try { return new URL(address).host.replace(/^www\./, ''); } catch { return address; }
};

/**
 * The card of the post whose card area is `area`. `onChange()` when the choice the draft holds
 * changed; `announce(text)` for the screen reader.
 */
export function createLinkCard(area, { onChange, announce }) {
  let uri = null; // the link the card is about now
  let hasImages = false;
  const removed = new Set();
  let removeNextLink = false; // a restored draft said its card had been removed
  let waiting = null; // { target, timer }: a fetch waiting for the link to stop changing
  let shownKey = '';
  let alive = true;

  area.addEventListener('click', (event) => {
    if (event.target.closest('.link-card-remove')) removeCard();
    else if (event.target.closest('.link-card-restore')) restoreCard();
  });

  /** Called after each analysis and whenever images come or go. */
  function update(next) {
    if (next.uri !== undefined) {
      // The draft's choice is about the link of the draft's own text: its first analysis, nothing later.
      if (next.uri && removeNextLink) removed.add(next.uri);
      removeNextLink = false;
      uri = next.uri;
    }
    if (next.hasImages !== undefined) hasImages = next.hasImages;
    if (uri && !hasImages && !removed.has(uri) && !cards.has(uri)) fetchSoon(uri);
    render();
  }

  function fetchSoon(target) {
    if (waiting?.target === target) return;
    clearTimeout(waiting?.timer);
    const timer = setTimeout(() => {
      waiting = null;
      if (alive && target === uri && !cards.has(target)) fetchCard(target);
    }, SETTLE_MS);
    waiting = { target, timer };
  }

  function fetchCard(target) {
    const loaded = api.fetchLinkCard(target).then(
      (card) => ({ status: 'ready', card }),
      // No preview is not an error: the post simply goes without a card. Rust's message says why.
      (err) => ({ status: 'none', message: err?.message }),
    ).then((entry) => {
      cards.set(target, entry);
      if (alive && target === uri) render();
    });
    cards.set(target, { status: 'loading', loaded });
  }

  /** Whether the post should carry the card: false once the person removed it. */
  const wanted = () => !removeNextLink && !(uri && removed.has(uri));

  /**
   * The card choice to post, as shown: `{ kind: 'shown', uri, title, description, thumbPath }`, or
   * `{ kind: 'none' }` (no link, removed, images, no preview). Waits for a preview still loading.
   */
  async function forPost() {
    const none = { kind: 'none' };
    if (!uri || hasImages || !wanted()) return none;
    const target = uri;
    if (!cards.has(target)) {
      clearTimeout(waiting?.timer);
      waiting = null;
      fetchCard(target);
    }
    await cards.get(target)?.loaded;
    const entry = cards.get(target);
    if (entry?.status !== 'ready') return none;
    const { title, description, thumb } = entry.card;
    return { kind: 'shown', uri: target, title, description, thumbPath: thumb?.path ?? null };
  }

  function removeCard() {
    if (!uri) return;
    removed.add(uri);
    render();
    onChange();
    area.querySelector('.link-card-restore')?.focus();
    announce('Link preview removed.');
  }

  function restoreCard() {
    if (!uri) return;
    removed.delete(uri);
    update({});
    onChange();
    area.querySelector('.link-card-remove')?.focus();
  }

  function render() {
    // Re-render only when something visible changed (this runs after every keystroke's analysis).
    const key = JSON.stringify([uri, uri && removed.has(uri), hasImages, uri && cards.get(uri)?.status]);
    if (key === shownKey) return;
    shownKey = key;
    const status = (text, ...extra) => h('p', { class: 'link-card-status' }, text, ...extra);
    if (!uri) {
      area.replaceChildren();
    } else if (removed.has(uri)) {
      area.replaceChildren(status(`Link preview for ${hostOf(uri)} removed. `,
        h('button', { class: 'btn-link link-card-restore', type: 'button' }, 'Show it again')));
    } else if (hasImages) {
      area.replaceChildren(status('Images replace the link preview.'));
    } else {
      const entry = cards.get(uri);
      if (!entry || entry.status === 'loading') {
        area.replaceChildren(h('p', { class: 'link-card-status', 'aria-busy': 'true' },
          h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Loading a preview of ${hostOf(uri)}…`));
      } else if (entry.status === 'none') {
        area.replaceChildren(status(entry.message || `No preview available for ${hostOf(uri)}.`));
      } else {
        area.replaceChildren(cardView(entry.card));
      }
    }
  }

  function cardView(card) {
    // The prepared thumbnail, as a data: URL from Rust: the web view itself never loads the page's image.
    const thumb = card.thumb
      ? h('img', { class: 'link-card-thumb', src: card.thumb.previewUrl, alt: '' })
      : h('div', { class: 'link-card-thumb link-card-thumb-empty', 'aria-hidden': 'true' });
    return h('article', { class: 'link-card', 'aria-label': 'Link preview' },
      thumb,
      h('div', { class: 'link-card-text' },
        h('p', { class: 'link-card-host' }, hostOf(card.uri || uri)),
        card.title ? h('p', { class: 'link-card-title' }, card.title) : null,
        card.description ? h('p', { class: 'link-card-description' }, card.description) : null),
      h('button', { class: 'btn btn-ghost link-card-remove', type: 'button', 'aria-label': 'Remove link preview', title: 'Remove link preview' },
        h('span', { 'aria-hidden': 'true' }, '×')));
  }

  return {
    update,
    forPost,
    /** For the draft: the person's choice, `{ kind: 'firstLink' }` or `{ kind: 'none' }` once removed. */
    forDraft: () => (wanted() ? { kind: 'firstLink' } : { kind: 'none' }),
    /** From a draft: `{ kind: 'none' }` means the card of the draft's link was removed. */
    restore(choice) {
      removeNextLink = choice?.kind === 'none';
    },
    destroy() {
      alive = false;
      clearTimeout(waiting?.timer);
    },
  };
}
