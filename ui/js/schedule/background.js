// @ts-check
// Settings › Schedule › In the background: whether Hayon sends by itself right now (the tray's
// "Pause sending" is the same setting), whether closing the window leaves it running in the tray
// while posts are scheduled, and whether it starts at login (hidden, in the tray). The first two are
// stored settings; the last is the session's autostart entry, which Rust reads and writes.
import * as api from '../api.js';
import { byId } from '../dom.js';

/** @typedef {import('../ipc').Preferences} Preferences */

/** The checkboxes kept in the stored settings, by element ID. */
const STORED = /** @type {const} */ ({ 'sending-paused': 'sendingPaused', 'keep-in-tray': 'keepRunningInTray' });

const box = (id) => /** @type {HTMLInputElement} */ (byId(id));

export async function loadBackgroundSettings() {
  const settings = await api.getSettings();
  for (const [id, key] of Object.entries(STORED)) {
    box(id).checked = Boolean(settings[/** @type {keyof Preferences} */ (key)]);
    box(id).disabled = false;
  }
  box('start-at-login').checked = await api.startAtLogin();
  box('start-at-login').disabled = false;
}

/** Saves one checkbox with `store`; puts it back and says why when that fails. */
async function saveBox(input, store) {
  input.disabled = true;
  try {
    await store(input.checked);
    byId('schedule-settings-error').textContent = '';
  } catch (err) {
    input.checked = !input.checked;
    byId('schedule-settings-error').textContent = `The setting could not be saved: ${err.message}`;
  } finally {
    input.disabled = false;
  }
}

export function initBackgroundSettings() {
  for (const [id, key] of Object.entries(STORED)) {
    box(id).addEventListener('change', () => saveBox(box(id), async (on) => {
      await api.setSettings({ ...(await api.getSettings()), [key]: on });
    }));
  }
  box('start-at-login').addEventListener('change', () => saveBox(box('start-at-login'), api.setStartAtLogin));
}
