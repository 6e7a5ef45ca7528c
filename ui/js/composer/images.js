// @ts-check
// A post's images (as many as the core's limit, limits.js) with alt text: added with its "Add images"
// button, by drag-and-drop on the post or by pasting into its text. Each file goes to Rust to be
// prepared (api.stageImage) while its tile shows a spinner; the tile then shows the whole prepared
// image (letterboxed, never cropped), its alt text (or a hint to add one) and, in this Tab order,
// the image, "Add/Edit alt text", remove and (with two or more images) move left/right. The image
// and the edit button open the alt text editor (alt-editor.js), which shows the image large.
// Refusals (animated GIF, damaged file, too many images) are explained in the post's .image-error;
// the other images are kept. The person orders the images by keyboard or drag (image-order.js):
// `items` here is the one list whose order is shown, posted and drafted.
//
// Tiles are patched in place, never rebuilt, so focus stays where it was.
import * as api from '../api.js';
import { h } from '../dom.js';
import { editAltText } from './alt-editor.js';
import { buildOrderBar, updateOrderBar, wireReorder } from './image-order.js';
import { maxImages as MAX_IMAGES } from '../limits.js';

// HEIC/HEIF (iPhone photos) and AVIF too: Rust decodes them (libheif); the preview is the prepared JPEG/PNG.
const ACCEPTED = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/avif'];
const ACCEPTED_NAME = /\.(jpe?g|png|gif|webp|heic|heif|avif)$/i;
const ALT_HINT = "Add alt text so people using screen readers know what's in the image";

let nextId = 1;
let requireAlt = false;
const all = new Set(); // every post's images, for the "require alt text" setting

/** The setting applies to every post's images. */
export function setRequireAlt(on) {
  requireAlt = on;
  for (const images of all) images.refreshAltHints();
}

/**
 * The images of the post whose editor is `root`. `onChange()` after anything the draft holds
 * changed; `announce(text)` for the screen reader; `name()` is the post's name in messages.
 */
export function createImages(root, { onChange, announce, name = () => '' }) {
  /** { id, name, status: 'staging' | 'loading' | 'ready' | 'broken', path, previewUrl, width, height, bytes, alt, error, el } */
  let items = [];
  let alive = true;
  const list = root.querySelector('.image-list');
  const errors = root.querySelector('.image-error');
  const addButton = root.querySelector('.add-image');
  const input = root.querySelector('.image-input');
  const findItem = (el) => items.find((i) => i.el === el.closest('.image-item'));
  const label = () => (name() ? `${name()}: attached images` : 'Attached images');

  addButton.addEventListener('click', () => {
    if (items.length >= MAX_IMAGES) {
      showErrors([`You already have ${MAX_IMAGES} images, the most a post can have. Remove one to add another.`]);
      return;
    }
    input.click();
  });
  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = ''; // picking the same file again must fire "change" again
  });
  list.addEventListener('click', (event) => {
    const remove = event.target.closest('.image-remove');
    if (remove) {
      const item = findItem(remove);
      if (item) removeItem(item);
      return;
    }
    const edit = event.target.closest('.image-alt-edit, .image-open');
    const item = edit && findItem(edit);
    if (item) describe(item);
  });
  wireReorder(list, {
    indexOf: (tile) => items.indexOf(findItem(tile)),
    count: () => items.length,
    move: (tile, to) => moveItem(findItem(tile), to),
    announce,
  });

  /** Opens the alt text editor for `item`; a saved text replaces its alt text. */
  async function describe(item) {
    if (item.status !== 'ready') return;
    const n = items.indexOf(item) + 1;
    const where = name() ? ` of ${name().toLowerCase()}` : '';
    const alt = await editAltText({
      title: `Describe image ${n}${where}`,
      src: item.previewUrl,
      size: item.width && item.height ? `${item.width} × ${item.height} as it will be posted` : '',
      alt: item.alt,
    });
    if (alt === null || !alive || !items.includes(item) || alt === item.alt) return;
    item.alt = alt;
    renderList();
    onChange();
    announce(alt.trim() ? `Alt text saved for image ${n}.` : `Alt text removed from image ${n}.`);
  }

  /** Adds picked/dropped/pasted files, as many as fit; says which were not added and why. */
  function addFiles(files) {
    if (!files.length) return;
    const problems = [];
    const images = files.filter((file) => {
      if (ACCEPTED.includes(file.type) || (!file.type && ACCEPTED_NAME.test(file.name))) return true;
      problems.push(`“${file.name}” isn't an image Hayon can post. Use JPEG, PNG, GIF, WebP, HEIC or AVIF.`);
      return false;
    });
    const room = MAX_IMAGES - items.length;
    const taken = images.slice(0, Math.max(0, room));
    const left = images.slice(taken.length);
    if (left.length) {
      const names = left.map((f) => `“${f.name}”`).join(', ');
      problems.push(room > 0
        ? `A post can have up to ${MAX_IMAGES} images, so only ${room} more could be added. Not added: ${names}.`
        : `A post can have up to ${MAX_IMAGES} images. Not added: ${names}. Remove an image to add another.`);
    }
    showErrors(problems);
    for (const file of taken) stage(file);
    if (taken.length) announce(`Preparing ${taken.length === 1 ? '1 image' : `${taken.length} images`}…`);
  }

  async function stage(file) {
    const item = { id: nextId++, name: file.name, status: 'staging', alt: '' };
    items.push(item);
    renderList();
    onChange();
    try {
      const staged = await api.stageImage(file);
      if (!alive || !items.includes(item)) return; // removed while it was being prepared
      Object.assign(item, pick(staged), { status: 'ready' });
      announce(`Image ${items.indexOf(item) + 1} added. ${ALT_HINT}.`);
    } catch (err) {
      if (!alive || !items.includes(item)) return;
      items = items.filter((i) => i !== item);
      item.el?.remove();
      addError(err.message || `“${file.name}” couldn't be prepared.`);
    }
    renderList();
    onChange();
  }

  /** Puts a draft's images back: their previews are fetched from Rust again by path. */
  function restore(drafted = []) {
    clear();
    for (const d of drafted.slice(0, MAX_IMAGES)) {
      if (!d?.path) continue;
      const item = { id: nextId++, name: d.path.split(/[\\/]/).pop(), status: 'loading', path: d.path, alt: d.alt ?? '' };
      items.push(item);
      loadPreview(item);
    }
    renderList();
  }

  async function loadPreview(item) {
    try {
      const preview = await api.previewImage(item.path);
      if (!alive || !items.includes(item)) return;
      Object.assign(item, pick(preview), { path: item.path, status: 'ready' });
    } catch (err) {
      if (!alive || !items.includes(item)) return;
      item.status = 'broken';
      item.error = err.message || 'This image could not be loaded.';
      addError(`Image ${items.indexOf(item) + 1}: ${item.error}`);
    }
    renderList();
    onChange();
  }

  function clear() {
    items = [];
    list.replaceChildren();
    showErrors([]);
    updateAddButton();
  }

  function removeItem(item) {
    const index = items.indexOf(item);
    items = items.filter((i) => i !== item);
    item.el.remove();
    showErrors([]);
    renderList();
    onChange();
    const next = items[index] ?? items[index - 1];
    (next?.el.querySelector('.image-remove') ?? addButton).focus();
    announce(`Image removed. ${items.length === 0 ? 'No images attached.' : `${items.length} of ${MAX_IMAGES} images attached.`}`);
  }

  /** Puts `item` at place `to` (0-based); its alt text goes with it. */
  function moveItem(item, to) {
    if (!item) return;
    const from = items.indexOf(item);
    items.splice(from, 1);
    items.splice(to, 0, item);
    renderList();
    onChange();
    announce(`Image ${from + 1} moved to position ${to + 1} of ${items.length}.`);
  }

  // ---- Rendering ----

  function renderList() {
    list.setAttribute('aria-label', label());
    list.dataset.count = String(items.length);
    items.forEach((item, index) => {
      item.el ??= buildItem(item);
      updateItem(item, index);
      if (list.children[index] !== item.el) list.insertBefore(item.el, list.children[index] ?? null);
    });
    updateAddButton();
  }

  function updateItem(item, index) {
    const n = index + 1;
    const { el } = item;
    const where = name() ? ` of ${name().toLowerCase()}` : '';
    const ready = item.status === 'ready';
    const described = item.alt.trim() !== '';
    el.dataset.status = item.status;
    el.dataset.described = String(described);
    el.setAttribute('aria-busy', String(item.status === 'staging' || item.status === 'loading'));
    el.querySelector('.image-remove').setAttribute('aria-label', `Remove image ${n}${where}`);
    const edit = el.querySelector('.image-alt-edit');
    edit.hidden = !ready;
    edit.textContent = described ? 'Edit alt text' : 'Add alt text';
    edit.setAttribute('aria-label', `${described ? 'Edit' : 'Add'} alt text for image ${n}${where}`);
    const shown = el.querySelector('.image-alt-text');
    shown.textContent = item.alt.trim();
    shown.hidden = !described;
    edit.setAttribute('aria-describedby', described ? shown.id : el.querySelector('.alt-missing').id);
    updateAltHint(item);
    updateOrderBar(el, index, items.length, where);

    const thumb = el.querySelector('.image-thumb');
    const size = item.width && item.height ? `${item.width} × ${item.height}` : null;
    thumb.querySelector('.image-open')?.setAttribute('aria-label',
      `Image ${n}${where}${size ? `, ${size}` : ''}: show it large and describe it`);
    if (thumb.dataset.status === item.status && thumb.dataset.src === (item.previewUrl ?? '')) return;
    thumb.dataset.status = item.status;
    thumb.dataset.src = item.previewUrl ?? '';
    if (ready) {
      const meta = [size, item.bytes ? formatBytes(item.bytes) : null].filter(Boolean).join(' · ');
      thumb.replaceChildren(
        h('button', {
          class: 'image-open', type: 'button',
          'aria-label': `Image ${n}${where}${size ? `, ${size}` : ''}: show it large and describe it`,
        }, h('img', { class: 'image-preview', src: item.previewUrl, alt: '', draggable: 'false' })),
        meta ? h('span', { class: 'image-meta', 'aria-hidden': 'true' }, meta) : null);
    } else if (item.status === 'broken') {
      thumb.replaceChildren(h('p', { class: 'image-broken' }, item.error));
    } else {
      const text = item.status === 'staging' ? `Preparing ${item.name}…` : 'Loading preview…';
      thumb.replaceChildren(h('div', { class: 'image-progress', role: 'progressbar', 'aria-label': text },
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('span', { class: 'image-progress-text' }, text)));
    }
  }

  function updateAltHint(item) {
    const missing = !item.alt.trim();
    const hint = item.el?.querySelector('.alt-missing');
    if (!hint) return;
    hint.hidden = !missing || item.status !== 'ready';
    hint.dataset.required = String(missing && requireAlt);
  }

  function updateAddButton() {
    const full = items.length >= MAX_IMAGES;
    addButton.setAttribute('aria-disabled', String(full));
    root.querySelector('.tool-count').textContent = items.length ? `${items.length} / ${MAX_IMAGES}` : '';
  }

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((m) => h('p', {}, m)));
  }

  function addError(message) {
    errors.append(h('p', {}, message));
  }

  const images = {
    addFiles,
    restore,
    clear,
    refreshAltHints: () => items.forEach(updateAltHint),
    /** Relabels tiles after the post moved in the thread. */
    relabel: renderList,
    count: () => items.length,
    hasImages: () => items.length > 0,
    isPreparing: () => items.some((i) => i.status === 'staging' || i.status === 'loading'),
    hasBroken: () => items.some((i) => i.status === 'broken'),
    missingAltCount: () => items.filter((i) => !i.alt.trim()).length,
    /** For the post: the prepared images, in order. */
    forPost: () => items.filter((i) => i.status === 'ready').map((i) => ({ path: i.path, alt: i.alt.trim() })),
    /** For the draft: every image that has a prepared file (even one whose preview is missing now). */
    forDraft: () => items.filter((i) => i.path).map((i) => ({ path: i.path, alt: i.alt })),
    /** The editor is gone (its post was removed). */
    destroy() {
      alive = false;
      all.delete(images);
    },
  };
  all.add(images);
  return images;
}

const pick = ({ path, previewUrl, width, height, bytes }) => ({ path, previewUrl, width, height, bytes });

function buildItem(item) {
  const textId = `image-alt-text-${item.id}`;
  const hintId = `image-alt-hint-${item.id}`;
  return h('li', { class: 'image-item', 'data-id': item.id },
    h('div', { class: 'image-thumb' }),
    h('div', { class: 'image-body' },
      h('p', { class: 'image-alt-text', id: textId, hidden: true }),
      h('p', { class: 'alt-missing', id: hintId }, ALT_HINT),
      h('button', { class: 'image-alt-edit btn', type: 'button', hidden: true }, 'Add alt text')),
    h('button', { class: 'image-remove btn btn-ghost', type: 'button', title: 'Remove image' },
      h('span', { 'aria-hidden': 'true' }, '×')),
    buildOrderBar());
}

function formatBytes(n) {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1000))} KB`;
}

/** Says the limit in the composer's notes (once per page). */
export function showImageLimit() {
  for (const el of document.querySelectorAll('.max-images')) el.textContent = String(MAX_IMAGES);
}

// ---- Drag-and-drop and paste ----

/** A file dropped just beside the posts must not make the window navigate to it (once per page). */
export function ignoreStrayDrops() {
  for (const type of ['dragover', 'drop']) {
    document.addEventListener(type, (event) => { if (hasFiles(event)) event.preventDefault(); });
  }
}

const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

/** Files dropped on `zone` or pasted into `pasteTarget` go to `images` (unless `isBusy()`). */
export function acceptDropsAndPastes(zone, pasteTarget, images, isBusy) {
  let depth = 0;
  zone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event) || isBusy()) return;
    event.preventDefault();
    depth += 1;
    zone.classList.add('drag-over');
  });
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event) || isBusy()) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('drag-over');
  });
  zone.addEventListener('drop', (event) => {
    depth = 0;
    zone.classList.remove('drag-over');
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.stopPropagation();
    if (!isBusy()) images.addFiles([...event.dataTransfer.files]);
  });

  pasteTarget.addEventListener('paste', (event) => {
    const data = event.clipboardData;
    const files = [...(data?.files ?? [])];
    if (!files.length || isBusy()) return;
    // Text copied from a word processor often comes with a picture of itself: paste the text then.
    if (data.getData('text/plain')) return;
    event.preventDefault();
    images.addFiles(files);
  });
}
