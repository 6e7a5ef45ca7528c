// @ts-check
// Who can reply and whether others may quote (#reply-settings, a disclosure beside Post): everyone,
// nobody, or any of the people mentioned, the people followed and the followers; quotes allowed or
// not. The summary line says the current choice; the draft remembers it.
import { byId } from '../dom.js';

const GROUPS = ['mentioned', 'following', 'followers'];
const GROUP_NAMES = { mentioned: 'people you mention', following: 'people you follow', followers: 'your followers' };

let onChange = () => {};

export function initReplySettings(options) {
  ({ onChange } = options);
  byId('reply-settings').addEventListener('change', (event) => {
    // Ticking a group means "only these"; choosing "Only…" with nothing ticked starts with mentions.
    const target = /** @type {HTMLInputElement} */ (event.target);
    if (target.closest('#reply-groups') && target.checked) /** @type {HTMLInputElement} */ (byId('reply-some')).checked = true;
    if (target.id === 'reply-some' && !GROUPS.some((g) => /** @type {HTMLInputElement} */ (byId(`reply-${g}`)).checked)) /** @type {HTMLInputElement} */ (byId('reply-mentioned')).checked = true;
    show();
    onChange();
  });
  // A popover: Escape closes it and gives the keyboard back to its button.
  byId('reply-settings').addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !/** @type {HTMLDetailsElement} */ (byId('reply-settings')).open) return;
    event.preventDefault();
    /** @type {HTMLDetailsElement} */ (byId('reply-settings')).open = false;
    byId('reply-settings').querySelector('summary').focus();
  });
  show();
}

/** → { whoCanReply, quotesAllowed } in the composition's form. */
export function replySettings() {
  const kind = /** @type {HTMLInputElement} */ (document.querySelector('input[name="who-can-reply"]:checked'))?.value ?? 'everyone';
  const whoCanReply = kind === 'some'
    ? { kind, ...Object.fromEntries(GROUPS.map((g) => [g, /** @type {HTMLInputElement} */ (byId(`reply-${g}`)).checked])) }
    : { kind };
  return { whoCanReply, quotesAllowed: /** @type {HTMLInputElement} */ (byId('quotes-allowed')).checked };
}

export function setReplySettings({ whoCanReply = { kind: 'everyone' }, quotesAllowed = true } = {}) {
  const kind = ['everyone', 'nobody', 'some'].includes(whoCanReply?.kind) ? whoCanReply.kind : 'everyone';
  /** @type {HTMLInputElement} */ (byId(`reply-${kind}`)).checked = true;
  for (const g of GROUPS) /** @type {HTMLInputElement} */ (byId(`reply-${g}`)).checked = kind === 'some' && Boolean(whoCanReply[g]);
  /** @type {HTMLInputElement} */ (byId('quotes-allowed')).checked = quotesAllowed !== false;
  show();
}

/** Why the settings can't be posted, or null. */
export function replyBlocker() {
  const { whoCanReply } = replySettings();
  return whoCanReply.kind === 'some' && !GROUPS.some((g) => whoCanReply[g])
    ? 'Choose who can reply (at least one group), or let everyone reply.'
    : null;
}

function show() {
  const { whoCanReply, quotesAllowed } = replySettings();
  let who = 'Everyone can reply';
  if (whoCanReply.kind === 'nobody') who = 'Nobody can reply';
  if (whoCanReply.kind === 'some') {
    const groups = GROUPS.filter((g) => whoCanReply[g]).map((g) => GROUP_NAMES[g]);
    who = groups.length ? `Only ${groups.join(', ')} can reply` : 'Choose who can reply';
  }
  byId('reply-summary').textContent = quotesAllowed ? who : `${who} · no quotes`;
}
