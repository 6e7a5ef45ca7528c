// @ts-check
// A post's quote (.quote-area in its editor): "Quote post" opens a field for a bsky.app post link or
// an at:// URI; once it stops changing, Rust looks the post up with one of the chosen accounts
// (api.previewQuote) and a preview of it (author and text) shows, or a clear message when there is
// no such post. What is posted is the link as pasted; the preview only shows it is the right one.
import * as api from '../api.js';
import { h } from '../dom.js';

const SETTLE_MS = 400;
const LINK = /^(https:\/\/bsky\.app\/profile\/[^/\s]+\/post\/[^/\s?#]+\/?|at:\/\/[^/\s]+\/app\.bsky\.feed\.post\/[^/\s]+)$/;

/** Who wrote the quoted post: the handle the link names (as "@handle"), else the author's DID. */
function authorName(link, did) {
  const named = /^(?:https:\/\/bsky\.app\/profile\/|at:\/\/)([^/]+)/.exec(link)?.[1] ?? '';
  return named && !named.startsWith('did:') ? `@${decodeURIComponent(named)}` : did;
}

/**
 * The quote of the post whose editor is `root`. `account()` is the DID to look posts up with (or
 * null); `onChange()` when the quote changed; `announce(text)` for the screen reader.
 */
export function createQuote(root, { account, onChange, announce }) {
  const area = root.querySelector('.quote-area');
  const input = root.querySelector('.quote-input');
  const preview = root.querySelector('.quote-preview');
  const toggle = root.querySelector('.add-quote');
  /** { value, status: 'empty' | 'invalid' | 'loading' | 'ready' | 'missing' | 'error', post, message } */
  let state = { value: '', status: 'empty' };
  let timer = 0;
  let asked = 0;

  toggle.addEventListener('click', () => {
    if (area.hidden) open(); else input.focus();
  });
  root.querySelector('.quote-remove').addEventListener('click', () => {
    close();
    toggle.focus();
    announce('Quote removed.');
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => look(input.value), SETTLE_MS);
    onChange();
  });

  function open() {
    area.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    input.focus();
  }

  function close() {
    clearTimeout(timer);
    input.value = '';
    area.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    show({ value: '', status: 'empty' });
    onChange();
  }

  async function look(raw) {
    const value = raw.trim();
    if (value === state.value && state.status !== 'error') return;
    if (!value) return show({ value, status: 'empty' });
    if (!LINK.test(value)) {
      return show({ value, status: 'invalid', message: 'Paste a link to a Bluesky post (https://bsky.app/profile/…/post/…) or its at:// address.' });
    }
    const did = account();
    if (!did) return show({ value, status: 'error', message: 'Choose an account to post to first: the post is looked up with it.' });
    const ticket = ++asked;
    show({ value, status: 'loading' });
    try {
      const post = await api.previewQuote(value, did);
      if (ticket === asked) show({ value, status: 'ready', post });
    } catch (err) {
      if (ticket !== asked) return;
      show({ value, status: err.code === 'not_found' ? 'missing' : 'error', message: err.message });
    }
  }

  function show(next) {
    state = next;
    const { status } = next;
    input.setAttribute('aria-invalid', String(['invalid', 'missing', 'error'].includes(status)));
    if (status === 'empty') {
      preview.replaceChildren();
    } else if (status === 'loading') {
      preview.replaceChildren(h('p', { class: 'quote-status', 'aria-busy': 'true' },
        h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Looking up the post…'));
    } else if (status === 'ready') {
      const { authorDid, text } = next.post;
      const author = authorName(next.value, authorDid);
      preview.replaceChildren(h('blockquote', { class: 'quote-card', 'aria-label': 'Quoted post' },
        h('p', { class: 'quote-author' }, h('strong', {}, author)),
        h('p', { class: 'quote-text' }, text || '(no text)')));
      announce(`Quoting a post by ${author}.`);
    } else {
      const message = status === 'missing' ? (next.message || 'There is no such post: it may have been deleted.') : next.message;
      preview.replaceChildren(h('p', { class: 'quote-status field-error' }, message));
    }
    onChange();
  }

  return {
    /** The link to quote, or null. */
    forPost: () => (state.status === 'ready' ? state.value : null),
    forDraft: () => (input.value.trim() || null),
    /** Why the post can't go with this quote, or null. */
    blocker() {
      const value = input.value.trim();
      if (!value || area.hidden) return null;
      if (value !== state.value || state.status === 'loading') return 'wait until the quoted post is found';
      if (state.status === 'ready') return null;
      if (state.status === 'missing') return 'the quoted post was not found — fix the link or remove the quote';
      return 'fix the quote link or remove the quote';
    },
    /** A chosen account appeared (or changed): look up a link that could not be looked up yet. */
    retry() {
      if (state.status === 'error' && input.value.trim()) look(input.value);
    },
    restore(value) {
      if (!value) return;
      area.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      input.value = value;
      look(value);
    },
    /** Labels the field after the post moved in the thread. */
    relabel(name) {
      root.querySelector('.quote-label').textContent = name ? `Post to quote in ${name.toLowerCase()}` : 'Post to quote';
    },
    destroy() {
      clearTimeout(timer);
      asked += 1;
    },
  };
}
