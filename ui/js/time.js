// @ts-check
// Human relative times ("2 minutes ago") for health timestamps; the exact ISO time goes in a title.

/** @type {[Intl.RelativeTimeFormatUnit, number][]} */
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "2 minutes ago", "yesterday"…; null for a missing or unparsable time. */
export function relativeTime(iso, now = Date.now()) {
  const then = Date.parse(iso ?? '');
  if (Number.isNaN(then)) return null;
  const seconds = Math.round((then - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60) || -1, 'minute');
}

/** Re-renders every <time data-relative> on the page; called on a timer so "just now" ages. */
export function refreshRelativeTimes(root = document) {
  for (const el of root.querySelectorAll('time[data-relative]')) {
    const text = relativeTime(/** @type {HTMLTimeElement} */ (el).dateTime);
    if (text) el.textContent = text;
  }
}
