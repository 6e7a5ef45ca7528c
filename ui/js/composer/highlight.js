// @ts-check
// The highlight layer under a post's text box: a mirror <div> holding the same text, with links, mentions
// and hashtags wrapped in <mark>s, and the part past the length limit (from the analysis' overflowFrom)
// marked as over. The textarea stays the real input (transparent background, on top);
// the mirror sits in the normal flow underneath, so it also gives the editor its height — the textarea
// grows with the text and never scrolls, which keeps both layers wrapped and aligned identically.
//
// Facets and the overflow come from Rust with UTF-8 byte offsets; they are converted to JS (UTF-16)
// string indices here.
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
 * The highlight layer in `mirror`. → { showFacets(text, facets, overflowFrom), showText(text),
 * markUnresolved(handles) }. A mention of a handle in `markUnresolved`'s set is drawn as one that will
 * be posted as plain text.
 */
export function createHighlight(mirror) {
  // What the mirror shows now: ranges and `over` (where the text stops fitting, or null) in JS indices.
  let shown = { text: '', ranges: [], over: null };
  let unresolved = new Set(); // lower-case handles that do not resolve

  function render(text, ranges, over) {
    shown = { text, ranges, over };
    const parts = [];
    // One stretch of text with one facet kind (or none), split where the overflow starts.
    const piece = (start, end, kind, plain = false) => {
      if (end <= start) return;
      if (over !== null && over > start && over < end) {
        piece(start, over, kind, plain);
        piece(over, end, kind, plain);
        return;
      }
      const classes = [kind && `hl-${kind}`, plain && 'hl-unresolved', over !== null && start >= over && 'hl-over']
        .filter(Boolean);
      const slice = text.slice(start, end);
      parts.push(classes.length ? h('mark', { class: `hl ${classes.join(' ')}` }, slice) : slice);
    };
    let cursor = 0;
    for (const r of ranges) {
      piece(cursor, r.start, null);
      const plain = r.kind === 'mention' && unresolved.has(text.slice(r.start + 1, r.end).toLowerCase());
      piece(r.start, r.end, r.kind, plain);
      cursor = r.end;
    }
    piece(cursor, text.length, null);
    // A trailing newline only makes a new line in a <div> when something follows it.
    parts.push('\u200b');
    mirror.replaceChildren(...parts);
  }

  /** The analysis for `text` arrived: show its facets and where it goes over the limit. */
  function showFacets(text, facets, overflowFrom = null) {
    render(text, facetRanges(text, facets), overflowFrom === null ? null : byteToIndex(text, overflowFrom));
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
    // The overflow mark stays where it was for an edit after it (shifted for one wholly before it).
    let over = shown.over;
    if (over !== null && over > prefix) over = over >= oldEditEnd ? over + delta : null;
    render(text, ranges, over);
  }

  /** The handles that do not resolve changed: redraw their mentions. */
  function markUnresolved(handles) {
    unresolved = new Set(handles);
    render(shown.text, shown.ranges, shown.over);
  }

  render('', [], null);
  return { showFacets, showText, markUnresolved };
}
