// The highlight layer under a post's text box: a mirror <div> holding the same text, with links, mentions
// and hashtags wrapped in <mark>s. The textarea stays the real input (transparent background, on top);
// the mirror sits in the normal flow underneath, so it also gives the editor its height — the textarea
// grows with the text and never scrolls, which keeps both layers wrapped and aligned identically.
//
// Facets come from Rust with UTF-8 byte offsets; they are converted to JS (UTF-16) string indices here.
import { h } from '../dom.js';

const encoder = new TextEncoder();
const KINDS = { '#link': 'link', '#mention': 'mention', '#tag': 'tag' };

/**
 * UTF-8 byte offset into `text` → JS string index. TextEncoder.encodeInto fills exactly `byteOffset`
 * bytes and reports how many UTF-16 code units it read to do so (it never splits a code point).
 */
export function byteToIndex(text, byteOffset) {
  if (!(byteOffset > 0)) return 0;
  return encoder.encodeInto(text, new Uint8Array(byteOffset)).read;
}

/** Lexicon facets of `text` → [{ start, end, kind }] in JS indices, sorted, without overlaps. */
export function facetRanges(text, facets = []) {
  const ranges = [];
  for (const facet of facets) {
    const type = facet.features?.[0]?.$type ?? '';
    const kind = Object.entries(KINDS).find(([suffix]) => type.endsWith(suffix))?.[1];
    const start = byteToIndex(text, facet.index?.byteStart);
    const end = byteToIndex(text, facet.index?.byteEnd);
    if (kind && end > start) ranges.push({ start, end, kind });
  }
  ranges.sort((a, b) => a.start - b.start);
  return ranges.filter((r, i) => i === 0 || r.start >= ranges[i - 1].end);
}

/**
 * The highlight layer in `mirror`. → { showFacets(text, facets), showText(text), markUnresolved(handles) }
 * A mention of a handle in `markUnresolved`'s set is drawn as one that will be posted as plain text.
 */
export function createHighlight(mirror) {
  let shown = { text: '', ranges: [] }; // what the mirror shows now, ranges in JS string indices
  let unresolved = new Set(); // lower-case handles that do not resolve

  function render(text, ranges) {
    shown = { text, ranges };
    const parts = [];
    let cursor = 0;
    for (const r of ranges) {
      if (r.start > cursor) parts.push(text.slice(cursor, r.start));
      const slice = text.slice(r.start, r.end);
      const plain = r.kind === 'mention' && unresolved.has(slice.slice(1).toLowerCase());
      parts.push(h('mark', { class: `hl hl-${r.kind}${plain ? ' hl-unresolved' : ''}` }, slice));
      cursor = r.end;
    }
    parts.push(text.slice(cursor));
    // A trailing newline only makes a new line in a <div> when something follows it.
    parts.push('\u200b');
    mirror.replaceChildren(...parts.filter((p) => p !== ''));
  }

  /** The analysis for `text` arrived: show its facets. */
  function showFacets(text, facets) {
    render(text, facetRanges(text, facets));
  }

  /**
   * The text changed and its analysis is not back yet: mirror the new text at once, keeping the marks
   * that lie wholly before or after the edit (shifted), so nothing flickers or drifts while typing.
   */
  function showText(text) {
    const old = shown.text;
    if (text === old) return;
    const max = Math.min(old.length, text.length);
    let prefix = 0;
    while (prefix < max && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix += 1;
    let suffix = 0;
    while (suffix < max - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix += 1;
    const oldEditEnd = old.length - suffix;
    const delta = text.length - old.length;
    const ranges = [];
    for (const r of shown.ranges) {
      if (r.end <= prefix) ranges.push(r);
      else if (r.start >= oldEditEnd) ranges.push({ ...r, start: r.start + delta, end: r.end + delta });
    }
    render(text, ranges);
  }

  /** The handles that do not resolve changed: redraw their mentions. */
  function markUnresolved(handles) {
    unresolved = new Set(handles);
    render(shown.text, shown.ranges);
  }

  render('', []);
  return { showFacets, showText, markUnresolved };
}
