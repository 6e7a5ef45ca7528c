// @ts-check
// An accessible yes/no question in the native modal <dialog id="confirm-dialog">: focus is trapped by
// the browser, Escape cancels, and focus goes back to the control that asked. Plain buttons close it
// (no <form method="dialog">, which the window's CSP `form-action 'none'` could block).
import { byId } from './dom.js';

let wired = false;
function wire() {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-dialog'));
  byId('confirm-yes').addEventListener('click', () => dialog.close('confirm'));
  byId('confirm-no').addEventListener('click', () => dialog.close('cancel'));
  wired = true;
}

/**
 * Resolves true when the person chose the confirm button, false on the other one or Escape.
 * @param {{title: string, body: string, confirmLabel: string, cancelLabel?: string}} question
 */
export function confirmDialog({ title, body, confirmLabel, cancelLabel = 'Cancel' }) {
  if (!wired) wire();
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-dialog'));
  byId('confirm-title').textContent = title;
  byId('confirm-body').textContent = body;
  byId('confirm-yes').textContent = confirmLabel;
  byId('confirm-no').textContent = cancelLabel;
  const opener = document.activeElement;
  dialog.returnValue = '';
  dialog.showModal();
  byId('confirm-no').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'confirm');
    }, { once: true });
  });
}
