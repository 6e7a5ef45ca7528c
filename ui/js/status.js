// @ts-check
// The page's one polite live region (#status-message): outcomes of connect, refresh and disconnect
// are announced here, so screen-reader users hear them without losing their place.
import { byId, h } from './dom.js';

/** Shows `text` (plus optional bullet `details`) as the current status; kind: success|warning|error|info. */
export function showStatus(text, { kind = 'info', details = [] } = {}) {
  const region = byId('status-message');
  region.dataset.kind = kind;
  const children = [h('p', {}, text)];
  if (details.length) children.push(h('ul', {}, details.map((d) => h('li', {}, d))));
  region.replaceChildren(...children);
}

export function clearStatus() {
  const region = byId('status-message');
  region.replaceChildren();
  delete region.dataset.kind;
}
