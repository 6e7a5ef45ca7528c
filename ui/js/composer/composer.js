// The Compose view: wires the text box, its analysis by Rust (counter, highlights, link card), images,
// accounts, languages, the draft and posting together, and decides when "Post" is allowed and why not.
import * as api from '../api.js';
import { byId, setBusy } from '../dom.js';
import { renderCounter, resetCounterAnnouncements } from './counter.js';
import { initHighlight, showFacets, showText } from './highlight.js';
import * as images from './images.js';
import { clearLinkCard, initLinkCard, linkCardForPost, linkCardWanted, restoreLinkCardChoice, updateLinkCard } from './link-card.js';
import * as chooser from './accounts-chooser.js';
import { currentLangs, initLangs, setLangs } from './langs.js';
import { flushDraft, initDraft, loadDraft, scheduleSave, startSaving } from './draft.js';
import { hideResults, initPostResults, sendPost, showPostError, showResults } from './post.js';

const text = () => byId('composer-text');

const state = {
  analysis: null, // Rust's analysis of `analysedText`
  analysedText: null,
  analysisError: null,
  ready: false, // the saved draft has been restored
  posting: false,
};

// ---- Analysis: one call in flight at a time, always of the newest text ----

let pendingText = null;
let pump = null;

function analyze(value) {
  pendingText = value;
  pump ??= runAnalyses().finally(() => { pump = null; });
  return pump;
}

async function runAnalyses() {
  while (pendingText !== null) {
    const value = pendingText;
    pendingText = null;
    try {
      const analysis = await api.analyzeText(value);
      state.analysisError = null;
      if (pendingText === null && value === text().value) applyAnalysis(value, analysis);
    } catch (err) {
      state.analysisError = err;
      state.analysis = null;
      state.analysedText = null;
      renderCounter(null);
      refresh();
    }
  }
}

/** Resolves once the analysis matches what is in the text box. */
async function analysisSettled() {
  while (state.analysedText !== text().value && !state.analysisError) await analyze(text().value);
}

function applyAnalysis(value, analysis) {
  state.analysis = analysis;
  state.analysedText = value;
  renderCounter(analysis);
  showFacets(value, analysis.facets);
  byId('shortened-note').hidden = !(analysis.facets ?? []).some((f) => f.features?.[0]?.$type?.endsWith('#link')) ||
    analysis.publishedText === value.trim();
  updateLinkCard({ uri: analysis.linkCard ?? null });
  refresh();
}

// ---- What Post needs ----

/** Why Post can't be used now, or null. The first reason that applies is shown beside the button. */
function blocker() {
  const a = state.analysis;
  if (chooser.accountsLoaded() && chooser.connectedCount() === 0) return 'Connect an account in Settings to post.';
  if (state.analysisError) return `Couldn't check the post's length: ${state.analysisError.message}`;
  if (a && a.overLimit) {
    return a.graphemes > a.maxGraphemes
      ? `The post is ${(a.graphemes - a.maxGraphemes).toLocaleString()} characters over the limit. Shorten it to post.`
      : `The post is ${(a.bytes - a.maxBytes).toLocaleString()} bytes over the limit. Shorten it to post.`;
  }
  if (images.isPreparing()) return 'Wait until the images are ready.';
  if (images.hasBroken()) return 'Remove the image that could not be loaded.';
  const hasText = a ? a.publishedText.trim() !== '' : text().value.trim() !== '';
  if (!hasText && !images.hasImages()) return 'Write something or add an image.';
  if (chooser.accountsLoaded() && chooser.usableCount() === 0) return 'Reconnect an account in Settings to post.';
  if (chooser.chosenAccounts().length === 0) return 'Choose at least one account to post to.';
  const langs = currentLangs();
  if (langs.error) return 'Fix the languages to post.';
  const missing = images.missingAltCount();
  if (byId('require-alt').checked && missing) {
    return `Add alt text to ${missing === 1 ? 'the image that has none' : `the ${missing} images that have none`} — your settings require it.`;
  }
  return null;
}

function refresh() {
  if (state.posting) return;
  const reason = state.ready ? blocker() : 'Loading your draft…';
  const submit = byId('post-submit');
  submit.disabled = Boolean(reason); // a stale analysis is fine here: submit() waits for the fresh one
  byId('post-blocker').textContent = reason ?? '';
}

/** Something the draft holds changed. */
function changed() {
  refresh();
  scheduleSave();
}

function collectDraft() {
  return {
    text: text().value,
    images: images.imagesForDraft(),
    accounts: chooser.chosenForDraft(),
    langs: currentLangs().tags,
    linkCard: linkCardWanted(),
  };
}

// ---- Posting ----

async function submit() {
  if (state.posting || !state.ready) return;
  await analysisSettled();
  refresh();
  if (byId('post-submit').disabled) {
    announce(byId('post-blocker').textContent);
    return;
  }
  const request = {
    text: text().value,
    images: images.imagesForPost(),
    accounts: chooser.chosenAccounts(),
    langs: currentLangs().tags,
    card: null,
  };
  setPosting(true);
  let summary;
  try {
    request.card = await linkCardForPost(); // the card as shown; a preview still loading is awaited
    await flushDraft(); // the draft is safe on disk before anything leaves the computer
    const results = await sendPost(request);
    const ok = results.filter((r) => !r.error).map((r) => r.account);
    const failed = results.some((r) => r.error);
    let unchosen = [];
    if (!failed) {
      clearComposer();
    } else if (ok.length) {
      unchosen = ok;
      chooser.unchoose(ok); // trying again must not post a second time to these
    }
    summary = showResults(results, { unchosen });
  } catch (err) {
    summary = showPostError(err);
  } finally {
    setPosting(false);
  }
  if (!byId('post-results').hidden) byId('post-results').focus();
  announce(summary);
  changed();
}

function setPosting(on) {
  state.posting = on;
  const composer = byId('composer');
  const progress = byId('post-progress');
  progress.hidden = !on;
  // Editing is disabled meanwhile; keep keyboard focus somewhere meaningful instead of on <body>.
  if (on && composer.contains(document.activeElement)) progress.focus();
  byId('composer-fields').disabled = on;
  composer.setAttribute('aria-busy', String(on));
  setBusy(byId('post-submit'), on, 'Posting…');
  if (!on) refresh();
}

/** After every account got the post: an empty composer (accounts and languages stay as they were). */
function clearComposer() {
  text().value = '';
  showText('');
  images.clearImages();
  clearLinkCard();
  resetCounterAnnouncements();
  state.analysis = null;
  state.analysedText = null;
  analyze('');
  // Rust cleared the saved draft; saving the empty one as well (keeping the chosen accounts and
  // languages) costs nothing and guarantees a restart never brings back a post that was sent.
  scheduleSave();
}

// ---- Small things ----

function announce(message) {
  const region = byId('composer-announce');
  region.textContent = '';
  // A fresh node, so the same sentence twice is announced twice.
  if (message) setTimeout(() => { region.textContent = message; }, 50);
}

function wireUnsupported() {
  for (const button of document.querySelectorAll('.tool-unsupported')) {
    button.addEventListener('click', () => announce(`${button.dataset.feature} ${button.dataset.feature === 'Video' ? 'is' : 'are'} not supported yet.`));
  }
}

function wireRequireAlt() {
  const box = byId('require-alt');
  box.addEventListener('change', async () => {
    images.setRequireAlt(box.checked);
    changed();
    try {
      await api.setSettings({ requireAltText: box.checked });
    } catch (err) {
      box.checked = !box.checked;
      images.setRequireAlt(box.checked);
      refresh();
      announce(`Couldn't change the setting: ${err.message}`);
    }
  });
}

function onKeydown(event) {
  if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
  if (byId('view-compose').hidden || byId('confirm-dialog').open) return;
  event.preventDefault();
  submit();
}

function onInput() {
  showText(text().value);
  state.analysedText = null; // Post waits for this text's analysis
  refresh();
  analyze(text().value);
  scheduleSave();
}

// ---- Start ----

export async function initComposer() {
  initHighlight(byId('composer-highlight'));
  text().addEventListener('input', onInput);
  text().addEventListener('blur', () => flushDraft());
  const announceFn = { announce };
  images.initImages({ onChange: () => { updateLinkCard({ hasImages: images.hasImages() }); changed(); }, ...announceFn });
  images.acceptDropsAndPastes(byId('composer'), text(), () => state.posting || !state.ready);
  initLinkCard({ onChange: changed, ...announceFn });
  chooser.initAccountsChooser({ onChange: changed });
  initLangs({ onChange: changed });
  initDraft({ collect: collectDraft });
  initPostResults();
  wireUnsupported();
  wireRequireAlt();
  byId('post-submit').addEventListener('click', submit);
  document.addEventListener('keydown', onKeydown);
  // Nothing can be typed until the saved draft is back, so restoring it never overwrites new typing.
  byId('composer-fields').disabled = true;
  refresh();

  const accountsLoaded = chooser.loadChoices();
  const [draft, defaults, settings] = await Promise.all([
    loadDraft(),
    api.defaultLangs().catch(() => ['en']),
    api.getSettings().catch(() => ({ requireAltText: false })),
  ]);
  byId('require-alt').checked = Boolean(settings?.requireAltText);
  images.setRequireAlt(byId('require-alt').checked);
  if (draft) {
    text().value = draft.text ?? '';
    showText(text().value);
    chooser.setChosen(draft.accounts ?? []);
    setLangs(draft.langs?.length ? draft.langs : defaults);
    restoreLinkCardChoice(draft.linkCard);
    images.restoreImages(draft.images ?? []);
    updateLinkCard({ hasImages: images.hasImages() });
  } else {
    setLangs(defaults);
  }
  state.ready = true;
  byId('composer-fields').disabled = false;
  startSaving(collectDraft());
  await Promise.all([analyze(text().value), accountsLoaded]);
  if (!chooser.chosenForDraft().length) chooser.chooseOnlyAccount();
  refresh();
}

/** The accounts changed in Rust (connected, refreshed, disconnected): reload the "Post to" list. */
export function reloadComposerAccounts() {
  return chooser.loadChoices().then(() => {
    if (!chooser.chosenForDraft().length) chooser.chooseOnlyAccount();
    refresh();
  });
}

/** For the first screen: put the cursor in the text box. */
export function focusComposer() {
  text().focus();
}
