// @ts-check
// One post of the thread: its text box with highlights (the part past the limit marked) and its
// counter, shown in the action bar while the post is edited (Rust's analysis of this post's text, one
// call in flight at a time, always of the newest text), mention suggestions and warnings
// (mentions.js), its images with alt text or its video (video.js), its link card, its quote and its content warning, and the
// buttons that move or remove it. Built from #post-template; the composer (composer.js) keeps the
// list and says where each post stands.
import * as api from '../api.js';
import { byId } from '../dom.js';
import { maxAltGraphemes } from '../limits.js';
import { createCounter } from './counter.js';
import { createHighlight } from './highlight.js';
import { acceptDropsAndPastes, createImages } from './images.js';
import { createLinkCard } from './link-card.js';
import { createMentions } from './mentions.js';
import { createQuote } from './quote.js';
import { createVideo } from './video.js';

const ADULT = ['sexual', 'nudity', 'porn'];
const LABEL_NAMES = { sexual: 'suggestive', nudity: 'nudity', porn: 'porn', 'graphic-media': 'graphic media' };
let nextId = 1;

/**
 * A new post editor. `onChange()` after anything the draft holds changed; `announce(text)` for the
 * screen reader; `account()` the DID quotes are looked up with, `lookupAccount()` the one mentions
 * are (any usable account when none is chosen yet); `isBusy()` while posting;
 * `onMove(editor, -1 | 1)` and `onRemove(editor)` for its buttons.
 */
export function createPostEditor({ onChange, announce, account, lookupAccount, isBusy, onMove, onRemove }) {
  const id = nextId++;
  const el = /** @type {HTMLElement} */ (/** @type {HTMLTemplateElement} */ (byId('post-template')).content.firstElementChild.cloneNode(true));
  const text = /** @type {HTMLTextAreaElement} */ (el.querySelector('.editor-input'));
  let position = { index: 0, count: 1 };
  const name = () => (position.count > 1 ? `Post ${position.index + 1}` : '');

  // Unique ids for the labels and descriptions inside this post.
  text.id = `post-text-${id}`;
  /** @type {HTMLLabelElement} */ (el.querySelector('.post-text-label')).htmlFor = text.id;
  const quoteInput = /** @type {HTMLInputElement} */ (el.querySelector('.quote-input'));
  quoteInput.id = `post-quote-${id}`;
  /** @type {HTMLLabelElement} */ (el.querySelector('.quote-label')).htmlFor = quoteInput.id;
  el.querySelector('.quote-area').id = `post-quote-area-${id}`;
  el.querySelector('.add-quote').setAttribute('aria-controls', `post-quote-area-${id}`);
  for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (el.querySelectorAll('.labels-adult input'))) radio.name = `post-adult-${id}`;

  const state = { analysis: null, analysedText: null, analysisError: null };
  const counter = createCounter(name);
  const highlight = createHighlight(el.querySelector('.editor-mirror'));
  const mediaChanged = () => {
    // A post has images or a video: while one is there, the other can't be added.
    /** @type {HTMLButtonElement} */ (el.querySelector('.add-image')).disabled = video.hasVideo() || video.isStaging();
    video.allowAdding(!images.hasImages());
    card.update({ hasImages: hasMedia() });
    showLabels();
    onChange();
  };
  const images = createImages(el, { onChange: mediaChanged, announce, name });
  const video = createVideo(el, { onChange: mediaChanged, announce, name });
  const hasMedia = () => images.hasImages() || video.hasVideo();
  const card = createLinkCard(el.querySelector('.link-card-area'), { onChange, announce });
  const quote = createQuote(el, { account, onChange, announce });
  const mentions = createMentions(el, text, {
    account: lookupAccount,
    announce,
    onUnresolved: (handles) => highlight.markUnresolved(handles),
  });
  acceptDropsAndPastes(el, text, images, isBusy);

  // ---- Analysis ----

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
        if (pendingText === null && value === text.value) applyAnalysis(value, analysis);
      } catch (err) {
        state.analysisError = err;
        state.analysis = null;
        state.analysedText = null;
        counter.update(null);
        onChange();
      }
    }
  }

  function applyAnalysis(value, analysis) {
    state.analysis = analysis;
    state.analysedText = value;
    counter.update(analysis);
    highlight.showFacets(value, analysis.facets, analysis.overflowFrom);
    mentions.analysed(analysis.facets);
    /** @type {HTMLElement} */ (el.querySelector('.shortened-note')).hidden = !(analysis.facets ?? []).some((f) => f.features?.[0]?.$type?.endsWith('#link')) ||
      analysis.publishedText === value.trim();
    card.update({ uri: analysis.linkCard ?? null });
    onChange();
  }

  // The bar's counter follows the post being edited.
  el.addEventListener('focusin', () => counter.show());

  text.addEventListener('input', () => {
    highlight.showText(text.value);
    state.analysedText = null; // Post waits for this text's analysis
    analyze(text.value);
    onChange();
  });

  // ---- Content warning (only for posts with images or a video) ----

  const labelsEl = /** @type {HTMLElement} */ (el.querySelector('.post-labels'));
  labelsEl.addEventListener('change', () => { showLabels(); onChange(); });

  function labels() {
    const adult = /** @type {HTMLInputElement} */ (labelsEl.querySelector('.labels-adult input:checked'))?.value;
    return [adult, /** @type {HTMLInputElement} */ (labelsEl.querySelector('.label-graphic')).checked ? 'graphic-media' : null].filter(Boolean);
  }

  function setLabels(values = []) {
    const adult = values.find((v) => ADULT.includes(v)) ?? '';
    for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (labelsEl.querySelectorAll('.labels-adult input'))) radio.checked = radio.value === adult;
    /** @type {HTMLInputElement} */ (labelsEl.querySelector('.label-graphic')).checked = values.includes('graphic-media');
    showLabels();
  }

  function showLabels() {
    labelsEl.hidden = !hasMedia();
    const chosen = labels();
    labelsEl.querySelector('.labels-summary').textContent = chosen.length ? chosen.map((l) => LABEL_NAMES[l]).join(', ') : 'none';
  }

  // ---- Moving and removing ----

  el.querySelector('.post-up').addEventListener('click', () => onMove(editor, -1));
  el.querySelector('.post-down').addEventListener('click', () => onMove(editor, 1));
  el.querySelector('.post-remove').addEventListener('click', () => onRemove(editor));

  const editor = {
    el,
    /** Where the post stands in the thread: updates its title, labels and buttons. */
    setPosition(index, count) {
      position = { index, count };
      const n = index + 1;
      el.dataset.index = String(index);
      /** @type {HTMLElement} */ (el.querySelector('.post-head')).hidden = count < 2;
      el.querySelector('.post-title').textContent = `Post ${n} of ${count}`;
      el.querySelector('.post-text-label').textContent = count > 1 ? `Text of post ${n} of ${count}` : "What's up?";
      text.placeholder = index === 0 ? "What's up?" : 'Add another post';
      const up = /** @type {HTMLButtonElement} */ (el.querySelector('.post-up'));
      const down = /** @type {HTMLButtonElement} */ (el.querySelector('.post-down'));
      up.setAttribute('aria-label', `Move post ${n} up`);
      down.setAttribute('aria-label', `Move post ${n} down`);
      el.querySelector('.post-remove').setAttribute('aria-label', `Remove post ${n}`);
      up.disabled = index === 0;
      down.disabled = index === count - 1;
      // Said after the visible words, so the name read out contains what is seen (and stays current).
      labelsEl.querySelector('.labels-post').textContent = count > 1 ? ` (post ${n})` : '';
      images.relabel();
      video.relabel();
      quote.relabel(name());
    },
    name,
    focus: () => text.focus(),
    /** Resolves once the analysis matches what is in the text box. */
    async settled() {
      while (state.analysedText !== text.value && !state.analysisError) await analyze(text.value);
    },
    /** The draft's form of this post (a `ComposedPost`). */
    forDraft: () => ({
      text: text.value,
      images: images.forDraft(),
      video: video.forDraft(),
      card: card.forDraft(),
      quote: quote.forDraft(),
      labels: hasMedia() ? labels() : [],
    }),
    /** The post as it goes out: the card as shown (awaited if still loading). */
    async forPost() {
      return {
        text: text.value,
        images: images.forPost(),
        video: video.forPost(),
        card: await card.forPost(),
        quote: quote.forPost(),
        labels: hasMedia() ? labels() : [],
      };
    },
    restore(post = {}) {
      text.value = post.text ?? '';
      highlight.showText(text.value);
      card.restore(post.card);
      images.restore(post.images ?? []);
      const restored = video.restore(post.video ?? null).then(mediaChanged);
      setLabels(post.labels ?? []);
      card.update({ hasImages: hasMedia() });
      quote.restore(post.quote);
      return Promise.all([analyze(text.value), restored]);
    },
    /** Why this post can't go out (a sentence without the post's name), or null. */
    blocker() {
      const a = state.analysis;
      if (state.analysisError) return `couldn't check the length: ${state.analysisError.message}`;
      if (a && a.overLimit) {
        return a.graphemes > a.maxGraphemes
          ? `${(a.graphemes - a.maxGraphemes).toLocaleString()} characters over the limit. Shorten it to post.`
          : `${(a.bytes - a.maxBytes).toLocaleString()} bytes over the limit. Shorten it to post.`;
      }
      if (images.isPreparing()) return 'wait until the images are ready.';
      if (images.hasBroken()) return 'remove the image that could not be loaded.';
      if (video.isStaging()) return 'wait until the video is added.';
      if (video.hasVideo() && images.hasImages()) return 'a post has images or a video: remove one of them.';
      if (video.altTooLong()) return `shorten the video's alt text to ${maxAltGraphemes} characters.`;
      const hasText = a && state.analysedText === text.value ? a.publishedText.trim() !== '' : text.value.trim() !== '';
      if (!hasText && !hasMedia() && !quote.forDraft()) return 'write something or add an image.';
      const why = quote.blocker();
      return why ? `${why}.` : null;
    },
    missingAltCount: () => images.missingAltCount() + (video.missingAlt() ? 1 : 0),
    accountsChanged: () => {
      quote.retry();
      mentions.accountChanged();
    },
    destroy() {
      images.destroy();
      video.destroy();
      card.destroy();
      quote.destroy();
      mentions.destroy();
      counter.reset();
      el.remove();
    },
  };
  return editor;
}
