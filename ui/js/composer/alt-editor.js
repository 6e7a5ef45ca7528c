// @ts-check
// The alt text editor: a native modal <dialog id="alt-dialog"> with the prepared image shown large
// (exactly what will be posted), a roomy text box and a counter of the 2000-grapheme limit that the
// core enforces (hayon_core::publish::MAX_ALT_GRAPHEMES), counted the same way: grapheme clusters
// (Intl.Segmenter, as the server and the core count post text). Focus is trapped by the browser;
// Escape or Cancel keeps the old text; Enter saves (Shift+Enter starts a new line: alt text may hold
// line breaks, the server accepts them). Over the limit the counter says by how much and Save is
// off, with the reason; the text is never cut silently. Focus goes back to the control that opened it.
import { byId } from '../dom.js';
import { maxAltGraphemes as MAX_ALT } from '../limits.js';

const WARN_AT = MAX_ALT - 100;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Grapheme clusters in `text`, as the core counts them. */
export function altLength(text) {
  let n = 0;
  for (const _ of segmenter.segment(text)) n += 1;
  return n;
}

let wired = false;
let session = null; // { resolve, opener }

function wire() {
  const dialog = /** @type {HTMLDialogElement} */ (byId('alt-dialog'));
  const text = /** @type {HTMLTextAreaElement} */ (byId('alt-dialog-text'));
  text.addEventListener('input', renderCounter);
  // The window's shortcuts (Ctrl+Enter posts, Ctrl+R reloads accounts) wait until the dialog closes.
  dialog.addEventListener('keydown', (event) => event.stopPropagation());
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    }
  });
  byId('alt-dialog-save').addEventListener('click', save);
  byId('alt-dialog-cancel').addEventListener('click', () => dialog.close('cancel'));
  dialog.addEventListener('close', () => {
    const { resolve, opener } = session ?? {};
    const saved = dialog.returnValue === 'save' ? text.value : null;
    session = null;
    byId('alt-dialog-image').removeAttribute('src');
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    resolve?.(saved);
  });
  wired = true;
}

function over() {
  return altLength(/** @type {HTMLTextAreaElement} */ (byId('alt-dialog-text')).value) - MAX_ALT;
}

function save() {
  if (over() > 0) {
    // Refused: say why, and put the person back in the text to shorten it.
    renderCounter();
    byId('alt-dialog-live').textContent = byId('alt-dialog-save-reason').textContent;
    byId('alt-dialog-text').focus();
    return;
  }
  /** @type {HTMLDialogElement} */ (byId('alt-dialog')).close('save');
}

function renderCounter() {
  const length = altLength(/** @type {HTMLTextAreaElement} */ (byId('alt-dialog-text')).value);
  const counter = byId('alt-dialog-counter');
  const excess = length - MAX_ALT;
  counter.dataset.state = excess > 0 ? 'over' : length >= WARN_AT ? 'warn' : 'ok';
  counter.textContent = excess > 0
    ? `${length} / ${MAX_ALT} · ${excess} over`
    : `${length} / ${MAX_ALT}`;
  const saveButton = byId('alt-dialog-save');
  const reason = byId('alt-dialog-save-reason');
  saveButton.setAttribute('aria-disabled', String(excess > 0));
  reason.textContent = excess > 0
    ? `Alt text can be up to ${MAX_ALT} characters. Remove ${excess} to save.`
    : '';
  byId('alt-dialog-text').setAttribute('aria-invalid', String(excess > 0));
}

/**
 * Opens the editor for one image: `title` ("Describe image 2 of post 1"), `src` (its preview),
 * `size` ("1200 × 800"), the current `alt`. Resolves to the new text when saved, null when cancelled.
 */
export function editAltText({ title, src, size, alt }) {
  if (!wired) wire();
  const dialog = /** @type {HTMLDialogElement} */ (byId('alt-dialog'));
  if (dialog.open) dialog.close('cancel');
  byId('alt-dialog-title').textContent = title;
  /** @type {HTMLImageElement} */ (byId('alt-dialog-image')).src = src ?? '';
  byId('alt-dialog-size').textContent = size ?? '';
  const text = /** @type {HTMLTextAreaElement} */ (byId('alt-dialog-text'));
  text.value = alt ?? '';
  byId('alt-dialog-live').textContent = '';
  renderCounter();
  dialog.returnValue = '';
  return new Promise((resolve) => {
    session = { resolve, opener: document.activeElement };
    dialog.showModal();
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  });
}
