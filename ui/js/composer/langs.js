// @ts-check
// The post's languages: a picker that shows them by name (in the person's own language, through
// Intl.DisplayNames), at most three, each removable, with a list to add one. While the person types,
// Rust detects the text's languages (api.suggestLangs, debounced) and the picker follows; once the
// person changes the languages by hand, their choice wins for this draft and is remembered in the
// settings (preferredLangs) as the languages new posts start with.
import * as api from '../api.js';
import { byId, h } from '../dom.js';
import { maxLangs as MAX_LANGS } from '../limits.js';

const SUGGEST_DELAY_MS = 400;

// The person's languages, without what isn't a locale (a "C" system locale shows up as "C").
const uiLocales = [...(navigator.languages ?? []), 'en'].filter((locale) => {
  try {
    return Intl.getCanonicalLocales(locale).length > 0;
  } catch {
    return false;
  }
});
const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(uiLocales, { type: 'language' }) : null;

/** "de" → "German" (or "Deutsch", in the person's language); the tag itself when unknown. */
export function langName(tag) {
  try {
    return names?.of(tag) || tag;
  } catch {
    return tag;
  }
}

const state = {
  tags: [],
  handChosen: false, // the person changed the languages of this draft by hand: no more suggestions
  suggested: false, // the shown languages came from the text
  defaults: null, // what a new post starts with (the last hand choice, else the system language)
  preferred: [], // the last hand choice, from the settings
  fromDraft: false, // the languages were restored with a saved draft
  hadText: false,
};

let onChange = () => {};
let timer = null;
let asked = 0; // the newest suggestion request; older answers are dropped

export function initLangs(options) {
  ({ onChange } = options);
  byId('post-langs-add-button').addEventListener('click', addChosen);
  byId('post-langs-add').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addChosen();
    }
  });
  Promise.all([
    api.defaultLangs().catch(() => ['en']),
    api.getSettings().then((s) => s?.preferredLangs ?? []).catch(() => []),
    api.detectableLangs().catch(() => []),
  ]).then(([defaults, preferred, detectable]) => {
    state.defaults = defaults;
    state.preferred = preferred;
    fillChoices(detectable);
    // A restored draft still showing the last hand choice was chosen by hand: keep it.
    if (state.fromDraft && preferred.length && sameLangs(state.tags, preferred)) state.handChosen = true;
    render();
  });
  render();
}

/** → { tags, error } (error is always null: the picker only holds valid tags). */
export const currentLangs = () => ({ tags: [...state.tags], error: null });

/**
 * Shows `tags` (a restored draft's, or the defaults); anything that isn't a language tag is left out.
 * A draft's languages that are the last hand choice were chosen by hand: they are kept.
 */
export function setLangs(tags = [], { fromDraft = false } = {}) {
  state.tags = normalise(tags);
  state.fromDraft = fromDraft;
  state.handChosen = fromDraft && state.preferred.length > 0 && sameLangs(state.tags, state.preferred);
  state.suggested = false;
  render();
}

/**
 * The post's text changed (all of it, for a thread): suggests its languages after a pause in typing,
 * unless the person chose them by hand. An emptied text (after posting) starts over from the defaults.
 */
export function suggestLangsFor(text) {
  clearTimeout(timer);
  const hasText = text.trim() !== '';
  if (!hasText && state.hadText) {
    state.hadText = false;
    state.handChosen = false;
    if (state.defaults && !sameLangs(state.tags, state.defaults)) apply(state.defaults, false);
    return;
  }
  state.hadText = hasText;
  if (state.handChosen || !hasText) return;
  const ticket = ++asked;
  timer = setTimeout(async () => {
    let tags;
    try {
      tags = await api.suggestLangs(text);
    } catch {
      return; // no suggestion: the languages stay as they are
    }
    if (ticket !== asked || state.handChosen || !tags.length) return;
    if (!sameLangs(tags, state.tags) || !state.suggested) apply(tags, true);
  }, SUGGEST_DELAY_MS);
}

// ---- Changes ----

function apply(tags, suggested) {
  state.tags = normalise(tags);
  state.suggested = suggested;
  render();
  onChange();
}

function chooseByHand(tags) {
  state.handChosen = true;
  apply(tags, false);
  if (state.tags.length) remember(state.tags);
}

async function remember(tags) {
  state.preferred = [...tags];
  state.defaults = [...tags];
  try {
    const settings = await api.getSettings();
    await api.setSettings({ ...settings, preferredLangs: tags });
  } catch {
    // Not remembered for new posts; this post keeps the choice anyway.
  }
}

function addChosen() {
  const select = /** @type {HTMLSelectElement} */ (byId('post-langs-add'));
  const tag = select.value;
  if (!tag || state.tags.includes(tag) || state.tags.length >= MAX_LANGS) return;
  chooseByHand([...state.tags, tag]);
  select.value = '';
  const removers = byId('post-langs').querySelectorAll('.lang-remove');
  /** @type {HTMLElement} */ (state.tags.length >= MAX_LANGS ? removers[removers.length - 1] : select).focus();
}

function remove(tag) {
  const at = state.tags.indexOf(tag);
  chooseByHand(state.tags.filter((t) => t !== tag));
  // Focus the next chip's remove button, else the list to add one.
  const buttons = byId('post-langs').querySelectorAll('.lang-remove');
  /** @type {HTMLElement} */ (buttons[Math.min(at, buttons.length - 1)] ?? byId('post-langs-add')).focus();
}

// ---- Showing ----

function render() {
  const list = byId('post-langs');
  list.replaceChildren(...state.tags.map((tag) => {
    const name = langName(tag);
    const remover = h('button', { type: 'button', class: 'lang-remove', 'aria-label': `Remove ${name}`, title: `Remove ${name}` }, '×');
    remover.addEventListener('click', () => remove(tag));
    return h('li', { class: 'lang-chip', 'data-tag': tag }, h('span', { class: 'lang-name' }, name), remover);
  }));
  const full = state.tags.length >= MAX_LANGS;
  const select = /** @type {HTMLSelectElement} */ (byId('post-langs-add'));
  for (const option of select.options) option.disabled = Boolean(option.value) && state.tags.includes(option.value);
  select.disabled = full;
  /** @type {HTMLButtonElement} */ (byId('post-langs-add-button')).disabled = full;
  let status;
  if (!state.tags.length) status = 'No language set. Add one, or type and it will be suggested.';
  else if (state.handChosen) status = 'Chosen by you: kept for this post, and new posts start with them.';
  else if (state.suggested) status = `Suggested from your text: ${state.tags.map(langName).join(', ')}. Change them if they're wrong.`;
  else status = 'Suggested from your text as you type.';
  if (full) status += ` At most ${MAX_LANGS}: remove one to add another.`;
  const statusEl = byId('post-langs-status');
  if (statusEl.textContent !== status) statusEl.textContent = status;
}

function fillChoices(detectable) {
  const select = /** @type {HTMLSelectElement} */ (byId('post-langs-add'));
  const tags = [...new Set([...detectable, ...state.tags])];
  const options = tags
    .map((tag) => ({ tag, name: langName(tag) }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ tag, name }) => h('option', { value: tag }, name));
  select.replaceChildren(select.options[0], ...options);
}

// ---- Tags ----

// language[-script][-region][-variant…], as Rust's check (compose::langs::check_tags).
const TAG = /^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*$/i;

function normalise(tags) {
  const valid = tags.filter((t) => typeof t === 'string' && TAG.test(t)).map(canonical);
  return [...new Set(valid)].slice(0, MAX_LANGS);
}

/** pt-br → pt-BR, zh-hant-tw → zh-Hant-TW. */
function canonical(tag) {
  return tag.split('-').map((part, i) => {
    if (i === 0) return part.toLowerCase();
    if (part.length === 4 && /^[a-z]+$/i.test(part)) return part[0].toUpperCase() + part.slice(1).toLowerCase();
    if (part.length === 2) return part.toUpperCase();
    return part.toLowerCase();
  }).join('-');
}

const sameLangs = (a, b) => a.length === b.length && a.every((tag) => b.includes(tag));
