// An account's picture, the same in Settings' account list and the composer's "Post to". The window
// loads no image from the web (its content security policy allows `data:` and its own files only):
// Rust downloads and prepares each picture and hands it over as a `data:` URL, asked once per
// picture. Until it comes, or when there is none to show, the account's initial stands in.
import * as api from './api.js';
import { h } from './dom.js';

// account.avatar (the picture's web address) → its data: URL, or null while asked or when unavailable.
const pictures = new Map();

/** The picture of `account` as an element of class `className`, `size` px square. */
export function avatar(account, { className, size }) {
  const name = account.displayName || account.handle || '?';
  const initial = (typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter().segment(name).containing(0)?.segment
    : [...name][0]) ?? '?';
  const fallback = h('span', { class: `${className} avatar-fallback`, 'aria-hidden': 'true' }, initial.toUpperCase());
  const picture = account.avatar ? pictures.get(account.avatar) : null;
  const image = (src) => h('img', { class: className, src, alt: '', width: size, height: size });
  if (picture) return image(picture);
  if (picture === undefined) {
    pictures.set(account.avatar, null); // asked: not again on every re-render
    api.accountAvatar(account.did).catch(() => null).then((src) => {
      if (!src) return;
      pictures.set(account.avatar, src);
      if (fallback.isConnected) fallback.replaceWith(image(src));
    });
  }
  return fallback;
}
