// @ts-check
// The connected-accounts list: renders each account with its health, and runs the per-account
// actions (refresh, disconnect, reconnect). All Rust calls go through api.js.
import * as api from './api.js';
import { actionButton, byId, h } from './dom.js';
import { avatar } from './avatar.js';
import { relativeTime, shortDateTime } from './time.js';
import { showStatus } from './status.js';
import { confirmDialog } from './confirm-dialog.js';

const APP_PASSWORD_NOTE = "the app password itself stays valid until you delete it in Bluesky's " +
  'settings (Settings › Privacy and security › App passwords).';

/** A sign-in with Bluesky this close to its end is shown as ending soon, with Sign in again. */
const ENDING_SOON_MS = 2 * 24 * 3600 * 1000;

const isOauth = (account) => account.signIn?.kind === 'oauth';

/** Milliseconds until the account's sign-in ends (Sign in with Bluesky), or null. */
function msLeft(account, now = Date.now()) {
  const end = Date.parse(account.signIn?.expiresAt ?? '');
  return Number.isNaN(end) ? null : end - now;
}

const state = {
  accounts: [],
  busy: new Map(), // did → 'refresh' | 'disconnect'
  focusKey: null, // { did, cls } of the list button to keep focused across re-renders
  /** @type {(account: import('./ipc').Account) => void} */
  onReconnect: () => {},
  /** @type {(count: number) => void} */
  onListed: () => {},
};
let loadSeq = 0;

/** `onReconnect(account)` for an account's Reconnect; `onListed(count)` after each render of the list. */
export function initAccounts({ onReconnect, onListed }) {
  state.onReconnect = onReconnect;
  state.onListed = onListed;
  byId('account-list').addEventListener('click', onListClick);
  byId('refresh-all').addEventListener('click', refreshAll);
}

/** Reloads the list from Rust. Overlapping loads are fine: only the newest answer is shown. */
export async function loadAccounts() {
  const seq = ++loadSeq;
  try {
    const accounts = await api.listAccounts();
    if (seq !== loadSeq) return;
    state.accounts = accounts.filter((a) => a.connected !== false); // disconnected records are history
  } catch (err) {
    if (seq !== loadSeq) return;
    showStatus(`Couldn't load your accounts: ${err.message}`, { kind: 'error' });
  }
  byId('accounts-loading').hidden = true;
  render();
}

/** Puts a freshly connected or refreshed account into the list (replacing one with the same DID). */
export function upsertAccount(account) {
  const i = state.accounts.findIndex((a) => a.did === account.did);
  if (i >= 0) state.accounts[i] = account; else state.accounts.push(account);
  render();
}

const at = (a) => (a.handle ? `@${a.handle}` : a.did);
const findAccount = (did) => state.accounts.find((a) => a.did === did);

function render() {
  const list = byId('account-list');
  // Remember which control had focus so re-rendering never drops keyboard users back to <body>. While an
  // item is busy its buttons are disabled and focus is lost, so the key is kept until the item is idle.
  const focused = document.activeElement;
  if (list.contains(focused)) {
    const cls = ['refresh', 'disconnect', 'reconnect'].find((c) => focused.classList.contains(c));
    state.focusKey = { did: /** @type {HTMLElement} */ (focused.closest('.account'))?.dataset.did, cls };
  } else if (focused && focused !== document.body) {
    state.focusKey = null;
  }

  list.replaceChildren(...state.accounts.map(renderAccount));
  const empty = state.accounts.length === 0;
  byId('accounts-empty').hidden = !empty;
  byId('refresh-all').hidden = empty;
  state.onListed(state.accounts.length);

  const key = state.focusKey;
  if (key) {
    const item = /** @type {HTMLElement[]} */ ([...list.children]).find((li) => li.dataset.did === key.did);
    const target = item?.querySelector(`.${key.cls}:not(:disabled)`) ?? item?.querySelector('button:not(:disabled)');
    /** @type {HTMLElement} */ (target)?.focus();
    if (!item || !state.busy.has(key.did)) state.focusKey = null;
  }
}

function healthView(account) {
  const health = account.health ?? {};
  if (!account.connected) return 'Disconnected';
  if (health.needsReconnection || health.status === 'expired' || health.status === 'revoked') {
    return isOauth(account) ? 'Needs signing in again' : 'Needs reconnection';
  }
  if (health.status === 'error') return health.lastError || 'Last refresh failed';
  return 'Connected';
}

function renderAccount(account) {
  const health = account.health ?? {};
  const busy = state.busy.get(account.did);
  const label = at(account);

  const refreshed = health.lastSuccessfulRefresh;
  const when = relativeTime(refreshed);
  const meta = [when
    ? ['Last refreshed ', h('time', { datetime: refreshed, title: refreshed, 'data-relative': '' }, when)]
    : 'Not refreshed yet'];
  if (health.consecutiveFailures > 1) meta.push(` · ${health.consecutiveFailures} failed attempts`);
  if (account.service && !/^https:\/\/bsky\.social\/?$/.test(account.service)) {
    try { meta.push(` · on ${new URL(account.service).host}`); } catch { /* shown without host */ }
  }
  const left = msLeft(account);
  const endingSoon = isOauth(account) && left !== null && left < ENDING_SOON_MS;
  const signedIn = isOauth(account)
    ? [' · Signed in with Bluesky', account.signIn.expiresAt
      ? [left !== null && left <= 0 ? ', ended ' : ', until ',
        h('time', { datetime: account.signIn.expiresAt, class: endingSoon ? 'ending-soon' : null },
          shortDateTime(account.signIn.expiresAt))]
      : '',
    account.signIn.scope ? ` · Access granted: ${account.signIn.scope}` : '']
    : ' · App password';
  meta.push(signedIn);

  const refresh = actionButton('refresh', 'Refresh', { 'aria-label': `Refresh ${label}` });
  const disconnect = actionButton('disconnect btn-quiet', 'Disconnect', { 'aria-label': `Disconnect ${label}` });
  const actions = [refresh, disconnect];
  if (health.needsReconnection || endingSoon) {
    const again = isOauth(account) ? 'Sign in again' : 'Reconnect';
    actions.unshift(actionButton('reconnect btn-primary', again, { 'aria-label': `${again}: ${label}` }));
  }
  if (busy) {
    for (const b of actions) b.disabled = true;
    const active = busy === 'refresh' ? refresh : disconnect;
    active.setAttribute('aria-busy', 'true');
    active.querySelector('.btn-label').textContent = busy === 'refresh' ? 'Refreshing…' : 'Disconnecting…';
  }

  return h('li', { class: 'account', 'data-did': account.did, 'aria-busy': busy ? 'true' : null },
    avatar(account, { className: 'avatar', size: 48 }),
    h('div', { class: 'account-main' },
      h('div', { class: 'account-name-row' },
        // Without a display name the handle is the name, shown once.
        account.displayName
          ? h('span', { class: 'account-name' }, account.displayName)
          : h('span', { class: 'account-name account-handle' }, label),
        h('span', { class: 'health-badge', 'data-status': account.connected ? (health.status ?? 'active') : 'disconnected' }, healthView(account))),
      account.displayName ? h('div', { class: 'account-handle' }, label) : null,
      h('p', { class: 'account-meta' }, meta)),
    h('div', { class: 'account-actions' }, actions));
}

function onListClick(event) {
  const button = event.target.closest('button');
  const did = button?.closest('.account')?.dataset.did;
  const account = did && findAccount(did);
  if (!account || button.disabled) return;
  if (button.classList.contains('refresh')) refreshOne(account);
  else if (button.classList.contains('disconnect')) disconnect(account);
  else if (button.classList.contains('reconnect')) state.onReconnect(account);
}

async function runRefresh(account) {
  state.busy.set(account.did, 'refresh');
  render();
  try {
    const updated = await api.refreshAccount(account.did);
    const i = state.accounts.findIndex((a) => a.did === account.did);
    if (i >= 0) state.accounts[i] = updated;
    return { ok: true, account: updated };
  } catch (err) {
    return { ok: false, error: err };
  } finally {
    state.busy.delete(account.did);
    render();
  }
}

async function refreshOne(account) {
  const result = await runRefresh(account);
  if (result.ok) {
    showStatus(`Refreshed ${at(result.account)}.`, { kind: 'success' });
  } else {
    showStatus(`Couldn't refresh ${at(account)}: ${result.error.message}`, { kind: 'error' });
    loadAccounts(); // Rust recorded the failure in the account's health
  }
}

/** Refreshes every account that can be refreshed (Ctrl/Cmd+R and the "Refresh all" button). */
export async function refreshAll() {
  const targets = state.accounts.filter((a) => a.connected && !a.health?.needsReconnection && !state.busy.has(a.did));
  const waiting = state.accounts.filter((a) => a.health?.needsReconnection);
  if (targets.length === 0) {
    if (state.accounts.length) showStatus('Nothing to refresh: reconnect the accounts that need it first.', { kind: 'warning' });
    return;
  }
  showStatus(`Refreshing ${targets.length === 1 ? '1 account' : `${targets.length} accounts`}…`);
  const results = await Promise.all(targets.map(runRefresh));
  const failed = results.map((r, i) => [r, targets[i]]).filter(([r]) => !r.ok);
  const details = [
    ...failed.map(([r, a]) => `${at(a)}: ${r.error.message}`),
    ...waiting.map((a) => `${at(a)} needs reconnection.`),
  ];
  const done = targets.length - failed.length;
  const summary = failed.length === 0
    ? `Refreshed ${done === 1 ? '1 account' : `all ${done} accounts`}.`
    : `Refreshed ${done} of ${targets.length} accounts.`;
  showStatus(summary, { kind: failed.length ? 'error' : (waiting.length ? 'warning' : 'success'), details });
  if (failed.length) loadAccounts();
}

/** The queued posts that would go to account `did` (none when the queue cannot be read). */
async function scheduledFor(did) {
  const queued = await api.scheduledPosts().catch(() => []);
  return queued.filter((row) => row.accounts.some((delivery) => delivery.account === did));
}

/**
 * After `label` was disconnected with posts `queued` for it: asks whether to cancel them. Those
 * meant for this account alone are cancelled; one shared with other accounts still goes to them (and
 * to this one, if it is connected again before then).
 */
async function offerToCancel(label, queued) {
  const alone = queued.filter((row) => row.accounts.length === 1);
  const shared = queued.length - alone.length;
  const count = queued.length === 1 ? 'a scheduled post' : `${queued.length} scheduled posts`;
  const cancel = await confirmDialog({
    title: `Cancel the scheduled posts of ${label}?`,
    body: `${label} has ${count} in the Queue. Kept, they wait there and go once you connect the account again.`
      + (shared ? ` ${shared === 1 ? 'One is' : `${shared} are`} also for other accounts: those still get it.` : ''),
    confirmLabel: alone.length ? 'Cancel them' : 'OK',
    cancelLabel: 'Keep them',
  });
  if (!cancel || !alone.length) return;
  const results = await Promise.allSettled(alone.map((row) => api.cancelScheduled(row.id)));
  const failed = results.filter((result) => result.status === 'rejected').length;
  showStatus(failed ? `${failed} of the scheduled posts of ${label} could not be cancelled; see the Queue.`
    : `Cancelled the scheduled posts of ${label}.`, { kind: failed ? 'error' : 'success' });
}

async function disconnect(account) {
  const label = at(account);
  const yes = await confirmDialog({
    title: `Disconnect ${label}?`,
    body: isOauth(account)
      ? "Hayon will revoke its access at your server and forget this account on this computer. " +
        'You can sign in again later.'
      : 'Hayon will end its session on the server and forget this account on this computer. ' +
        'You can connect it again later with an app password.',
    confirmLabel: 'Disconnect',
  });
  if (!yes) return;
  const queued = await scheduledFor(account.did);

  state.busy.set(account.did, 'disconnect');
  render();
  try {
    const result = await api.disconnectAccount(account.did);
    state.accounts = state.accounts.filter((a) => a.did !== account.did);
    const text = isOauth(account)
      ? (result.serverSessionRevoked
        ? `Disconnected ${label}: its server revoked Hayon's access, and nothing of the sign-in is left on this computer.`
        : `Disconnected ${label} from this computer, but its server could not be reached to revoke Hayon's access. ` +
          "You can revoke it in your account's settings.")
      : result.serverSessionRevoked
        ? `Disconnected ${label} and ended its session on the server. Note: ${APP_PASSWORD_NOTE}`
        : `Disconnected ${label} from this computer, but the server could not be reached, so the session ` +
          `could not be ended there. Note: ${APP_PASSWORD_NOTE}`;
    showStatus(text, { kind: result.serverSessionRevoked ? 'success' : 'warning' });
    if (queued.length) await offerToCancel(label, queued);
  } catch (err) {
    showStatus(`Couldn't disconnect ${label}: ${err.message}`, { kind: 'error' });
  } finally {
    state.busy.delete(account.did);
    render();
  }
  // The item (and the button that had focus) may be gone: land on the page heading instead.
  if (!byId('account-list').contains(document.activeElement)) byId('accounts-title').focus();
  loadAccounts();
}
