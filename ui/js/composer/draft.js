// @ts-check
// Saving the open draft as you type, so it survives a crash: at most one save every 400 ms while
// typing, plus at once when the window loses focus, is hidden or closes. Nothing is saved until the
// saved draft has been restored, and an unchanged draft is not saved again. A new draft gets its id
// from Rust at its first save; `onSaved` hears each save (the drafts list shows the new time).
import * as api from '../api.js';
import { byId } from '../dom.js';

const INTERVAL = 400;

let collect = () => null;
/** @type {(saved: { created: boolean }) => void} */
let onSaved = () => {};
let enabled = false;
let draftId = null; // the open draft's id; null until a new draft is first saved
let lastSaved = null; // JSON of the last draft Rust has
let lastAt = 0;
let timer = 0;
let inFlight = null;

export function initDraft(options) {
  ({ collect, onSaved } = options);
  window.addEventListener('blur', () => flushDraft());
  document.addEventListener('visibilitychange', () => { if (document.hidden) flushDraft(); });
  window.addEventListener('beforeunload', () => flushDraft());
}

/** → the saved draft `id` (the most recent one when null) `{ id, updatedAt, composition }`, or null. A
 * draft that can't be read is reported, not fatal. */
export async function loadDraft(id = null) {
  try {
    return await api.loadDraft(id);
  } catch (err) {
    setStatus(`Couldn't load your saved draft: ${err.message}`, 'error');
    return null;
  }
}

/** The open draft's id (null: not saved yet). */
export const currentDraftId = () => draftId;

/**
 * Starts saving draft `id` (null: a new draft); `current` is what Rust already has (so it isn't
 * written back unchanged). Another draft than the open one clears the save status.
 */
export function startSaving(id, current) {
  if (id !== draftId) setStatus('', ''); // "Draft saved" was about the draft that was open
  draftId = id;
  lastSaved = JSON.stringify(current);
  enabled = true;
}

/** Saves what is pending, then stops (before the composer shows another draft). */
export async function stopSaving() {
  await flushDraft();
  enabled = false;
}

/** Called on every change: saves now if the last save was ≥ 400 ms ago, else when that time is up. */
export function scheduleSave() {
  if (!enabled || timer) return;
  timer = setTimeout(() => { timer = 0; save(); }, Math.max(0, lastAt + INTERVAL - Date.now()));
}

/** Saves at once (if anything changed); resolves when Rust has it. */
export async function flushDraft() {
  if (!enabled) return;
  clearTimeout(timer);
  timer = 0;
  await save();
}

async function save() {
  if (inFlight) {
    await inFlight; // one save at a time, and the newest state wins
    return save();
  }
  const draft = collect();
  const json = JSON.stringify(draft);
  if (json === lastSaved) return;
  lastAt = Date.now();
  inFlight = api.saveDraft(draftId, draft).then(
    (id) => {
      const created = id !== draftId;
      draftId = id;
      lastSaved = json;
      setStatus('Draft saved', 'ok');
      onSaved({ created });
    },
    (err) => setStatus(`Couldn't save your draft: ${err.message}`, 'error'),
  ).finally(() => { inFlight = null; });
  await inFlight;
}

function setStatus(text, kind) {
  const el = byId('draft-status');
  el.textContent = text;
  el.dataset.kind = kind;
}
