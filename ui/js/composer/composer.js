// @ts-check
// The Compose view: the thread of post editors (thread.js, post-editor.js), accounts, languages,
// reply settings, the open draft (New draft, Discard with Undo, switching: drafts-list.js), posting
// or scheduling ("Schedule…": ../schedule/picker.js), and when "Post" is allowed and why not.
// Ctrl/⌘+Enter posts the whole thread, Ctrl/⌘+Shift+N starts a new draft.
import * as api from '../api.js';
import { byId, setBusy, showHintsOnFocus } from '../dom.js';
import { ignoreStrayDrops, setRequireAlt, showImageLimit } from './images.js';
import { forgetCards } from './link-card.js';
import * as chooser from './accounts-chooser.js';
import { currentLangs, initLangs, setLangs, suggestLangsFor } from './langs.js';
import { initReplySettings, replyBlocker, replySettings, setReplySettings } from './reply-settings.js';
import { currentDraftId, flushDraft, initDraft, loadDraft, scheduleSave, startSaving, stopSaving } from './draft.js';
import { initDraftsList, isBlank, offerUndo, excerpt, renderDrafts } from './drafts-list.js';
import { hideResults, initPostResults, sendPost, shownEntry, showPostError, showResults, showPending, showScheduled } from './post.js';
import { addPost, editors, initThread, restoreThread } from './thread.js';
import { pickTime } from '../schedule/picker.js';
import { initEditing, isEditing, saveEdit, startEditing } from './editing.js';
import { localDateTime } from '../time.js';

const state = {
  ready: false, // the saved draft has been restored
  posting: false,
  submitted: null, // the outbox entry of the thread now in the composer, once Post was pressed
};

// ---- What Post needs ----

/** Why Post can't be used now, or null. The first reason that applies is shown beside the button. */
function blocker() {
  if (chooser.accountsLoaded() && chooser.connectedCount() === 0) return 'Connect an account in Settings to post.';
  const thread = editors.length > 1;
  for (const editor of editors) {
    const why = editor.blocker();
    if (why) return thread ? `${editor.name()}: ${why}` : why[0].toUpperCase() + why.slice(1);
  }
  if (chooser.accountsLoaded() && chooser.usableCount() === 0) return 'Reconnect an account in Settings to post.';
  if (chooser.chosenAccounts().length === 0) return 'Choose at least one account to post to.';
  if (currentLangs().error) return 'Fix the languages to post.';
  const reply = replyBlocker();
  if (reply) return reply;
  const missing = editors.reduce((sum, editor) => sum + editor.missingAltCount(), 0);
  if (/** @type {HTMLInputElement} */ (byId('require-alt')).checked && missing) {
    return `Add alt text to ${missing === 1 ? 'the image that has none' : `the ${missing} images that have none`} — your settings require it.`;
  }
  return null;
}

function refresh() {
  if (state.posting) return;
  const reason = state.ready ? blocker() : 'Loading your draft…';
  // aria-disabled, not disabled: Tab still reaches Post, which is described by the reason and, pressed,
  // shows it (a stale analysis is fine here: submit() waits for the fresh one).
  byId('post-submit').setAttribute('aria-disabled', String(Boolean(reason)));
  byId('schedule-open').setAttribute('aria-disabled', String(Boolean(reason)));
  const shown = byId('post-blocker');
  if (shown.textContent !== (reason ?? '')) {
    shown.textContent = reason ?? '';
    delete shown.dataset.alert;
  }
}

const blocked = () => byId('post-submit').getAttribute('aria-disabled') === 'true';
const dialogOpen = () => ['confirm-dialog', 'schedule-dialog'].some((id) => /** @type {HTMLDialogElement} */ (byId(id)).open);

/** Post was asked for while it is off: the reason, emphasised in the bar, and said aloud. */
function showBlocker() {
  const reason = byId('post-blocker');
  delete reason.dataset.alert;
  void reason.offsetWidth; // restarts the emphasis animation when asked twice
  reason.dataset.alert = 'true';
  announce(reason.textContent);
}

/** Something the draft holds changed. */
function changed() {
  refresh();
  scheduleSave();
  suggestLangsFor(editors.map((editor) => editor.forDraft().text).join('\n\n'));
}

/** The draft: a composition, as typed. */
function collectDraft() {
  return {
    posts: editors.map((editor) => editor.forDraft()),
    accounts: chooser.chosenForDraft(),
    langs: currentLangs().tags,
    ...replySettings(),
  };
}

// ---- Posting ----

async function submit() {
  if (state.posting) return;
  if (!state.ready) {
    showBlocker();
    return;
  }
  // A queued post open for editing: Post is "Save changes".
  if (isEditing()) {
    if (await settledAndSendable()) await saveEdit();
    return;
  }
  // This thread is in the outbox and some accounts did not get it: Post sends it to those only, so
  // pressing it again never makes a second copy.
  if (state.submitted !== null) {
    await retry(state.submitted);
    return;
  }
  if (!(await settledAndSendable())) return;
  setPosting(true);
  let summary;
  try {
    const composition = await collectComposition();
    await flushDraft(); // the draft is safe on disk before anything leaves the computer
    const outcome = await sendPost(composition, null, currentDraftId());
    state.submitted = outcome.id;
    summary = finished(outcome);
  } catch (err) {
    summary = showPostError(err);
  } finally {
    setPosting(false);
  }
  if (!byId('post-results').hidden) byId('post-results').focus();
  announce(summary);
  changed();
}

/** Waits for the editors' pending checks; false, with the reason shown, when the thread cannot go. */
async function settledAndSendable() {
  await Promise.all(editors.map((editor) => editor.settled()));
  refresh();
  if (blocked()) {
    showBlocker();
    return false;
  }
  return true;
}

/** The composition as it will be sent: the cards as shown (a preview still loading is awaited). */
async function collectComposition() {
  return {
    posts: await Promise.all(editors.map((editor) => editor.forPost())),
    accounts: chooser.chosenAccounts(),
    langs: currentLangs().tags,
    ...replySettings(),
  };
}

/**
 * "Schedule…": the picker, then the thread is queued (at the time picked, or with "Add to queue" at
 * the next free posting time) and the composer empties as after Post. The draft stays with the
 * queued post, as Rust keeps it until every account has it.
 */
async function schedule() {
  if (state.posting || isEditing()) return;
  if (!state.ready) {
    showBlocker();
    return;
  }
  if (state.submitted !== null) {
    announce('This thread is in the outbox already: use Retry failed to send it to the accounts that did not get it.');
    byId('post-results').focus();
    return;
  }
  if (!(await settledAndSendable())) return;
  const result = { queued: /** @type {import('../ipc').OutboxEntry | null} */ (null) };
  const queueWith = async (send) => {
    const composition = await collectComposition();
    await flushDraft(); // the draft is safe on disk before the post is queued
    result.queued = await send(composition, currentDraftId());
  };
  const done = await pickTime({
    title: 'Schedule post',
    confirmLabel: 'Schedule',
    pick: (at) => queueWith((composition, draft) => api.schedulePost(composition, draft, at)),
    queue: () => queueWith(api.queuePost),
  });
  const queued = result.queued;
  if (!done || !queued) return;
  hideResults();
  clearComposer();
  const when = queued.due ? localDateTime(queued.due.at) : 'later';
  announce(`Scheduled for ${when}. It is in the Queue.`);
  showScheduled(when);
  editors[0]?.focus();
  changed();
}

/**
 * Shows an outcome of posting (or of retrying); once the composer's own thread is posted everywhere,
 * the composer is emptied (a thread left from before a restart is not the one being written).
 */
function finished(outcome) {
  const everywhere = outcome.accounts.every((account) => account.state === 'posted');
  if (everywhere && outcome.id === state.submitted) {
    state.submitted = null;
    clearComposer();
  }
  return showResults(outcome, { retry });
}

/** "Retry failed": only the accounts that failed, through the same outbox entry (never a second copy). */
async function retry(id) {
  if (state.posting) return null;
  setPosting(true);
  let summary;
  try {
    // Once every account has the composer's own thread, Rust deletes its draft (the entry knows it).
    summary = finished(await sendPost(null, id));
  } catch (err) {
    if (err.code === 'not_found' && id === state.submitted) state.submitted = null; // posted or discarded
    summary = showPostError(err);
  } finally {
    setPosting(false);
  }
  byId('post-results').focus();
  announce(summary);
  changed();
  return summary;
}

function setPosting(on) {
  state.posting = on;
  const composer = byId('composer');
  const progress = byId('post-progress');
  progress.hidden = !on;
  // Editing is disabled meanwhile; keep keyboard focus somewhere meaningful instead of on <body>.
  if (on && (composer.contains(document.activeElement) || document.activeElement === byId('post-retry'))) progress.focus();
  /** @type {HTMLFieldSetElement} */ (byId('composer-fields')).disabled = on;
  /** @type {HTMLFieldSetElement} */ (byId('reply-fields')).disabled = on;
  composer.setAttribute('aria-busy', String(on));
  setBusy(byId('post-submit'), on, 'Posting…');
  if (!on) refresh();
}

/** After every account got the thread: one empty post (accounts, languages and reply settings stay). */
function clearComposer() {
  forgetCards();
  restoreThread([{}]);
  // Rust deleted the posted draft: the empty composer is a new one, saved once something changes.
  startSaving(null, collectDraft());
  renderDrafts();
}

// ---- Drafts ----

/**
 * Shows a saved draft `{ id, composition }` (null: a new, empty draft keeping the chosen accounts)
 * in place of the open one. An open draft with nothing in it is deleted rather than listed.
 */
async function openDraft(saved) {
  await stopSaving();
  const leaving = currentDraftId();
  if (leaving !== null && leaving !== saved?.id && isBlank(collectDraft())) {
    await api.deleteDraft(leaving).catch(() => {});
  }
  const draft = saved?.composition ?? null;
  if (state.submitted !== null) {
    state.submitted = null; // the outcome shown belongs to the draft being left
    hideResults();
  }
  const defaults = draft?.langs?.length ? [] : await api.defaultLangs().catch(() => ['en']);
  const restored = show(draft, defaults);
  startSaving(saved?.id ?? null, collectDraft());
  await restored;
  if (!chooser.chosenForDraft().length) chooser.chooseOnlyAccount();
  refresh();
  await renderDrafts();
}

/**
 * Shows `draft` (a composition; null: an empty one keeping the chosen accounts) in the composer, with
 * `defaults` as its languages when it names none. The editors are there when this returns (what is
 * collected from now on is `draft`); the promise settles once their images are shown.
 */
function show(draft, defaults) {
  forgetCards();
  if (draft) chooser.setChosen(draft.accounts ?? []);
  setLangs(draft?.langs?.length ? draft.langs : defaults, { fromDraft: Boolean(draft?.langs?.length) });
  setReplySettings(draft ?? {});
  return restoreThread(draft?.posts);
}

/** The Queue's "Edit": `entry` (a scheduled post, or one that failed on some accounts) in the composer. */
export const editQueued = (entry) => startEditing(entry);

/** What the composer lends editing.js. */
function editingHooks() {
  return {
    // What Post last did is about the draft being left (or about the post now edited).
    leaveDraft: async () => {
      await stopSaving();
      state.submitted = null;
      hideResults();
    },
    currentDraftId,
    // A post on its way goes with the languages it has: none is "No language", as chosen.
    show: async (composition) => {
      await show(composition, []);
      refresh();
    },
    // Every account chosen, also one waiting to be reconnected: its post stays queued for it.
    collect: async () => ({ ...(await collectComposition()), accounts: chooser.chosenForDraft() }),
    reopen: async (id, keep) => {
      const saved = id === null ? null : await loadDraft(id);
      await openDraft(saved ?? (keep ? { id: null, composition: keep } : null));
      if (keep) {
        startSaving(null, null); // nothing of it is saved yet: the next save writes it all
        await flushDraft();
      }
    },
    announce,
    refresh,
  };
}

async function newDraft() {
  if (state.posting || !state.ready) return;
  if (isBlank(collectDraft())) {
    announce('This draft is empty: write the new one here.');
  } else {
    await openDraft(null);
    announce('New draft. The previous one is in the Drafts list.');
  }
  editors[0]?.focus();
}

/** Discard: the composer is emptied; Undo brings the draft back for a few seconds. */
async function discardDraft() {
  if (state.posting || !state.ready) return;
  await stopSaving();
  const draft = collectDraft();
  const id = currentDraftId();
  if (isBlank(draft) || id === null) {
    startSaving(id, draft);
    announce('There is nothing to discard.');
    return;
  }
  try {
    await api.discardDraft(id);
  } catch (err) {
    startSaving(id, draft);
    announce(`Couldn't discard the draft: ${err.message}`);
    return;
  }
  startSaving(null, draft); // the discarded draft is not written to again
  await openDraft(null);
  offerUndo(id, `Draft discarded: ${excerpt(draft)}`);
  editors[0]?.focus();
}

/** "Remove from outbox" on a thread that failed: it is not sent again; its draft stays. */
async function discardEntry(id) {
  try {
    await api.discardPost(id);
  } catch (err) {
    announce(`Couldn't remove it from the outbox: ${err.message}`);
    return;
  }
  if (id === state.submitted) state.submitted = null;
  hideResults();
  announce('Removed from the outbox. What was posted stays posted; your draft is kept.');
  editors[0]?.focus();
  refresh();
}

// ---- Small things ----

function announce(message) {
  const region = byId('composer-announce');
  region.textContent = '';
  // A fresh node, so the same sentence twice is announced twice.
  if (message) setTimeout(() => { region.textContent = message; }, 50);
}

function wireRequireAlt() {
  const box = /** @type {HTMLInputElement} */ (byId('require-alt'));
  box.addEventListener('change', async () => {
    setRequireAlt(box.checked);
    changed();
    try {
      await api.setSettings({ ...(await api.getSettings()), requireAltText: box.checked });
    } catch (err) {
      box.checked = !box.checked;
      setRequireAlt(box.checked);
      refresh();
      announce(`Couldn't change the setting: ${err.message}`);
    }
  });
}

/**
 * Keyboard focus never ends under the sticky action bar (WCAG "focus not obscured"): a control Tab
 * reached there is scrolled up to just above it. Text boxes taller than the view are left alone.
 */
function keepFocusAboveBar(event) {
  const bar = byId('action-bar');
  if (bar.contains(event.target)) return;
  requestAnimationFrame(() => {
    const main = byId('main');
    const target = event.target.getBoundingClientRect();
    const barTop = bar.getBoundingClientRect().top;
    const room = barTop - main.getBoundingClientRect().top;
    if (target.bottom > barTop && target.height < room) main.scrollTop += target.bottom - barTop + 12;
  });
}

function onKeydown(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  if (byId('view-compose').hidden || dialogOpen()) return;
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    submit();
  } else if (event.key.toLowerCase() === 'n' && event.shiftKey) {
    event.preventDefault();
    newDraft();
  }
}

// ---- Start ----

export async function initComposer() {
  ignoreStrayDrops();
  showImageLimit();
  initThread({
    editor: {
      onChange: changed,
      announce,
      account: () => chooser.chosenAccounts()[0] ?? null,
      lookupAccount: chooser.lookupAccount,
      isBusy: () => state.posting || !state.ready,
    },
    canAdd: () => !state.posting && state.ready,
    announce,
    changed,
  });
  byId('add-post').addEventListener('click', addPost);
  showHintsOnFocus(byId('composer'));
  byId('composer-fields').addEventListener('focusout', (event) => {
    if (/** @type {Element} */ (event.target).matches('.editor-input')) flushDraft();
  });
  chooser.initAccountsChooser({ onChange: () => { editors.forEach((e) => e.accountsChanged()); changed(); } });
  initLangs({ onChange: changed });
  initReplySettings({ onChange: changed });
  initDraft({
    collect: collectDraft,
    onSaved: ({ created }) => { if (created || /** @type {HTMLDetailsElement} */ (byId('drafts')).open) renderDrafts(); },
  });
  initDraftsList({ current: currentDraftId, open: openDraft, discard: discardDraft, announce });
  byId('draft-new').addEventListener('click', newDraft);
  byId('draft-discard').addEventListener('click', discardDraft);
  byId('drafts').addEventListener('toggle', () => { if (/** @type {HTMLDetailsElement} */ (byId('drafts')).open) renderDrafts(); });
  initPostResults({ onDismiss: () => editors[0]?.focus(), onDiscard: discardEntry });
  wireRequireAlt();
  initEditing(editingHooks());
  byId('post-submit').addEventListener('click', submit);
  byId('schedule-open').addEventListener('click', schedule);
  byId('composer').addEventListener('focusin', keepFocusAboveBar);
  document.addEventListener('keydown', onKeydown);
  // Nothing can be typed until the saved draft is back, so restoring it never overwrites new typing.
  /** @type {HTMLFieldSetElement} */ (byId('composer-fields')).disabled = true;
  refresh();

  const accountsLoaded = chooser.loadChoices();
  const [saved, defaults, settings, pending] = await Promise.all([
    loadDraft(),
    api.defaultLangs().catch(() => ['en']),
    api.getSettings().catch(() => ({ requireAltText: false })),
    api.pendingPosts().catch(() => []),
  ]);
  const draft = saved?.composition ?? null;
  /** @type {HTMLInputElement} */ (byId('require-alt')).checked = Boolean(settings?.requireAltText);
  setRequireAlt(/** @type {HTMLInputElement} */ (byId('require-alt')).checked);
  chooser.setChosen(draft?.accounts ?? []);
  setLangs(draft?.langs?.length ? draft.langs : defaults, { fromDraft: Boolean(draft?.langs?.length) });
  setReplySettings(draft ?? {});
  const restored = restoreThread(draft?.posts);
  state.ready = true;
  /** @type {HTMLFieldSetElement} */ (byId('composer-fields')).disabled = false;
  /** @type {HTMLFieldSetElement} */ (byId('reply-fields')).disabled = false;
  startSaving(saved?.id ?? null, collectDraft());
  renderDrafts();
  await Promise.all([restored, accountsLoaded]);
  if (!chooser.chosenForDraft().length) chooser.chooseOnlyAccount();
  refresh();
  // A thread that was being posted when Hayon stopped: what is posted, what is not, and Retry.
  if (pending.length) announce(showPending(pending[0], { retry }));
  // The thread shown as waiting for a connection went by itself: show it as posted.
  api.onQueueSent((sent) => {
    if (sent.id !== state.submitted || state.posting) return;
    announce(finished(sent));
    changed();
  }).catch(() => { /* no event permission: Retry only */ });
}

/** The accounts changed in Rust (connected, refreshed, disconnected): reload the "Post to" list. */
export function reloadComposerAccounts() {
  return chooser.loadChoices().then(() => {
    if (!chooser.chosenForDraft().length) chooser.chooseOnlyAccount();
    refresh();
  });
}

/**
 * Something may have changed elsewhere (the CLI, another window; or Ctrl+R): re-reads the accounts,
 * the settings, the drafts list and the outbox. The open draft stays as it is being written.
 */
export async function rereadComposer() {
  const [settings, outbox] = await Promise.all([
    api.getSettings().catch(() => null),
    api.outboxIds().catch(() => null),
    reloadComposerAccounts(),
    renderDrafts(),
  ]);
  if (settings && /** @type {HTMLInputElement} */ (byId('require-alt')).checked !== Boolean(settings.requireAltText)) {
    /** @type {HTMLInputElement} */ (byId('require-alt')).checked = Boolean(settings.requireAltText);
    setRequireAlt(/** @type {HTMLInputElement} */ (byId('require-alt')).checked);
  }
  if (outbox) {
    // A thread sent or discarded elsewhere is no longer this window's to retry.
    if (state.submitted !== null && !outbox.includes(state.submitted)) state.submitted = null;
    const shown = shownEntry();
    if (shown !== null && !outbox.includes(shown) && !state.posting) hideResults();
  }
  refresh();
}

/** For the first screen: put the cursor in the first post's text box. */
export function focusComposer() {
  editors[0]?.focus();
}
