// The post's languages (#post-langs): a text field of up to three BCP-47 tags ("en, de"), checked as
// you type, tidied when you leave it, and spelled out ("English, German") so a typo is visible.
import { byId } from '../dom.js';

export const MAX_LANGS = 3;
// language[-script][-region][-variant…]: enough to catch typos without rejecting real tags.
const TAG = /^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*$/i;
const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }) : null;

let onChange = () => {};

export function initLangs(options) {
  ({ onChange } = options);
  const input = byId('post-langs');
  input.addEventListener('input', () => {
    show(parseLangs(input.value));
    onChange();
  });
  input.addEventListener('change', () => {
    const parsed = parseLangs(input.value);
    if (!parsed.error) input.value = parsed.tags.join(', ');
  });
}

/** "en, DE pt_br" → { tags: ['en', 'de'], error } (error: a sentence, or null). */
export function parseLangs(value) {
  const words = value.split(/[\s,;]+/).filter(Boolean);
  const bad = words.filter((w) => !TAG.test(w));
  const tags = [...new Set(words.filter((w) => TAG.test(w)).map(canonical))];
  let error = null;
  if (bad.length) {
    error = `${bad.map((w) => `“${w}”`).join(', ')} ${bad.length === 1 ? "isn't a language code" : "aren't language codes"}. Use codes like en, de or pt-BR.`;
  } else if (tags.length > MAX_LANGS) {
    error = `A post can have at most ${MAX_LANGS} languages.`;
  }
  return { tags, error };
}

/** pt-br → pt-BR, zh-hant-tw → zh-Hant-TW. */
function canonical(tag) {
  return tag.split('-').map((part, i) => {
    if (i === 0) return part.toLowerCase();
    if (part.length === 4 && /^[a-z]+$/i.test(part)) return part[0].toUpperCase() + part.slice(1).toLowerCase();
    if (part.length === 2) return part.toUpperCase();
    return part.toLowerCase();
  }).join('-');
}

export const currentLangs = () => parseLangs(byId('post-langs').value);

/** Shows `tags` (anything that isn't a language tag, like a "C" locale, is left out). */
export function setLangs(tags = []) {
  const valid = [...new Set(tags.filter((t) => typeof t === 'string' && TAG.test(t)).map(canonical))];
  byId('post-langs').value = valid.slice(0, MAX_LANGS).join(', ');
  show(currentLangs());
}

function show({ tags, error }) {
  const input = byId('post-langs');
  const errorEl = byId('post-langs-error');
  errorEl.textContent = error ?? '';
  errorEl.hidden = !error;
  if (error) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  let spelled = '';
  if (!error && tags.length) {
    spelled = tags.map((t) => { try { return names?.of(t) ?? t; } catch { return t; } }).join(', ');
  }
  byId('post-langs-names').textContent = tags.length ? spelled : 'No language set.';
}
