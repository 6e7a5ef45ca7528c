// @ts-check
// Human relative times ("2 minutes ago") for health timestamps; the exact ISO time goes in a title.
// And the times of scheduled posts, in the local zone and the person's language.

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

// Scheduled times are shown in the person's language (the system's locale) and local time, never as
// UTC or as a zone code.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const shortFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });

/** "Tuesday, 8 December 2026 at 09:00" (in the person's language), from a Date or an ISO time. */
export function localDateTime(when) {
  return dateTimeFormat.format(typeof when === 'string' ? new Date(when) : when);
}

/** "Tue 8 Dec, 09:00" (in the person's language), from an ISO time: the Queue's lists. */
export function shortDateTime(iso) {
  return shortFormat.format(new Date(iso));
}

/**
 * The time zone `zone` (an IANA name like "Europe/Vienna", or an offset) named in the person's
 * language ("Central European Standard Time"), or a plain phrase when it has no name.
 */
export function zoneLabel(zone) {
  try {
    const parts = new Intl.DateTimeFormat(undefined, { timeZone: zone || undefined, timeZoneName: 'long' }).formatToParts(new Date());
    const name = parts.find((part) => part.type === 'timeZoneName')?.value;
    if (name) return name;
  } catch { /* a zone this browser does not know */ }
  return "your computer's time zone";
}
