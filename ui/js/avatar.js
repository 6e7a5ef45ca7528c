// @ts-check
// An account's picture, the same in Settings' account list and the composer's "Post to". The window
// loads no image from the web (its content security policy allows `data:` and its own files only):
// Rust downloads and prepares each picture and hands it over as a `data:` URL, asked once per
// picture. Until it comes, or when there is none to show, the account's initial stands in.
import * as api from './api.js';
import { h } from './dom.js';

/** How long a picture that could not be had is not asked for again (offline at start, say). */
const RETRY_AFTER_MS = 60_000;

// account.avatar (the picture's web address) → the data: URL, or a promise of it (null: none).
const pictures = new Map();

/** The picture of `account` as an element of class `className`, `size` px square. */
export function avatar(account, { className, size }) {
  const name = account.displayName || account.handle || '?';
  const initial = (typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter().segment(name).containing(0)?.segment
    : [...name][0]) ?? '?';
  const fallback = h('span', { class: `${className} avatar-fallback`, 'aria-hidden': 'true' }, initial.toUpperCase());
  if (!account.avatar) return fallback;
  const image = (src) => h('img', { class: className, src, alt: '', width: size, height: size });
  const known = pictures.get(account.avatar) ?? ask(account);
  if (typeof known === 'string') return image(known);
  // Every placeholder waiting for this picture is replaced when it comes, if still shown.
  known.then((src) => { if (src && fallback.isConnected) fallback.replaceWith(image(src)); });
  return fallback;
}

/** Asks Rust for `account`'s picture: a promise of its data: URL, or null. */
function ask(account) {
  const url = account.avatar;
  const asked = api.accountAvatar(account.did).catch(() => null).then((src) => {
    if (src) pictures.set(url, src);
    else setTimeout(() => pictures.delete(url), RETRY_AFTER_MS);
    return src;
  });
  pictures.set(url, asked);
  return asked;
}
