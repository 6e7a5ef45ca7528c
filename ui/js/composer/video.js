// @ts-check
// One post's video: picked with "Add video", sent to Rust in pieces with a progress bar and Cancel
// (api.stageVideo), then shown with its first frame, length, size and shape; its alt text with a
// counter; its caption files (.vtt), each with its language. A post has images or a video: the
// editor disables one while the other is there (post-editor.js).
// The frame comes from WebKit's player (GStreamer on Linux: H.264 needs gstreamer1.0-libav, which
// the .deb recommends). A GIF, which a <video> cannot play, is shown as an image (the CSP's
// img-src allows blob: for it); a video this computer cannot play gives way to a note, so the facts
// stand without an empty player.
import * as api from '../api.js';
import { h } from '../dom.js';
import { maxAltGraphemes as MAX_ALT, maxCaptions as MAX_CAPTIONS } from '../limits.js';
import { altLength } from './alt-editor.js';
import { currentLangs, langName } from './langs.js';

/** Languages offered for captions after the post's own: the ones the official app lists first. */
const CAPTION_LANGS = ['en', 'es', 'pt', 'ja', 'ko', 'de', 'fr', 'it', 'nl', 'zh', 'ar', 'hi', 'tr', 'pl', 'uk', 'ru', 'sv', 'fi', 'id'];

/** `1:05`, `12:00`. */
function duration(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** `4.2 MB`. */
const megabytes = (bytes) => `${(bytes / 1_000_000).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;

/**
 * The video part of a post editor `el`. `onChange()` after anything the draft holds changed;
 * `announce(text)` for the screen reader; `name()` the post's name in a thread ('' alone).
 */
export function createVideo(el, { onChange, announce, name }) {
  const area = /** @type {HTMLElement} */ (el.querySelector('.video-area'));
  const staging = /** @type {HTMLElement} */ (area.querySelector('.video-staging'));
  const stagingLabel = /** @type {HTMLLabelElement} */ (area.querySelector('.video-staging-label'));
  const progress = /** @type {HTMLProgressElement} */ (area.querySelector('.video-staging-progress'));
  const attached = /** @type {HTMLElement} */ (area.querySelector('.video-attached'));
  const preview = /** @type {HTMLVideoElement} */ (area.querySelector('.video-preview'));
  const gif = /** @type {HTMLImageElement} */ (area.querySelector('.video-gif'));
  const noPreview = /** @type {HTMLElement} */ (area.querySelector('.video-no-preview'));
  const facts = /** @type {HTMLElement} */ (area.querySelector('.video-facts'));
  const alt = /** @type {HTMLTextAreaElement} */ (area.querySelector('.video-alt'));
  const altCounter = /** @type {HTMLElement} */ (area.querySelector('.video-alt-counter'));
  const captionList = /** @type {HTMLElement} */ (area.querySelector('.caption-list'));
  const error = /** @type {HTMLElement} */ (area.querySelector('.video-error'));
  const addButton = /** @type {HTMLButtonElement} */ (el.querySelector('.add-video'));
  const input = /** @type {HTMLInputElement} */ (el.querySelector('.video-input'));
  const captionInput = /** @type {HTMLInputElement} */ (area.querySelector('.caption-input'));
  const id = Math.random().toString(36).slice(2);
  progress.id = `video-progress-${id}`;
  stagingLabel.htmlFor = progress.id;
  alt.id = `video-alt-${id}`;
  /** @type {HTMLLabelElement} */ (area.querySelector('.video-alt-label')).htmlFor = alt.id;
  altCounter.id = `video-alt-counter-${id}`;
  alt.setAttribute('aria-describedby', altCounter.id);

  /** @type {{ video: import('./../ipc').StagedVideo | null, name: string, captions: { path: string, name: string, lang: string }[], aborter: AbortController | null, objectUrl: string | null }} */
  const state = { video: null, name: '', captions: [], aborter: null, objectUrl: null };

  // The video shown now (not one replaced since) cannot be played: its error, or its data loaded
  // without a picture (the sound decoded but not the frames).
  const noFrame = () => {
    if (!state.objectUrl || preview.getAttribute('src') !== state.objectUrl) return;
    preview.hidden = true;
    noPreview.hidden = false;
  };
  preview.addEventListener('error', noFrame);
  preview.addEventListener('loadeddata', () => {
    if (preview.videoWidth === 0) noFrame();
  });
  addButton.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) attach(file);
  });
  area.querySelector('.video-staging-cancel').addEventListener('click', () => state.aborter?.abort());
  area.querySelector('.video-remove').addEventListener('click', () => {
    clear();
    announce('Video removed.');
    addButton.focus();
    onChange();
  });
  alt.addEventListener('input', () => {
    showAltCount();
    onChange();
  });
  area.querySelector('.add-caption').addEventListener('click', () => captionInput.click());
  captionInput.addEventListener('change', () => {
    const file = captionInput.files?.[0];
    captionInput.value = '';
    if (file) addCaption(file);
  });

  async function attach(file) {
    clear();
    error.textContent = '';
    state.aborter = new AbortController();
    state.name = file.name;
    area.hidden = false;
    staging.hidden = false;
    progress.value = 0;
    stagingLabel.textContent = `Adding ${file.name}`;
    announce(`Adding the video ${file.name}.`);
    onChange();
    try {
      const video = await api.stageVideo(file, (fraction) => {
        progress.value = Math.round(fraction * 100);
      }, state.aborter.signal);
      state.objectUrl = URL.createObjectURL(file);
      show(video);
      announce(`Video ${file.name} added, ${duration(video.durationMs ?? 0)} long.`);
    } catch (err) {
      state.video = null;
      area.hidden = err?.code === 'cancelled';
      error.textContent = err?.code === 'cancelled' ? '' : err?.message ?? String(err);
      if (err?.code === 'cancelled') announce('Adding the video was cancelled.');
    } finally {
      state.aborter = null;
      staging.hidden = true;
      onChange();
    }
  }

  function show(video) {
    state.video = video;
    area.hidden = false;
    attached.hidden = false;
    const isGif = video.mimeType === 'image/gif';
    if (state.objectUrl) (isGif ? gif : preview).src = state.objectUrl;
    preview.hidden = !state.objectUrl || isGif;
    gif.hidden = !state.objectUrl || !isGif;
    noPreview.hidden = true;
    const length = video.durationMs == null ? null : duration(video.durationMs);
    facts.textContent = [state.name, length, megabytes(video.size), `${video.width}×${video.height}`].filter(Boolean).join(' · ');
    showAltCount();
    renderCaptions();
  }

  function clear() {
    state.aborter?.abort();
    if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
    Object.assign(state, { video: null, name: '', captions: [], objectUrl: null });
    preview.removeAttribute('src');
    gif.removeAttribute('src');
    noPreview.hidden = true;
    alt.value = '';
    attached.hidden = true;
    staging.hidden = true;
    area.hidden = true;
    error.textContent = '';
  }

  function showAltCount() {
    const count = altLength(alt.value);
    altCounter.textContent = `${count} / ${MAX_ALT}`;
    altCounter.dataset.state = count > MAX_ALT ? 'over' : 'ok';
  }

  async function addCaption(file) {
    if (state.captions.length >= MAX_CAPTIONS) {
      error.textContent = `A video can have up to ${MAX_CAPTIONS} caption files.`;
      return;
    }
    try {
      const staged = await api.stageCaption(file);
      const taken = new Set(state.captions.map((c) => c.lang));
      const lang = captionChoices().find((tag) => !taken.has(tag)) ?? 'en';
      state.captions.push({ path: staged.path, name: file.name, lang });
      error.textContent = '';
      renderCaptions();
      announce(`Captions ${file.name} added, in ${langName(lang)}.`);
      onChange();
    } catch (err) {
      error.textContent = err?.message ?? String(err);
    }
  }

  /** The languages a caption can be in: the post's first, then the usual ones. */
  function captionChoices() {
    return [...new Set([...currentLangs().tags.map((tag) => tag.split('-')[0]), ...CAPTION_LANGS])];
  }

  function renderCaptions() {
    const choices = captionChoices();
    captionList.replaceChildren(...state.captions.map((caption, index) => {
      const select = /** @type {HTMLSelectElement} */ (h('select', { class: 'caption-lang', 'aria-label': `Language of ${caption.name}` },
        ...[...new Set([caption.lang, ...choices])].map((tag) => h('option', { value: tag }, langName(tag)))));
      select.value = caption.lang;
      select.addEventListener('change', () => {
        caption.lang = select.value;
        onChange();
      });
      const remove = h('button', { class: 'btn btn-ghost caption-remove', type: 'button', 'aria-label': `Remove captions ${caption.name}` }, 'Remove');
      remove.addEventListener('click', () => {
        state.captions.splice(index, 1);
        renderCaptions();
        announce(`Captions ${caption.name} removed.`);
        onChange();
      });
      return h('li', { class: 'caption-item' }, h('span', { class: 'caption-name' }, caption.name), select, remove);
    }));
    /** @type {HTMLButtonElement} */ (area.querySelector('.add-caption')).disabled = state.captions.length >= MAX_CAPTIONS;
  }

  /** The video as a `ComposedVideo`, or null. */
  function composed() {
    if (!state.video) return null;
    return { path: state.video.path, alt: alt.value, captions: state.captions.map(({ lang, path }) => ({ lang, path })) };
  }

  return {
    hasVideo: () => state.video !== null,
    isStaging: () => state.aborter !== null,
    /** Whether the alt text is over its limit. */
    altTooLong: () => altLength(alt.value) > MAX_ALT,
    missingAlt: () => state.video !== null && alt.value.trim() === '',
    /** Images and a video exclude each other. */
    allowAdding(yes) {
      addButton.disabled = !yes;
    },
    forDraft: composed,
    forPost: composed,
    async restore(video) {
      clear();
      if (!video) return;
      alt.value = video.alt ?? '';
      state.captions = (video.captions ?? []).map((caption) => ({ path: caption.path, lang: caption.lang, name: 'Captions' }));
      try {
        state.name = 'Video';
        show(await api.videoInfo(video.path));
      } catch (err) {
        area.hidden = false;
        error.textContent = err?.message ?? String(err);
      }
    },
    relabel() {
      const post = name();
      addButton.setAttribute('aria-label', post ? `Add video to ${post.toLowerCase()}` : 'Add video');
    },
    destroy: clear,
  };
}
