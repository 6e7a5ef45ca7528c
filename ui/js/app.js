// @ts-check
// Entry point: wires the views together — hash navigation between Compose, the Queue, Settings ›
// Connected accounts, Settings › Schedule and Settings › About and updates, keyboard shortcuts, the
// first load, and live data: the `accounts-changed` event from Rust, `open-view` (a click on a
// notification), `data-changed` when the CLI or another window changed the database
// (src-tauri/src/watch.rs), the window getting the focus, and Ctrl/⌘+R re-read what the views show
// (never reloading the page: the draft being written stays).
// The views share one scroll container (<main>; the sidebar and the window never scroll): a view
// opens at its top, and moving to another view puts keyboard focus on its heading.
import { closeWindow, listAccounts, onAccountsChanged, onDataChanged, onOpenView } from './api.js';
import { byId } from './dom.js';
import { initAbout } from './about.js';
import { initAccounts, loadAccounts, refreshAll, upsertAccount } from './accounts.js';
import { focusIdentifier, initConnectForm, prefillReconnect, setHasAccounts } from './connect-form.js';
import { quitOrAsk, initQuit } from './quit.js';
import { showStatus } from './status.js';
import { refreshRelativeTimes } from './time.js';
import { initQueue, loadQueue } from './schedule/queue.js';
import { initScheduleSettings, loadScheduleSettings } from './schedule/slots.js';

const ROUTES = {
  '#/compose': { view: 'view-compose', nav: 'nav-compose', title: 'Compose', heading: 'compose-title' },
  '#/queue': { view: 'view-queue', nav: 'nav-queue', title: 'Queue', heading: 'queue-title' },
  '#/settings/accounts': { view: 'view-accounts', nav: 'nav-accounts', title: 'Connected accounts', heading: 'accounts-title' },
  '#/settings/schedule': { view: 'view-schedule', nav: 'nav-schedule', title: 'Schedule', heading: 'schedule-settings-title' },
  '#/settings/about': { view: 'view-about', nav: 'nav-about', title: 'About and updates', heading: 'about-title' },
};
const ACCOUNTS_ROUTE = '#/settings/accounts';
// Compose once an account is connected; until then, the page where one gets connected.
let defaultRoute = ACCOUNTS_ROUTE;

// The composer's modules load the first time Compose is shown: a first run, which starts on the
// accounts page, does not pay for them.
let composer = null;
function loadComposer() {
  composer ??= import('./composer/composer.js').then(async (module) => {
    await module.initComposer();
    return module;
  });
  return composer;
}

/** The route shown now. */
let shownRoute = null;

/**
 * Shows the view of the current hash. A view that was not shown opens at its top; with `moveFocus`
 * (a navigation, not the first screen) keyboard focus goes to its heading, so a screen reader says
 * where the user is and Tab starts from the top of the view.
 */
function route({ moveFocus = false } = {}) {
  // Only "#/…" hashes are routes; others (like the skip link's #main) leave the current view alone.
  if (location.hash.startsWith('#/') || !document.querySelector('.view:not([hidden])')) {
    const current = ROUTES[location.hash] ?? ROUTES[defaultRoute];
    const changed = current !== shownRoute;
    shownRoute = current;
    for (const r of Object.values(ROUTES)) {
      byId(r.view).hidden = r !== current;
      const link = byId(r.nav);
      if (r === current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    document.title = `${current.title} — Hayon`;
    if (changed) {
      byId('main').scrollTop = 0;
      if (moveFocus) byId(current.heading).focus({ preventScroll: true });
    }
    if (current === ROUTES['#/compose']) loadComposer();
    if (current === ROUTES['#/queue'] && changed) loadQueue();
    if (current === ROUTES['#/settings/schedule'] && changed) loadScheduleSettings();
  }
}

function goToAccounts() {
  if (byId('view-accounts').hidden) location.hash = ACCOUNTS_ROUTE;
  route({ moveFocus: true });
}

function onKeydown(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === 'r') event.preventDefault(); // in the window, Ctrl+R would otherwise reload the page
  if (!['r', 'q', 'w'].includes(key) && !(key === 'n' && !event.shiftKey)) return; // Ctrl+Shift+N is the composer's
  event.preventDefault();
  // Answer the question (or pick the time) first.
  if (['confirm-dialog', 'schedule-dialog'].some((id) => /** @type {HTMLDialogElement} */ (byId(id)).open)) return;
  if (key === 'q') {
    quitOrAsk().catch((err) => showStatus(`Hayon could not quit: ${err.message}`, { kind: 'error' }));
  } else if (key === 'w') {
    // As the close button: into the tray while posts are scheduled, else Hayon ends (asking first
    // when a post is due within the hour).
    closeWindow().catch((err) => showStatus(err.message, { kind: 'error' }));
  } else if (key === 'r') {
    reread();
    // On the accounts page, as its "Refresh all" button: each session checked with its server.
    if (!byId('view-accounts').hidden) refreshAll();
  } else {
    goToAccounts();
    focusIdentifier();
  }
}

/** Re-reads everything the views show (changes made by the CLI or another window). */
function reread() {
  loadAccounts();
  composer?.then((module) => module.rereadComposer());
  if (!byId('view-queue').hidden) loadQueue();
  if (!byId('view-schedule').hidden) loadScheduleSettings();
}

function onConnected({ account, warnings = [] }) {
  upsertAccount(account);
  const who = account.handle ? `@${account.handle}` : account.did;
  showStatus(`Connected ${who}.`, { kind: warnings.length ? 'warning' : 'success', details: warnings });
  // The form closed behind "Add another account": keep the keyboard on the page, not on <body>.
  if (byId('connect-section').hidden) byId('accounts-title').focus();
  loadAccounts();
}

async function main() {
  document.addEventListener('keydown', onKeydown);
  initAccounts({ onReconnect: prefillReconnect, onListed: (count) => setHasAccounts(count > 0) });
  initConnectForm({ onConnected });
  initAbout();
  initQuit();
  initQueue({
    onEdit: async (entry) => {
      location.hash = '#/compose';
      (await loadComposer()).editQueued(entry);
    },
  });
  initScheduleSettings();
  onAccountsChanged(() => {
    loadAccounts();
    composer?.then((module) => module.reloadComposerAccounts());
  }).catch(() => { /* no event permission: manual reload only */ });
  onDataChanged(reread).catch(() => { /* no event permission: focus and Ctrl+R only */ });
  // A click on a notification: the Queue for a post (its link, or Retry), the accounts for a
  // sign-in about to end.
  onOpenView((view) => {
    if (view === 'queue') location.hash = '#/queue';
    if (view === 'accounts') location.hash = ACCOUNTS_ROUTE;
  }).catch(() => { /* no event permission: the window still comes back */ });
  window.addEventListener('focus', reread);
  setInterval(refreshRelativeTimes, 30_000);
  loadAccounts();

  window.addEventListener('hashchange', () => route({ moveFocus: true }));
  // Show a page at once (the accounts page, as before), then switch to Compose if an account is
  // connected — the answer takes milliseconds, and a view is never left hidden while waiting for it.
  const routed = Boolean(ROUTES[location.hash]);
  route();
  if (!routed) {
    const accounts = await listAccounts().catch(() => []);
    if (accounts.some((a) => a.connected !== false)) defaultRoute = '#/compose';
    if (!ROUTES[location.hash]) {
      history.replaceState(null, '', defaultRoute);
      route();
    }
  }
  const nothingFocused = () => !document.activeElement || document.activeElement === document.body;
  if (location.hash === '#/compose') {
    const module = await loadComposer();
    if (nothingFocused()) module.focusComposer();
  } else if (!routed && defaultRoute === ACCOUNTS_ROUTE && nothingFocused()) {
    byId('identifier').focus(); // first launch: the first thing to do is to type a handle
  }
}

main();
