// @ts-check
// The length counter in the composer's action bar (#composer-counter): a ring that fills as the post
// nears the limit, the number of characters left once it is close (how many over past it), and a
// bytes line near the 3000-byte limit. It shows the post being edited (the last one focused); the
// numbers are always Rust's analysis of that post — nothing is counted here.
//
// Screen readers hear it only when a threshold is crossed (20 left, at the limit, over, back within),
// after a pause in typing, through the polite region #counter-live — never on every keystroke. The
// text boxes are described by the counter, so its full sentence is read with the focused post.
import { byId, h } from '../dom.js';

const WARN_REMAINING = 20; // graphemes left when the number and the warning colour appear (280 of 300)
const BYTES_WARN_SHARE = 0.9; // 2700 of 3000 bytes
const ANNOUNCE_DELAY = 900;
const SVG = 'http://www.w3.org/2000/svg';

/** 'ok' | 'warn' | 'full' | 'over' for an analysis. */
export function counterLevel(a) {
  if (a.graphemes > a.maxGraphemes || a.bytes > a.maxBytes) return 'over';
  if (a.graphemes === a.maxGraphemes) return 'full';
  if (a.graphemes >= a.maxGraphemes - WARN_REMAINING || a.bytes >= a.maxBytes * BYTES_WARN_SHARE) return 'warn';
  return 'ok';
}

/** The counter whose post is shown in the bar. */
let shown = null;

/**
 * The counter of one post; `name()` says which post it is ("Post 2"), or '' for a single post.
 * → { update(analysis | null), show(), reset() }. The first counter made is shown until another
 * post's `show()` (its text box got focus).
 */
export function createCounter(name = () => '') {
  let analysis = null;
  let announced = 'ok';
  let announceTimer = 0;

  const counter = {
    /** The post's analysis arrived (null: it could not be checked). */
    update(a) {
      analysis = a;
      if (shown === counter) paint(a, name());
      clearTimeout(announceTimer);
      const level = a ? counterLevel(a) : announced;
      if (level === announced) return;
      announceTimer = setTimeout(() => {
        const text = announcement(a, level, announced);
        announced = level;
        const who = name();
        if (text) byId('counter-live').textContent = who ? `${who}: ${text}` : text;
      }, ANNOUNCE_DELAY);
    },
    /** This post is the one being edited: the bar shows its numbers. */
    show() {
      shown = counter;
      paint(analysis, name());
    },
    /** Forgets this post (removed, or the composer cleared). */
    reset() {
      clearTimeout(announceTimer);
      announced = 'ok';
      if (shown === counter) shown = null;
    },
  };
  if (!shown) counter.show();
  return counter;
}

function ring(fraction) {
  const circle = (cls) => {
    const c = document.createElementNS(SVG, 'circle');
    for (const [k, v] of Object.entries({ class: cls, cx: 18, cy: 18, r: 15, pathLength: 100 })) c.setAttribute(k, String(v));
    return c;
  };
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'counter-ring');
  svg.setAttribute('viewBox', '0 0 36 36');
  svg.setAttribute('aria-hidden', 'true');
  const fill = circle('counter-ring-fill');
  // A presentation attribute, not a style: the CSP allows no inline styles.
  fill.setAttribute('stroke-dasharray', `${Math.round(Math.min(1, fraction) * 1000) / 10} 100`);
  svg.append(circle('counter-ring-track'), fill);
  return svg;
}

function paint(a, who) {
  const el = byId('composer-counter');
  if (!el) return;
  if (!a) {
    el.dataset.state = 'unknown';
    el.title = 'The length could not be checked';
    el.replaceChildren(ring(0), h('span', { class: 'sr-only' }, 'Length not checked yet.'));
    return;
  }
  const level = counterLevel(a);
  const left = a.maxGraphemes - a.graphemes;
  const overB = a.bytes - a.maxBytes;
  const sentence = `${a.graphemes} of ${a.maxGraphemes} characters${left < 0 ? `, ${-left} over the limit` : ''}.`;
  const parts = [];
  if (who) parts.push(h('span', { class: 'counter-post' }, who));
  parts.push(ring(a.graphemes / a.maxGraphemes));
  if (left <= WARN_REMAINING) {
    // U+2212 minus: "−12" reads as a count below zero; screen readers get the sentence instead.
    parts.push(h('span', { class: 'counter-left', 'aria-hidden': 'true' }, left < 0 ? `\u2212${-left}` : String(left)));
  }
  parts.push(h('span', { class: 'sr-only' }, who ? `${who}: ${sentence}` : sentence));
  if (a.bytes >= a.maxBytes * BYTES_WARN_SHARE) {
    parts.push(h('span', { class: 'counter-bytes', 'data-over': overB > 0 ? 'true' : null },
      `${a.bytes} / ${a.maxBytes} bytes`, overB > 0 ? ` (${overB} over)` : ''));
  }
  el.dataset.state = level;
  el.title = sentence;
  el.replaceChildren(...parts);
}

function announcement(a, level, announced) {
  const left = a.maxGraphemes - a.graphemes;
  if (level === 'over') {
    if (a.graphemes > a.maxGraphemes) {
      return `${a.graphemes - a.maxGraphemes} characters over the ${a.maxGraphemes}-character limit. Shorten the post to send it.`;
    }
    return `Over the ${a.maxBytes}-byte limit by ${a.bytes - a.maxBytes} bytes. Shorten the post to send it.`;
  }
  if (level === 'full') return `At the ${a.maxGraphemes}-character limit.`;
  if (level === 'warn') {
    if (left <= WARN_REMAINING) return `${left} characters left.`;
    return `Close to the ${a.maxBytes}-byte limit: ${a.bytes} bytes used.`;
  }
  return announced === 'over' ? `Within the limit again: ${left} characters left.` : '';
}
