// @ts-check
// Settings › About and updates: the version and the project's links (opened in the browser), the
// "check for updates" setting, and the update banner. Rust downloads and verifies an update before
// the window hears of it (event `update-ready`), so the banner only ever offers a verified package;
// checks that fail are logged by Rust and never shown here.
import * as api from './api.js';
import { byId, setBusy } from './dom.js';

function showOffer(offer) {
  if (!offer?.version) return;
  byId('update-banner-text').textContent = `Hayon ${offer.version} is ready to install.`;
  byId('update-banner').hidden = false;
  byId('nav-update-dot').hidden = false;
  byId('updates-state').textContent = `Hayon ${offer.version} has been downloaded and its signature checked.`
    + (offer.notes ? ` What's new: ${offer.notes}` : '');
  byId('about-update-install').hidden = false;
}

async function install(event) {
  const button = event.currentTarget;
  const errors = [byId('update-error'), byId('about-update-error')];
  for (const error of errors) error.textContent = '';
  setBusy(button, true, 'Installing…');
  try {
    await api.installUpdate(); // the app restarts when it succeeds
  } catch (err) {
    // Said where the button was pressed (the banner may have been put away with Later).
    (button.id === 'update-install' ? errors[0] : errors[1]).textContent = err.message;
  } finally {
    setBusy(button, false);
  }
}

function openLink(event) {
  const url = event.currentTarget.dataset.url;
  if (!url) return;
  event.preventDefault();
  api.openExternal(url).catch((err) => console.warn('Hayon: could not open', url, err));
}

async function loadAbout() {
  const info = await api.about();
  byId('about-version').textContent = info.version;
  const homepage = /** @type {HTMLAnchorElement} */ (byId('about-homepage'));
  if (info.homepage) {
    homepage.dataset.url = info.homepage;
    homepage.href = info.homepage;
    homepage.textContent = `Project website (${new URL(info.homepage).host})`;
    byId('about-homepage-item').hidden = false;
  }
  const licence = /** @type {HTMLAnchorElement} */ (byId('about-licence'));
  licence.dataset.url = info.licenceUrl;
  licence.href = info.licenceUrl;
  licence.textContent = `Licence: ${info.licence}`;
}

async function loadSetting() {
  const box = /** @type {HTMLInputElement} */ (byId('check-updates'));
  const settings = await api.getSettings();
  box.checked = settings.checkForUpdates !== false;
  box.disabled = false;
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      await api.setSettings({ ...(await api.getSettings()), checkForUpdates: box.checked });
    } catch (err) {
      box.checked = !box.checked;
      byId('updates-state').textContent = `The setting could not be saved: ${err.message}`;
    } finally {
      box.disabled = false;
    }
  });
}

export function initAbout() {
  for (const id of ['about-homepage', 'about-licence']) byId(id).addEventListener('click', openLink);
  for (const id of ['update-install', 'about-update-install']) byId(id).addEventListener('click', install);
  byId('update-later').addEventListener('click', () => {
    byId('update-banner').hidden = true; // still offered in Settings › About and updates
  });
  loadAbout().catch((err) => console.warn('Hayon: about', err));
  loadSetting().catch((err) => console.warn('Hayon: settings', err));
  api.onUpdateReady(showOffer).catch(() => { /* no event permission: the status below still works */ });
  api.updateStatus().then(showOffer).catch(() => {});
}
