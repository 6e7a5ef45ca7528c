// @ts-check
// Settings › Schedule: the weekly posting slots "Add to queue" uses, and how late a missed post may
// still go by itself (and, from background.js, what Hayon does with its window closed). Both live in the stored settings (get_settings / set_settings); Rust checks
// them (a slot is a time of day, the hold 1 minute to 7 days) and its reason is shown here.
import * as api from '../api.js';
import { byId, h } from '../dom.js';
import { initBackgroundSettings, loadBackgroundSettings } from './background.js';

/** @typedef {import('../ipc').Slot} Slot */
/** @typedef {import('../ipc').Weekday} Weekday */

/** @type {Weekday[]} */
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** Day names in the person's language: 2024-01-01 was a Monday. */
const dayName = (i) => new Intl.DateTimeFormat(undefined, { weekday: 'long' }).format(new Date(2024, 0, 1 + i));
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const minuteLabel = (minute) => timeFormat.format(new Date(2024, 0, 1, Math.floor(minute / 60), minute % 60));
const UNITS = { minutes: 1, hours: 60, days: 24 * 60 };

/** @type {Slot[]} */
let slots = [];

function announce(message) {
  const region = byId('slots-announce');
  region.textContent = '';
  if (message) setTimeout(() => { region.textContent = message; }, 50);
}

function renderSlots() {
  const days = WEEKDAYS.map((weekday, i) => {
    const times = slots.filter((slot) => slot.weekday === weekday).sort((a, b) => a.minute - b.minute);
    return h('li', { class: 'slot-day' },
      h('span', { class: 'slot-day-name' }, dayName(i)),
      times.length
        ? h('ul', { class: 'slot-times', 'aria-label': `Posting times on ${dayName(i)}` }, times.map((slot) => h('li', { class: 'slot-chip' },
          h('span', {}, minuteLabel(slot.minute)),
          h('button', { type: 'button', class: 'btn btn-ghost slot-remove', 'data-weekday': weekday, 'data-minute': slot.minute, 'aria-label': `Remove ${dayName(i)} ${minuteLabel(slot.minute)}` },
            h('span', { 'aria-hidden': 'true' }, '×')))))
        : h('span', { class: 'muted' }, 'No posting times'));
  });
  byId('slot-days').replaceChildren(...days);
}

/** Saves `change` applied to the stored settings; shows Rust's reason when it refuses. */
async function save(change, done) {
  const error = byId('schedule-settings-error');
  try {
    const settings = await api.getSettings();
    const next = change(settings);
    await api.setSettings(next);
    slots = next.queueSlots;
    error.textContent = '';
    renderSlots();
    announce(done);
    return true;
  } catch (err) {
    error.textContent = err.message;
    return false;
  }
}

function showHold(minutes) {
  const unit = minutes % UNITS.days === 0 ? 'days' : minutes % UNITS.hours === 0 ? 'hours' : 'minutes';
  /** @type {HTMLInputElement} */ (byId('hold-amount')).value = String(minutes / UNITS[unit]);
  /** @type {HTMLSelectElement} */ (byId('hold-unit')).value = unit;
}

export async function loadScheduleSettings() {
  try {
    const settings = await api.getSettings();
    slots = settings.queueSlots;
    showHold(settings.holdLateAfterMinutes);
    renderSlots();
    await loadBackgroundSettings();
  } catch (err) {
    byId('schedule-settings-error').textContent = `Couldn't read the settings: ${err.message}`;
  }
}

export function initScheduleSettings() {
  initBackgroundSettings();
  const day = /** @type {HTMLSelectElement} */ (byId('slot-day'));
  day.append(
    h('option', { value: 'weekdays' }, `${dayName(0)} to ${dayName(4)}`),
    h('option', { value: 'every' }, 'Every day'),
    ...WEEKDAYS.map((weekday, i) => h('option', { value: weekday }, dayName(i))));
  byId('slot-add').addEventListener('click', async () => {
    const time = /** @type {HTMLInputElement} */ (byId('slot-time')).value;
    if (!time) {
      byId('schedule-settings-error').textContent = 'Choose a time to add.';
      byId('slot-time').focus();
      return;
    }
    const [hours, minutes] = time.split(':').map(Number);
    const minute = hours * 60 + minutes;
    const days = day.value === 'weekdays' ? WEEKDAYS.slice(0, 5) : day.value === 'every' ? WEEKDAYS : [/** @type {Weekday} */ (day.value)];
    await save((settings) => {
      const kept = settings.queueSlots.filter((slot) => !(days.includes(slot.weekday) && slot.minute === minute));
      return { ...settings, queueSlots: [...kept, ...days.map((weekday) => ({ weekday, minute }))] };
    }, `Added ${minuteLabel(minute)} on ${day.selectedOptions[0]?.textContent ?? ''}.`);
  });
  byId('slot-days').addEventListener('click', async (event) => {
    const button = /** @type {HTMLElement | null} */ (/** @type {Element} */ (event.target).closest('.slot-remove'));
    if (!button) return;
    const weekday = button.dataset.weekday;
    const minute = Number(button.dataset.minute);
    const label = button.getAttribute('aria-label')?.replace(/^Remove /, '') ?? '';
    const saved = await save((settings) => ({
      ...settings,
      queueSlots: settings.queueSlots.filter((slot) => !(slot.weekday === weekday && slot.minute === minute)),
    }), `Removed ${label}.`);
    if (saved) byId('slot-time').focus();
  });
  const saveHold = () => {
    const amount = Number(/** @type {HTMLInputElement} */ (byId('hold-amount')).value);
    const unit = /** @type {HTMLSelectElement} */ (byId('hold-unit')).value;
    const minutes = Math.round(amount * (UNITS[unit] ?? 1));
    if (!Number.isFinite(minutes)) {
      byId('schedule-settings-error').textContent = 'Give the time as a number.';
      return;
    }
    save((settings) => ({ ...settings, holdLateAfterMinutes: minutes }), 'Saved.');
  };
  byId('hold-amount').addEventListener('change', saveHold);
  byId('hold-unit').addEventListener('change', saveHold);
}
