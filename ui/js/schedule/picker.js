// @ts-check
// The Schedule picker (<dialog id="schedule-dialog">), shared by the composer's "Schedule…" and the
// Queue's "Reschedule…": a date and a time in the person's local time, the time zone named in their
// language, quick choices, and — from the composer — "Add to queue" (the next free posting slot).
// Rust decides: the time goes as picked (`YYYY-MM-DDTHH:MM`) and the core refuses one in the past or
// less than a minute ahead; its reason is shown in the dialog, which stays open to pick again.
// A native modal dialog: the browser traps focus, Escape cancels, focus goes back to the opener.
import * as api from '../api.js';
import { byId, setBusy } from '../dom.js';
import { localDateTime, zoneLabel } from '../time.js';

/**
 * @typedef {object} PickOptions
 * @property {string} title the dialog's heading
 * @property {string} confirmLabel the Schedule button's label
 * @property {string | null} [initial] an RFC 3339 time to start from
 * @property {(at: string) => Promise<unknown>} pick schedules at `at`; rejects with the reason
 * @property {(() => Promise<unknown>) | null} [queue] "Add to queue"; none when null
 */

/** @type {PickOptions | null} */
let shown = null;
let wired = false;

const dialog = () => /** @type {HTMLDialogElement} */ (byId('schedule-dialog'));
const dateInput = () => /** @type {HTMLInputElement} */ (byId('schedule-date'));
const timeInput = () => /** @type {HTMLInputElement} */ (byId('schedule-time'));

const pad = (n) => String(n).padStart(2, '0');
const dateValue = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const timeValue = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** The quick choices, as local times from `now`. */
const QUICK = {
  hour: (now) => {
    const d = new Date(now.getTime() + 60 * 60_000);
    if (d.getSeconds() || d.getMilliseconds()) d.setMinutes(d.getMinutes() + 1, 0, 0);
    return d;
  },
  tomorrow: (now) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0),
  // The coming Monday (a week on, when today is Monday).
  monday: (now) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + (((8 - now.getDay()) % 7) || 7), 9, 0),
};

function setPicked(d) {
  dateInput().value = dateValue(d);
  timeInput().value = timeValue(d);
  showPicked();
}

/** The time picked, as the core reads it, or null while a field is empty. */
function picked() {
  const date = dateInput().value;
  const time = timeInput().value;
  return date && time ? `${date}T${time}` : null;
}

/** Says the picked time in words ("Tuesday, 8 December 2026 at 09:00"), and clears an old reason. */
function showPicked() {
  const at = picked();
  const parsed = at ? new Date(at) : null;
  byId('schedule-when').textContent = parsed && !Number.isNaN(parsed.getTime()) ? `Goes ${localDateTime(parsed)}.` : '';
  byId('schedule-error').textContent = '';
}

async function run(button, work) {
  if (!shown || dialog().dataset.busy) return;
  dialog().dataset.busy = 'true';
  setBusy(button, true);
  byId('schedule-error').textContent = '';
  try {
    await work();
    dialog().close('done');
  } catch (err) {
    byId('schedule-error').textContent = err?.message || 'Something went wrong.';
  } finally {
    delete dialog().dataset.busy;
    setBusy(button, false);
  }
}

function confirm() {
  const at = picked();
  if (!at) {
    byId('schedule-error').textContent = 'Choose a date and a time.';
    (dateInput().value ? timeInput() : dateInput()).focus();
    return;
  }
  const options = shown;
  run(byId('schedule-confirm'), () => options?.pick(at) ?? Promise.resolve());
}

function wire() {
  wired = true;
  for (const input of [dateInput(), timeInput()]) input.addEventListener('input', showPicked);
  byId('schedule-quick').addEventListener('click', (event) => {
    const button = /** @type {Element} */ (event.target).closest('button[data-quick]');
    const choice = button && QUICK[/** @type {HTMLElement} */ (button).dataset.quick ?? ''];
    if (choice) setPicked(choice(new Date()));
  });
  byId('schedule-confirm').addEventListener('click', confirm);
  byId('schedule-fields').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      confirm();
    }
  });
  byId('schedule-queue').addEventListener('click', () => {
    const options = shown;
    run(byId('schedule-queue'), () => options?.queue?.() ?? Promise.resolve());
  });
  byId('schedule-cancel').addEventListener('click', () => dialog().close('cancel'));
  // Escape while Rust is working would leave its answer nowhere to be shown.
  dialog().addEventListener('cancel', (event) => { if (dialog().dataset.busy) event.preventDefault(); });
}

/** Names the time zone the picked time is read in, in the person's language. */
async function showZone() {
  const zone = await api.scheduleZone().catch(() => '');
  byId('schedule-zone').textContent = `Times are in your time zone: ${zoneLabel(zone)}.`;
}

/**
 * Opens the picker. Resolves true once `pick` or `queue` succeeded (the dialog has closed), false
 * when the person cancelled.
 * @param {PickOptions} options
 * @returns {Promise<boolean>}
 */
export function pickTime(options) {
  if (!wired) wire();
  shown = options;
  byId('schedule-title').textContent = options.title;
  byId('schedule-confirm').querySelector('.btn-label').textContent = options.confirmLabel;
  byId('schedule-queue').hidden = !options.queue;
  byId('schedule-queue-hint').hidden = !options.queue;
  const start = options.initial ? new Date(options.initial) : QUICK.hour(new Date());
  setPicked(Number.isNaN(start.getTime()) ? QUICK.hour(new Date()) : start);
  showZone();
  const opener = document.activeElement;
  dialog().returnValue = '';
  dialog().showModal();
  dateInput().focus();
  return new Promise((resolve) => {
    dialog().addEventListener('close', () => {
      shown = null;
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog().returnValue === 'done');
    }, { once: true });
  });
}
