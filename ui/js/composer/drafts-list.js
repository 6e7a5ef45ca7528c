// @ts-check
// The saved drafts beside the composer (#drafts): each listed by its first words and when it last
// changed, the open one marked; a click opens one, × deletes one. Deleting, like Discard, can be
// undone for a few seconds from the notice (#toast); after that the draft and the images only it used
// are deleted for good. What opening and discarding do to the composer is composer.js's (the hooks).
import * as api from '../api.js';
import { byId, h } from '../dom.js';
import { relativeTime } from '../time.js';

/** How long Undo is offered. */
const UNDO_MS = 10_000;
const EXCERPT_CHARS = 60;

/**
 * @type {{
 *   current: () => number | null,
 *   open: (draft: import('../ipc').SavedDraft) => Promise<void>,
 *   discard: () => Promise<void>,
 *   announce: (message: string) => void,
 * }}
 */
let hooks = {
  current: () => null, // the open draft's id
  open: async () => {}, // opens a saved draft { id, updatedAt, composition }
  discard: async () => {}, // discards the open draft
  announce: () => {},
};
let pendingUndo = null; // { id, timer }

export function initDraftsList(options) {
  hooks = options;
  byId('toast-undo').addEventListener('click', undo);
  byId('draft-list').addEventListener('click', async (event) => {
    const target = /** @type {Element} */ (event.target);
    const item = /** @type {HTMLElement} */ (target.closest('.draft-item'));
    if (!item) return;
    const id = Number(item.dataset.draftId);
    if (target.closest('.draft-delete')) {
      if (id === hooks.current()) await hooks.discard();
      else await discardOther(id, item.querySelector('.draft-excerpt').textContent);
    } else if (target.closest('.draft-open') && id !== hooks.current()) {
      try {
        const saved = await api.loadDraft(id);
        if (saved) await hooks.open(saved);
        else hooks.announce('That draft is no longer saved.');
      } catch (err) {
        hooks.announce(`Couldn't open the draft: ${err.message}`);
      }
      await renderDrafts();
    }
  });
}

/** Re-reads and shows the list (after a save, a switch, or a change made elsewhere). */
export async function renderDrafts() {
  let drafts;
  try {
    drafts = await api.listDrafts();
  } catch {
    return; // the list stays as it was; the draft status says when saving fails
  }
  const current = hooks.current();
  const others = drafts.filter((d) => d.id !== current).length;
  byId('drafts-count').textContent = `(${drafts.length})`;
  byId('drafts-empty').hidden = others > 0;
  const focused = /** @type {HTMLElement} */ (document.activeElement?.closest?.('.draft-item'))?.dataset.draftId;
  byId('draft-list').replaceChildren(...drafts.map((d) => item(d, d.id === current)));
  if (focused) /** @type {HTMLElement} */ (byId('draft-list').querySelector(`[data-draft-id="${focused}"] .draft-open`))?.focus();
}

function item(draft, open) {
  const words = excerpt(draft.composition);
  const when = relativeTime(draft.updatedAt) ?? '';
  return h('li', { class: 'draft-item', 'data-draft-id': draft.id, 'aria-current': open ? 'true' : null },
    h('button', { type: 'button', class: 'draft-open', 'aria-label': `${open ? 'Open now: ' : 'Open draft: '}${words}, changed ${when}` },
      h('span', { class: 'draft-excerpt' }, words),
      h('time', { class: 'draft-time', datetime: draft.updatedAt, 'data-relative': '', title: draft.updatedAt }, when)),
    h('button', { type: 'button', class: 'btn btn-ghost draft-delete', 'aria-label': `Delete draft: ${words}` },
      h('span', { 'aria-hidden': 'true' }, '×')));
}

/** A draft's first words ("Empty draft" when it has none). */
export function excerpt(composition) {
  const posts = composition?.posts ?? [];
  const text = posts.map((p) => (p.text ?? '').replace(/\s+/g, ' ').trim()).find(Boolean);
  if (!text) {
    const images = posts.reduce((n, p) => n + (p.images?.length ?? 0), 0);
    return images ? `${images === 1 ? 'An image' : `${images} images`}, no text` : 'Empty draft';
  }
  if (text.length <= EXCERPT_CHARS) return text;
  const cut = text.slice(0, EXCERPT_CHARS);
  return `${cut.replace(/\s+\S*$/, '') || cut}…`;
}

/** Nothing in it worth keeping: no text, image or quote in any post. */
export function isBlank(composition) {
  return (composition?.posts ?? []).every((p) => !(p.text ?? '').trim() && !p.images?.length && !p.quote);
}

async function discardOther(id, words) {
  try {
    await api.discardDraft(id);
  } catch (err) {
    hooks.announce(`Couldn't delete the draft: ${err.message}`);
    return;
  }
  offerUndo(id, `Draft deleted: ${words}`);
  await renderDrafts();
}

/**
 * Shows "… · Undo" for `id`, discarded already. A previous offer ends (its draft is deleted for good).
 * When the time is up the draft is deleted with the images only it used.
 */
export function offerUndo(id, text) {
  endUndo();
  byId('toast-text').textContent = text;
  byId('toast').hidden = false;
  placeToast();
  pendingUndo = { id, timer: setTimeout(endUndo, UNDO_MS) };
  hooks.announce(`${text}. Undo is available for ${UNDO_MS / 1000} seconds.`);
}

/**
 * The notice sits at the bottom of the window unless the composer's action bar (sticky at the bottom
 * of the view) reaches there: then just above it, so the counter and Post are never covered.
 */
function placeToast() {
  const toast = byId('toast');
  if (toast.hidden) return;
  toast.style.removeProperty('--toast-lift');
  const bar = byId('action-bar').getBoundingClientRect();
  const notice = toast.getBoundingClientRect();
  if (bar.height && bar.bottom > notice.top && bar.top < notice.bottom) {
    toast.style.setProperty('--toast-lift', `${window.innerHeight - bar.top}px`);
  }
}
window.addEventListener('resize', placeToast);

/** Undo is no longer offered: the discarded draft goes for good. */
function endUndo() {
  if (!pendingUndo) return;
  const { id, timer } = pendingUndo;
  clearTimeout(timer);
  pendingUndo = null;
  byId('toast').hidden = true;
  api.deleteDraft(id).catch(() => { /* deleted at the next start */ });
}

async function undo() {
  if (!pendingUndo) return;
  const { id, timer } = pendingUndo;
  clearTimeout(timer);
  pendingUndo = null;
  byId('toast').hidden = true;
  try {
    await hooks.open(await api.restoreDraft(id));
    hooks.announce('Draft brought back.');
  } catch (err) {
    hooks.announce(`Couldn't bring the draft back: ${err.message}`);
  }
  await renderDrafts();
}

