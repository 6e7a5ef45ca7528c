// @ts-check
// Mentions in a post's text box:
// - Autocomplete: typing `@han` (after the start, a space or a bracket, as the core detects mentions)
//   asks Rust for accounts (api.suggestMentions: the app view's typeahead through the chosen
//   account's PDS, or, when it does not answer, connected accounts and handles mentioned before) and
//   shows them in a listbox under the text. The text box keeps focus and points at the highlighted
//   option with aria-activedescendant (with aria-autocomplete="list" and aria-controls: the textarea
//   pattern, since a <textarea> cannot take the combobox role); ↑/↓ move, Enter or Tab accept,
//   Escape closes; a click accepts too. The number of suggestions is announced politely.
// - Unresolved handles: after each analysis, the handles its mention facets name are checked
//   (api.checkMentions, debounced, each answer cached for the session), and one that no account has is
//   listed under the post: "@nobody.test will be posted as plain text". A warning, not a blocker.
import * as api from '../api.js';
import { h } from '../dom.js';

const SUGGEST_DELAY = 150;
const CHECK_DELAY = 400;
const MAX_TYPED = 253;
/** The `@handle` being typed just before the caret. */
const TYPING = /(^|[\s(])@([a-zA-Z0-9.-]{1,253})$/;

/** handle → 'resolves' | 'unresolved', shared by every post (a handle's answer is the same anywhere). */
const checked = new Map();
let nextId = 1;

/**
 * Mentions for the post editor whose text box is `text`; the listbox and the warnings go in `el`'s
 * `.mention-list` and `.mention-warnings`. `account()` is the DID to ask through (or null); `announce`
 * speaks to screen readers; `onUnresolved(handles)` hears which mentioned handles do not resolve.
 */
export function createMentions(el, text, { account, announce, onUnresolved }) {
  const id = nextId++;
  const list = el.querySelector('.mention-list');
  const warnings = el.querySelector('.mention-warnings');
  list.id = `mention-list-${id}`;
  text.setAttribute('aria-autocomplete', 'list');
  text.setAttribute('aria-controls', list.id);

  let options = []; // the suggestions shown
  let active = -1;
  let typing = null; // { start, end, typed } of the `@handle` at the caret
  let suggestTimer = 0;
  let asked = 0; // answers to older questions are dropped
  let askedThrough = account(); // the account the list and the checks were asked through
  let alive = true;

  // ---- Autocomplete ----

  function typedAtCaret() {
    if (text.selectionStart !== text.selectionEnd) return null;
    const end = text.selectionStart;
    const before = text.value.slice(Math.max(0, end - MAX_TYPED - 2), end);
    const match = TYPING.exec(before);
    if (!match) return null;
    const typed = match[2];
    return { start: end - typed.length - 1, end, typed };
  }

  function update() {
    typing = typedAtCaret();
    clearTimeout(suggestTimer);
    const who = account();
    askedThrough = who;
    if (!typing || !who) {
      close();
      return;
    }
    const question = ++asked;
    const typed = typing.typed;
    suggestTimer = setTimeout(async () => {
      let found;
      try {
        found = await api.suggestMentions(who, typed);
      } catch {
        found = { actors: [] };
      }
      if (!alive || question !== asked) return;
      show(found.actors ?? []);
    }, SUGGEST_DELAY);
  }

  function show(actors) {
    options = actors;
    active = actors.length ? 0 : -1;
    if (!actors.length) {
      close();
      return;
    }
    list.replaceChildren(...actors.map((actor, index) => h('li', {
      id: `${list.id}-${index}`,
      class: 'mention-option',
      role: 'option',
      'aria-selected': String(index === active),
      'data-handle': actor.handle,
    },
    h('span', { class: 'mention-name' }, actor.displayName || `@${actor.handle}`),
    actor.displayName ? h('span', { class: 'mention-handle' }, `@${actor.handle}`) : null)));
    list.hidden = false;
    highlight(active);
    announce(`${actors.length === 1 ? '1 account' : `${actors.length} accounts`} found. Up and Down to choose, Enter or Tab to mention.`);
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      text.setAttribute('aria-activedescendant', `${list.id}-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    } else {
      text.removeAttribute('aria-activedescendant');
    }
  }

  function close() {
    asked += 1;
    clearTimeout(suggestTimer);
    options = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    text.removeAttribute('aria-activedescendant');
  }

  const isOpen = () => !list.hidden && options.length > 0;

  function accept(index) {
    const actor = options[index];
    const at = typedAtCaret() ?? typing;
    close();
    if (!actor || !at) return;
    const value = text.value;
    const after = value.slice(at.end);
    const insert = `@${actor.handle}${/^\s/.test(after) ? '' : ' '}`;
    text.value = value.slice(0, at.start) + insert + after;
    const caret = at.start + insert.length + (/^\s/.test(after) ? 1 : 0);
    text.setSelectionRange(caret, caret);
    text.dispatchEvent(new Event('input', { bubbles: true }));
    close(); // the input event above looked for a mention at the caret: there is none now
    announce(`Mentioned @${actor.handle}.`);
  }

  text.addEventListener('input', update);
  text.addEventListener('click', update);
  text.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== text) close(); }, 150));
  text.addEventListener('keydown', (event) => {
    if (!isOpen() || event.ctrlKey || event.metaKey || event.altKey) {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) setTimeout(update);
      return;
    }
    switch (event.key) {
      case 'ArrowDown':
        highlight((active + 1) % options.length);
        break;
      case 'ArrowUp':
        highlight((active - 1 + options.length) % options.length);
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return;
        accept(active);
        break;
      case 'Escape':
        close();
        break;
      default:
        if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) setTimeout(update);
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  // Pressing an option must not take focus from the text box; releasing it mentions that account.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = event.target.closest('.mention-option');
    if (option) accept([...list.children].indexOf(option));
  });

  // ---- Handles that do not resolve ----

  let checkTimer = 0;
  let mentioned = [];

  /** The analysis of the text arrived: check the handles its mentions name (after a pause). */
  function analysed(facets = []) {
    mentioned = [...new Set(facets
      .flatMap((facet) => facet.features ?? [])
      .filter((feature) => feature.$type?.endsWith('#mention') && feature.handle)
      .map((feature) => feature.handle.toLowerCase()))];
    renderWarnings();
    clearTimeout(checkTimer);
    const unknown = mentioned.filter((handle) => !checked.has(handle));
    const who = account();
    if (!unknown.length || !who) return;
    checkTimer = setTimeout(async () => {
      try {
        for (const { handle, status } of await api.checkMentions(who, unknown.slice(0, 50))) {
          if (status === 'resolves' || status === 'unresolved') checked.set(handle, status);
        }
      } catch {
        return; // offline or no such account: nothing to warn about yet
      }
      if (alive) renderWarnings();
    }, CHECK_DELAY);
  }

  function renderWarnings() {
    const plain = mentioned.filter((handle) => checked.get(handle) === 'unresolved');
    const shown = [...warnings.children].map((p) => p.dataset.handle).join(' ');
    if (shown === plain.join(' ')) return;
    onUnresolved(plain);
    warnings.replaceChildren(...plain.map((handle) => h('p', { class: 'mention-warning', 'data-handle': handle },
      h('span', { class: 'mention-warning-handle' }, `@${handle}`),
      ' will be posted as plain text: no Bluesky account has this handle. Check the spelling to mention someone.')));
  }

  return {
    analysed,
    /**
     * The accounts were re-read (connected, refreshed, the window focused): only if the account to ask
     * through is another one may the answers differ, so only then ask again. A re-read that changed
     * nothing must not close the list the person is choosing from.
     */
    accountChanged() {
      if (account() === askedThrough) return;
      askedThrough = account();
      if (document.activeElement === text) update(); else close();
      analysed(mentioned.map((handle) => ({ features: [{ $type: '#mention', handle }] })));
    },
    destroy() {
      alive = false;
      clearTimeout(checkTimer);
      close();
    },
  };
}
