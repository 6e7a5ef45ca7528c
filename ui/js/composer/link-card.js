// The link preview card (#link-card) for the post's first link, as Rust's analysis names it. The card
// is fetched once per address, can be removed (and stays removed for that address), gives way to
// images, and a page without a preview is a quiet line saying why — never an error. The card shown
// (its text and its prepared thumbnail, staged by Rust) is the card posted: nothing is fetched again.
// A link is fetched once it has stopped changing for a moment, not at every keystroke of typing it.
import * as api from '../api.js';
import { byId, h } from '../dom.js';

let uri = null; // the link the card is about now
let hasImages = false;
const cards = new Map(); // uri → { status: 'loading' | 'ready' | 'none', card, message, loaded }
const removed = new Set();
let removeNextLink = false; // a restored draft said its card had been removed
let waiting = null; // { target, timer }: a fetch waiting for the link to stop changing
const SETTLE_MS = 400;
let onChange = () => {};
let announce = () => {};

export function initLinkCard(options) {
  ({ onChange, announce } = options);
  byId('link-card-area').addEventListener('click', (event) => {
    if (event.target.closest('#link-card-remove')) removeCard();
    else if (event.target.closest('#link-card-restore')) restoreCard();
  });
}

/** Called after each analysis and whenever images come or go. */
export function updateLinkCard(next) {
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
    if (target === uri && !cards.has(target)) fetchCard(target);
  }, SETTLE_MS);
  waiting = { target, timer };
}

/** Whether the post should carry the card: false once the person removed it. */
export const linkCardWanted = () => !removeNextLink && !(uri && removed.has(uri));

/**
 * The card to post, as shown: { uri, title, description, thumbPath } or null (no link, removed, images,
 * no preview). Waits for a preview still loading.
 */
export async function linkCardForPost() {
  if (!uri || hasImages || !linkCardWanted()) return null;
  const target = uri;
  if (!cards.has(target)) {
    clearTimeout(waiting?.timer);
    waiting = null;
    fetchCard(target);
  }
  await cards.get(target)?.loaded;
  const entry = cards.get(target);
  if (entry?.status !== 'ready') return null;
  const { title, description, thumb } = entry.card;
  return { uri: target, title, description, thumbPath: thumb?.path ?? null };
}

/** From a draft: `false` means the card of the draft's link was removed. */
export function restoreLinkCardChoice(wanted) {
  removeNextLink = wanted === false;
}

export function clearLinkCard() {
  uri = null;
  clearTimeout(waiting?.timer);
  waiting = null;
  cards.clear(); // a posted card's staged thumbnail is gone: the same link again gets a fresh preview
  removed.clear();
  removeNextLink = false;
  render();
}

function fetchCard(target) {
  const loaded = api.fetchLinkCard(target).then(
    (card) => ({ status: 'ready', card }),
    // No preview is not an error: the post simply goes without a card. Rust's message says why.
    (err) => ({ status: 'none', message: err?.message }),
  ).then((entry) => {
    cards.set(target, entry);
    if (target === uri) render();
  });
  cards.set(target, { status: 'loading', loaded });
}

function removeCard() {
  if (!uri) return;
  removed.add(uri);
  render();
  onChange();
  byId('link-card-restore')?.focus();
  announce('Link preview removed.');
}

function restoreCard() {
  if (!uri) return;
  removed.delete(uri);
  updateLinkCard({});
  onChange();
  byId('link-card-remove')?.focus();
}

const hostOf = (address) => {
  try { return new URL(address).host.replace(/^www\./, ''); } catch { return address; }
};

let shownKey = '';

function render() {
  // Re-render only when something visible changed (this runs after every keystroke's analysis).
  const key = JSON.stringify([uri, uri && removed.has(uri), hasImages, uri && cards.get(uri)?.status]);
  if (key === shownKey) return;
  shownKey = key;
  const area = byId('link-card-area');
  const status = (text, ...extra) => h('p', { class: 'link-card-status' }, text, ...extra);
  if (!uri) {
    area.replaceChildren();
  } else if (removed.has(uri)) {
    area.replaceChildren(status(`Link preview for ${hostOf(uri)} removed. `,
      h('button', { id: 'link-card-restore', class: 'btn-link', type: 'button' }, 'Show it again')));
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
  return h('article', { id: 'link-card', class: 'link-card', 'aria-label': 'Link preview' },
    thumb,
    h('div', { class: 'link-card-text' },
      h('p', { class: 'link-card-host' }, hostOf(card.uri || uri)),
      card.title ? h('p', { class: 'link-card-title' }, card.title) : null,
      card.description ? h('p', { class: 'link-card-description' }, card.description) : null),
    h('button', { id: 'link-card-remove', class: 'btn btn-ghost link-card-remove', type: 'button', 'aria-label': 'Remove link preview', title: 'Remove link preview' },
      h('span', { 'aria-hidden': 'true' }, '×')));
}
