// A post's live length counter (.counter in its editor): "N / 300" as the post will be published, a
// warning colour from 280, an error colour and "N over" past the limit, and a bytes line near the
// 3000-byte limit. Screen readers hear it only when a threshold is crossed (after a pause in typing),
// through the polite region #counter-live — never on every keystroke.
import { byId, h } from '../dom.js';

const WARN_REMAINING = 20; // graphemes left when the warning colour starts (280 of 300)
const BYTES_WARN_SHARE = 0.9; // 2700 of 3000 bytes
const ANNOUNCE_DELAY = 900;

const number = (n) => String(n); // plain digits, as in "2750 / 3000 bytes"

/** 'ok' | 'warn' | 'over' for an analysis. */
export function counterLevel(a) {
  if (a.graphemes > a.maxGraphemes || a.bytes > a.maxBytes) return 'over';
  if (a.graphemes >= a.maxGraphemes - WARN_REMAINING || a.bytes >= a.maxBytes * BYTES_WARN_SHARE) return 'warn';
  return 'ok';
}

/**
 * A counter shown in `el`; `name()` says which post it is about in announcements ("Post 2"), or ''
 * for a single post. → { render(analysis | null), reset() }
 */
export function createCounter(el, name = () => '') {
  let announced = 'ok';
  let announceTimer = 0;

  function render(a) {
    if (!a) {
      el.dataset.state = 'unknown';
      el.replaceChildren(h('span', { class: 'counter-count' }, '– / 300'));
      return;
    }
    const level = counterLevel(a);
    const overG = a.graphemes - a.maxGraphemes;
    const overB = a.bytes - a.maxBytes;
    const parts = [h('span', { class: 'counter-count' }, `${number(a.graphemes)} / ${number(a.maxGraphemes)}`)];
    if (overG > 0) parts.push(h('span', { class: 'counter-over' }, `${number(overG)} over`));
    if (a.bytes >= a.maxBytes * BYTES_WARN_SHARE) {
      parts.push(h('span', { class: 'counter-bytes', 'data-over': overB > 0 ? 'true' : null },
        `${number(a.bytes)} / ${number(a.maxBytes)} bytes`, overB > 0 ? ` (${number(overB)} over)` : ''));
    }
    el.dataset.state = level;
    el.replaceChildren(...parts);
    clearTimeout(announceTimer);
    if (level === announced) return;
    announceTimer = setTimeout(() => {
      const text = announcement(a, level, announced);
      announced = level;
      const who = name();
      if (text) byId('counter-live').textContent = who ? `${who}: ${text}` : text;
    }, ANNOUNCE_DELAY);
  }

  /** Forgets what was announced (after the composer is cleared). */
  function reset() {
    clearTimeout(announceTimer);
    announced = 'ok';
  }

  return { render, reset };
}

function announcement(a, level, announced) {
  const left = a.maxGraphemes - a.graphemes;
  if (level === 'over') {
    if (a.graphemes > a.maxGraphemes) {
      return `${number(a.graphemes - a.maxGraphemes)} characters over the ${a.maxGraphemes}-character limit. Shorten the post to send it.`;
    }
    return `Over the ${number(a.maxBytes)}-byte limit by ${number(a.bytes - a.maxBytes)} bytes. Shorten the post to send it.`;
  }
  if (level === 'warn') {
    if (left <= WARN_REMAINING) return `${number(left)} characters left.`;
    return `Close to the ${number(a.maxBytes)}-byte limit: ${number(a.bytes)} bytes used.`;
  }
  return announced === 'over' ? `Within the limit again: ${number(left)} characters left.` : '';
}
