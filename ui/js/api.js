// The ONLY module that calls into Rust: everything else imports the functions below.

const tauri = window.__TAURI__;

/**
 * Calls a Rust command. Rejections are always `{ code, message, field? }`: Rust sends that shape (`field`
 * names the form input the error is about, when it is about one), and anything else (a plain string
 * from Tauri itself, an Error) is wrapped so callers can branch on `code`.
 */
export async function invoke(command, args = {}, options = undefined) {
  try {
    return await (options ? tauri.core.invoke(command, args, options) : tauri.core.invoke(command, args));
  } catch (err) {
    throw toAppError(err);
  }
}

function toAppError(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    const error = { code: err.code, message: String(err.message ?? '') };
    if (typeof err.field === 'string') error.field = err.field;
    return error;
  }
  const message = typeof err === 'string' ? err : (err?.message ?? 'Something went wrong.');
  return { code: 'unknown', message };
}

export const listAccounts = () => invoke('list_accounts');

/** `did` → the account's picture as a `data:` URL, or null (none, or it could not be loaded) */
export const accountAvatar = (did) => invoke('account_avatar', { account: did });

/** → { account, warnings } */
export const connectAccount = ({ identifier, password, service }) =>
  invoke('connect_account', { identifier, password, service });

/** `did` → the updated account */
export const refreshAccount = (did) => invoke('refresh_account', { account: did });

/** `did` → { did, connected: false, serverSessionRevoked } */
export const disconnectAccount = (did) => invoke('disconnect_account', { account: did });

// ---- Composer ----

/**
 * `text` → { graphemes, maxGraphemes, bytes, maxBytes, overLimit, overflowFrom, facets,
 * publishedText, publishedFacets, linkCard }. Facet offsets and `overflowFrom` (where the text stops
 * fitting, or null) are UTF-8 byte offsets into `text`.
 */
export const analyzeText = (text) => invoke('analyze_text', { text });

/**
 * `uri` → { uri, title, description, thumb: null | { path, previewUrl, … } }: the card as it will be
 * posted, its thumbnail prepared and staged (rejects with the reason when the page gives no card).
 */
export const fetchLinkCard = (uri) => invoke('fetch_link_card', { uri });

/**
 * Sends a picked/dropped/pasted File to Rust, which prepares it for posting (orientation applied,
 * metadata stripped, re-encoded under the size limit). The bytes travel as Tauri's raw invoke body;
 * the file name (for error messages) as a header.
 * → { path, previewUrl, width, height, mimeType, bytes }
 */
export async function stageImage(file) {
  let bytes;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    throw { code: 'io', message: `Couldn't read “${file.name}”. It may have been moved or deleted.` };
  }
  return invoke('stage_image', bytes, { headers: { 'x-file-name': encodeURIComponent(file.name) } });
}

/** A staged image's preview again (after a restart): `path` → same shape as stageImage. */
export const previewImage = (path) => invoke('preview_image', { path });

/**
 * → the saved drafts, the most recently changed first: [{ id, updatedAt, composition }], a composition
 * being { posts: [{ text, images: [{ path, alt }], card: { kind }, quote, labels }], accounts: [did],
 * langs: [tag], whoCanReply: { kind, … }, quotesAllowed }
 */
export const listDrafts = () => invoke('list_drafts');

/** Draft `id` (the most recent one when `id` is null) → null | { id, updatedAt, composition } */
export const loadDraft = (id = null) => invoke('load_draft', { id });

/** Saves the composition being written as draft `id` (a new draft when null) → its id. */
export const saveDraft = (id, draft) => invoke('save_draft', { id, draft });

/** Takes draft `id` out of the list; restoreDraft(id) brings it back until deleteDraft(id). */
export const discardDraft = (id) => invoke('discard_draft', { id });

/** Undo of discardDraft → { id, updatedAt, composition } */
export const restoreDraft = (id) => invoke('restore_draft', { id });

/** Deletes draft `id` for good (with the images nothing else uses). */
export const deleteDraft = (id) => invoke('delete_draft', { id });

/**
 * A post to quote, looked up with the account `account` (a DID): `quote` is a bsky.app post link or
 * an at:// URI. → { reference: { uri, cid }, authorDid, text }; rejects with code
 * `not_found` when there is no such post.
 */
export const previewQuote = (quote, account) => invoke('preview_quote', { quote, account });

/**
 * Accounts for the handle being typed after an `@` (`typed`, e.g. "han"), asked through the connected
 * account `account` (DID) → { source: 'appView' | 'known', actors: [{ handle, did, displayName, avatar }] }.
 * 'known': the app view did not answer; these are connected accounts and handles mentioned before.
 */
export const suggestMentions = (account, typed) => invoke('suggest_mentions', { account, typed });

/** Whether each mentioned handle resolves → [{ handle, status: 'resolves' | 'unresolved' | 'unknown' }] */
export const checkMentions = (account, handles) => invoke('check_mentions', { account, handles });

/** → { requireAltText, preferredLangs } */
export const getSettings = () => invoke('get_settings');

export const setSettings = (settings) => invoke('set_settings', { settings });

/** → { maxPosts, maxImages, maxLangs, maxAltGraphemes }: what a composition may hold, as Rust checks it */
export const limits = () => invoke('limits');

/** → the post languages to start with, e.g. ["en"]: the last chosen by hand, else the system's */
export const defaultLangs = () => invoke('default_langs');

/** → the languages the text is confidently in, e.g. ["de"] (at most 3; [] for short text) */
export const suggestLangs = (text) => invoke('suggest_langs', { text });

/** → the BCP-47 tags of every language that can be suggested (the picker offers them) */
export const detectableLangs = () => invoke('detectable_langs');

function withProgress(command, args, onStage) {
  const channel = new tauri.core.Channel();
  channel.onmessage = (stage) => onStage?.(stage);
  return invoke(command, { ...args, onProgress: channel });
}

/**
 * Posts a composition (the draft's shape, each post's `card` being `{ kind: 'none' }` or the
 * previewed `{ kind: 'shown', uri, title, description, thumbPath }`). `onStage` hears the progress
 * ("preparingImages", "fetchingLinkCard", "uploading", "done") through a Tauri Channel.
 * → { id, accounts }: `id` names the outbox entry (to retry), `accounts` is where the thread stands on
 * each account, in order: { account, handle, rkeys, attempts, state }, `state` being 'posted' (with
 * `posts: [{ uri, cid, url }]`), 'failed' (with `error: { code, message }`) or 'pending' (not sent, or
 * sent without a known outcome).
 */
export const post = (composition, draft, onStage) => withProgress('post', { composition, draft }, onStage);

/**
 * Sends outbox entry `id` again to the accounts that have not got it (deleting draft `draft` once
 * every account has it). → same as post.
 */
export const retryPost = (id, draft, onStage) => withProgress('retry_post', { id, draft }, onStage);

/** Gives up on outbox entry `id` (what is posted stays posted; a draft keeps its images). */
export const discardPost = (id) => invoke('discard_post', { id });

/** → the ids of the outbox entries as stored (nothing is looked up or sent) */
export const outboxIds = async () => (await invoke('outbox_entries')).map((entry) => entry.id);

/**
 * → the outbox entries not on every account yet (after Rust looked up what a crash left unknown):
 * [{ id, createdAt, images, composition, accounts }], `accounts` as a post answers them.
 */
export const pendingPosts = () => invoke('pending_posts');

// ---- About and updates ----

/** → { version, homepage: string | null, licence, licenceUrl } */
export const about = () => invoke('about');

/** → null | { version, notes }: an update downloaded and verified, waiting to be installed */
export const updateStatus = () => invoke('update_status');

/** Installs the verified update and restarts the app (rejects with the reason when it cannot). */
export const installUpdate = () => invoke('install_update');

/** Calls `callback({ version, notes })` when Rust has downloaded and verified an update. */
export const onUpdateReady = (callback) =>
  tauri.event.listen('update-ready', (event) => callback(event.payload));

/** Opens a web address in the default browser (never inside the app's window). */
export const openExternal = (url) => invoke('plugin:opener|open_url', { url });

/** Calls `callback` whenever Rust says the stored accounts changed (event `accounts-changed`). */
export const onAccountsChanged = (callback) => tauri.event.listen('accounts-changed', () => callback());

/**
 * Calls `callback` whenever the CLI or another window changed the database (event `data-changed`,
 * src-tauri/src/watch.rs).
 */
export const onDataChanged = (callback) => tauri.event.listen('data-changed', () => callback());
