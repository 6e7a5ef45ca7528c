// @ts-check
// Quitting Hayon from the window (Ctrl+Q) or from the tray's menu: a closed Hayon sends nothing, so
// when a scheduled post is due within the hour the person is asked first (Rust counts them; see
// src-tauri/src/lifecycle.rs).
import * as api from './api.js';
import { confirmDialog } from './confirm-dialog.js';

/** @param {number} dueSoon */
async function ask(dueSoon) {
  const posts = dueSoon === 1 ? 'A scheduled post is' : `${dueSoon} scheduled posts are`;
  const quit = await confirmDialog({
    title: 'Quit Hayon?',
    body: `${posts} due within the hour and will not go out while Hayon is closed. `
      + 'They go when Hayon starts again, or wait for you if they are late by then.',
    confirmLabel: 'Quit anyway',
  });
  if (quit) await api.quit(true);
}

/** Quits, or first asks when posts are due soon. */
export async function quitOrAsk() {
  const answer = await api.quit(false); // Rust quits at once when nothing is due soon
  if (answer.dueSoon > 0) await ask(answer.dueSoon);
}

/** Answers the tray's Quit, which brings the window back and asks here. */
export function initQuit() {
  api.onQuitRequested((answer) => ask(answer.dueSoon)).catch(() => { /* no event permission */ });
}
