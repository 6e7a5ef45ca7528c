// @ts-check
// Editing a post on its way (the Queue's "Edit"): a scheduled post, or one that failed on some
// accounts, opens in the composer in place of the open draft. The composer then edits it instead of
// a draft — a banner says which post and when it goes, Post becomes "Save changes", and the draft
// controls and Schedule… step aside — and Rust (api.editQueuedPost) replaces what every account
// that does not have the post yet will get. Accounts that have it keep what they got.
// The open draft is saved before and comes back after, saved or not. The edit is not saved as you
// type (the post's own row is only changed by Save changes), and a post that went out meanwhile
// leaves the edited text in a new draft rather than losing it.
import * as api from '../api.js';
import { byId, setBusy } from '../dom.js';
import { localDateTime } from '../time.js';
import { announce as announceInQueue } from '../schedule/queue.js';

/** @typedef {import('../ipc').OutboxEntry} OutboxEntry */
/** @typedef {import('../ipc').Composition} Composition */

/**
 * @typedef {object} Hooks what the composer lends the edit
 * @property {() => Promise<void>} leaveDraft saves the open draft and stops saving as you type
 * @property {() => number | null} currentDraftId
 * @property {(composition: Composition) => Promise<void>} show shows a composition, not saved as you type
 * @property {() => Promise<Composition>} collect the composition as it will be sent
 * @property {(id: number | null, keep?: Composition) => Promise<void>} reopen opens draft `id`
 *   (null: a new one holding `keep`, or empty) and saves as you type again
 * @property {(message: string) => void} announce
 * @property {() => void} refresh
 */

/** @type {Hooks | null} */
let hooks = null;
/** @type {{ entry: OutboxEntry, returnTo: number | null } | null} */
let editing = null;

export const isEditing = () => editing !== null;

/** The composer is ready: editing can start. */
export function initEditing(composerHooks) {
  hooks = composerHooks;
  byId('editing-stop').addEventListener('click', () => stopEditing({ saved: false }));
}

/** Opens `entry` in the composer for editing. */
export async function startEditing(entry) {
  if (!hooks) return;
  if (editing) await stopEditing({ saved: false, quiet: true });
  const returnTo = hooks.currentDraftId();
  await hooks.leaveDraft();
  editing = { entry, returnTo };
  await hooks.show(entry.composition);
  showBanner(entry);
  hooks.refresh();
  hooks.announce(`Editing the post ${describe(entry)}. Save changes keeps them; Stop editing leaves it as it was.`);
  /** @type {HTMLElement | null} */ (document.querySelector('#thread .editor-input'))?.focus();
}

/** Save changes: Rust replaces what the post sends; back to the Queue. */
export async function saveEdit() {
  if (!hooks || !editing) return;
  const { entry } = editing;
  const composition = await hooks.collect();
  const button = byId('post-submit');
  setBusy(button, true, 'Saving…');
  let failure = null;
  try {
    await api.editQueuedPost(entry.id, composition);
  } catch (err) {
    failure = err;
  } finally {
    setBusy(button, false);
  }
  if (failure?.code === 'not_found') {
    // It went out (or was cancelled) meanwhile: the edited version is kept as a new draft.
    await finish(null, composition);
    hooks.announce('That post was sent or cancelled before the changes were saved. Your edited version is kept as a new draft.');
  } else if (failure) {
    byId('editing-error').textContent = `Couldn't save the changes: ${failure.message}`;
    hooks.announce(`Couldn't save the changes: ${failure.message}`);
  } else {
    await stopEditing({ saved: true });
  }
}

/** Leaves editing (saved or not) and goes back to the Queue. */
async function stopEditing({ saved, quiet = false }) {
  if (!hooks || !editing) return;
  const { entry, returnTo } = editing;
  await finish(returnTo);
  if (quiet) return;
  location.hash = '#/queue';
  announceInQueue(saved ? `Changes saved. The post ${describe(entry)}.` : 'Stopped editing: the post is as it was.');
}

/** Out of editing: the draft that was open (or a new one holding `keep`) is back. */
async function finish(returnTo, keep = undefined) {
  if (!hooks) return;
  editing = null;
  byId('editing-banner').hidden = true;
  byId('editing-error').textContent = '';
  byId('view-compose').removeAttribute('data-editing');
  setPostLabel('Post', 'Post (Ctrl+Enter)');
  await hooks.reopen(returnTo, keep);
  hooks.refresh();
}

function showBanner(entry) {
  byId('editing-when').textContent = describe(entry);
  const posted = entry.accounts.filter((a) => a.state === 'posted').map((a) => `@${a.handle}`);
  byId('editing-kept').textContent = posted.length
    ? `${posted.join(', ')} ${posted.length === 1 ? 'has' : 'have'} it already and ${posted.length === 1 ? 'keeps' : 'keep'} what ${posted.length === 1 ? 'it' : 'they'} got; the changes go to the others.`
    : 'The changes go to every account it is for.';
  byId('editing-error').textContent = '';
  byId('editing-banner').hidden = false;
  byId('view-compose').setAttribute('data-editing', 'true');
  setPostLabel('Save changes', 'Save changes (Ctrl+Enter)');
}

function setPostLabel(label, title) {
  const button = byId('post-submit');
  const text = button.querySelector('.btn-label');
  if (text) text.textContent = label;
  button.title = title;
}

/** "scheduled for Tuesday 8 December, 09:00", or where an outbox post stands. */
function describe(entry) {
  return entry.due ? `scheduled for ${localDateTime(entry.due.at)}` : 'that did not reach every account';
}
