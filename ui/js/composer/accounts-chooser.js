// @ts-check
// "Post to": one checkbox per connected account (#account-chooser, input.post-account[value=DID]).
// Accounts that need reconnection are listed but disabled, with a link to Settings; with no account
// at all, an empty state points there. The choice itself is kept here (not in the DOM), so it can be
// restored from a draft before the list has loaded and survives re-rendering.
import * as api from '../api.js';
import { byId, h } from '../dom.js';
import { avatar } from '../avatar.js';

let accounts = [];
let loaded = false;
let selected = new Set();
let onChange = () => {};

export function initAccountsChooser(options) {
  ({ onChange } = options);
  byId('account-choices').addEventListener('change', (event) => {
    const box = /** @type {HTMLInputElement} */ (/** @type {Element} */ (event.target).closest('input.post-account'));
    if (!box) return;
    if (box.checked) selected.add(box.value); else selected.delete(box.value);
    onChange();
  });
}

/** (Re)loads the connected accounts from Rust. */
export async function loadChoices() {
  try {
    const list = await api.listAccounts();
    accounts = list.filter((a) => a.connected !== false);
    byId('account-chooser-error').textContent = '';
  } catch (err) {
    byId('account-chooser-error').textContent = `Couldn't load your accounts: ${err.message}`;
  }
  loaded = true;
  render();
  onChange();
}

const usable = (a) => !a.health?.needsReconnection;
export const accountsLoaded = () => loaded;
export const connectedCount = () => accounts.length;
export const usableCount = () => accounts.filter(usable).length;
/** The chosen accounts that can post now, in list order. */
export const chosenAccounts = () => accounts.filter((a) => usable(a) && selected.has(a.did)).map((a) => a.did);
/** The account lookups (mentions) go through: the first chosen one, else the first that can post. */
export const lookupAccount = () => chosenAccounts()[0] ?? accounts.find(usable)?.did ?? null;
/** Everything chosen, including accounts not loaded (yet): what the draft remembers. */
export const chosenForDraft = () => [...selected];
export const handleOf = (did) => accounts.find((a) => a.did === did)?.handle ?? did;

export function setChosen(dids = []) {
  selected = new Set(dids);
  render();
}

/** With a single usable account there is nothing to choose: tick it. */
export function chooseOnlyAccount() {
  const ready = accounts.filter(usable);
  if (ready.length === 1 && selected.size === 0) setChosen([ready[0].did]);
}

function render() {
  const list = byId('account-choices');
  const focusedDid = list.contains(document.activeElement) ? /** @type {HTMLInputElement} */ (document.activeElement).value : null;
  byId('account-chooser-loading').hidden = loaded;
  byId('account-chooser-empty').hidden = !loaded || accounts.length > 0;
  list.replaceChildren(...accounts.map(choice));
  if (focusedDid) /** @type {HTMLInputElement} */ (list.querySelector(`input[value="${CSS.escape(focusedDid)}"]`))?.focus();
}

function choice(account) {
  const ok = usable(account);
  const id = `post-account-${account.did.replace(/[^a-zA-Z0-9]/g, '-')}`;
  const hintId = `${id}-hint`;
  const box = h('input', {
    type: 'checkbox', class: 'post-account', id, value: account.did,
    disabled: !ok, 'aria-describedby': ok ? null : hintId,
  });
  box.checked = ok && selected.has(account.did);
  const name = account.displayName || account.handle || account.did;
  return h('li', { class: 'account-choice', 'data-did': account.did, 'data-usable': String(ok) },
    box,
    h('label', { for: id, class: 'account-choice-label' },
      avatar(account, { className: 'choice-avatar', size: 28 }),
      h('span', { class: 'account-choice-text' },
        h('span', { class: 'account-choice-name' }, name),
        account.handle && name !== account.handle ? h('span', { class: 'account-choice-handle' }, `@${account.handle}`) : null)),
    ok ? null : h('p', { class: 'account-choice-hint', id: hintId },
      'Needs reconnection — ', h('a', { href: '#/settings/accounts' }, 'reconnect in Settings')));
}

