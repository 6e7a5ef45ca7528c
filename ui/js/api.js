// @ts-check
// The ONLY module that calls into Rust: everything else imports the functions below. The shapes of
// what crosses are Rust's own, generated into ipc.d.ts (src-tauri/core/src/ipc_contract.rs).

/** @typedef {import('./ipc').About} About */
/** @typedef {import('./ipc').Account} Account */
/** @typedef {import('./ipc').Analysis} Analysis */
/** @typedef {import('./ipc').CardPreview} CardPreview */
/** @typedef {import('./ipc').Composition} Composition */
/** @typedef {import('./ipc').Connected} Connected */
/** @typedef {import('./ipc').Disconnected} Disconnected */
/** @typedef {import('./ipc').HandleCheck} HandleCheck */
/** @typedef {import('./ipc').IpcError} IpcError */
/** @typedef {import('./ipc').Limits} Limits */
/** @typedef {import('./ipc').OutboxEntry} OutboxEntry */
/** @typedef {import('./ipc').PostStage} PostStage */
/** @typedef {import('./ipc').Posted} Posted */
/** @typedef {import('./ipc').Preferences} Preferences */
/** @typedef {import('./ipc').Queued} Queued */
/** @typedef {import('./ipc').QuotedPost} QuotedPost */
/** @typedef {import('./ipc').SavedDraft} SavedDraft */
/** @typedef {import('./ipc').Sent} Sent */
/** @typedef {import('./ipc').StagedImage} StagedImage */
/** @typedef {import('./ipc').StagedVideo} StagedVideo */
/** @typedef {import('./ipc').StagedCaption} StagedCaption */
/** @typedef {import('./ipc').Suggestions} Suggestions */

/**
 * The error codes of a failure that passes by itself (Rust's `publish::PASSES_BY_ITSELF`, checked by
 * src-tauri/src/commands/contract_tests.rs): an account that failed so waits for the queue's sender
 * to try it again, as "waiting for connection", instead of for the person.
 * @type {string[]}
 */
export const PASSES_BY_ITSELF = ['network', 'rate_limited', 'server_unavailable'];
/** @typedef {import('./ipc').UpdateOffer} UpdateOffer */
/**
 * What every call rejects with: Rust's error, or `unknown` for anything else (a plain string from
 * Tauri itself, an Error).
 * @typedef {IpcError | { code: 'unknown', message: string }} AppError
 */

const tauri = window.__TAURI__;

/**
 * Calls a Rust command. Rejections are always `{ code, message, field? }`: Rust sends that shape (`field`
 * names the form input the error is about, when it is about one), and anything else (a plain string
 * from Tauri itself, an Error) is wrapped so callers can branch on `code`.
 * @template [T=unknown]
 * @param {string} command
 * @param {Record<string, unknown> | Uint8Array} [args]
 * @param {{ headers?: Record<string, string> }} [options]
 * @returns {Promise<T>}
 */
export async function invoke(command, args = {}, options = undefined) {
  try {
    return await (options ? tauri.core.invoke(command, args, options) : tauri.core.invoke(command, args));
  } catch (err) {
    throw toAppError(err);
  }
}

/**
 * @param {any} err
 * @returns {AppError}
 */
function toAppError(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    /** @type {IpcError} */
    const error = { code: err.code, message: String(err.message ?? '') };
    if (typeof err.field === 'string') error.field = err.field;
    return error;
  }
  const message = typeof err === 'string' ? err : (err?.message ?? 'Something went wrong.');
  return { code: 'unknown', message };
}

/** @returns {Promise<Account[]>} */
export const listAccounts = () => invoke('list_accounts');

/**
 * `did` → the account's picture as a `data:` URL, or null (none, or it could not be loaded)
 * @param {string} did
 * @returns {Promise<string | null>}
 */
export const accountAvatar = (did) => invoke('account_avatar', { account: did });

/**
 * @param {{ identifier: string, password: string, service: string }} form
 * @returns {Promise<Connected>}
 */
export const connectAccount = ({ identifier, password, service }) =>
  invoke('connect_account', { identifier, password, service });

/**
 * Sign in with Bluesky: opens the account's server's page in the browser and resolves once the
 * person approved there (or rejects: refused, timed out, cancelled with `cancelSignIn`).
 * @param {{ identifier: string, service: string }} form
 * @returns {Promise<Connected>}
 */
export const signInWithBluesky = ({ identifier, service }) =>
  invoke('sign_in_with_bluesky', { identifier, service });

/**
 * Calls `callback(url)` when a sign-in with Bluesky starts waiting for the browser at `url`
 * (event `sign-in-waiting`, src-tauri/src/commands/accounts.rs).
 * @param {(url: string) => void} callback
 */
export const onSignInWaiting = (callback) =>
  tauri.event.listen('sign-in-waiting', (/** @type {TauriEvent<string>} */ event) => callback(event.payload));

/** Stops waiting for the browser. @returns {Promise<void>} */
export const cancelSignIn = () => invoke('cancel_sign_in');

/**
 * Opens the waiting sign-in's page in the browser again; its address, for copying.
 * @returns {Promise<string>}
 */
export const openSignInPage = () => invoke('open_sign_in_page');

/**
 * `did` → the updated account
 * @param {string} did
 * @returns {Promise<Account>}
 */
export const refreshAccount = (did) => invoke('refresh_account', { account: did });

/**
 * @param {string} did
 * @returns {Promise<Disconnected>}
 */
export const disconnectAccount = (did) => invoke('disconnect_account', { account: did });

// ---- Composer ----

/**
 * `text` → its analysis. Facet offsets and `overflowFrom` (where the text stops fitting, or null) are
 * UTF-8 byte offsets into `text`.
 * @param {string} text
 * @returns {Promise<Analysis>}
 */
export const analyzeText = (text) => invoke('analyze_text', { text });

/**
 * `uri` → the card as it will be posted, its thumbnail prepared and staged (rejects with the reason
 * when the page gives no card).
 * @param {string} uri
 * @returns {Promise<CardPreview>}
 */
export const fetchLinkCard = (uri) => invoke('fetch_link_card', { uri });

/**
 * Sends a picked/dropped/pasted File to Rust, which prepares it for posting (orientation applied,
 * metadata stripped, re-encoded under the size limit). The bytes travel as Tauri's raw invoke body;
 * the file name (for error messages) as a header.
 * @param {File} file
 * @returns {Promise<StagedImage>}
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

/**
 * A staged image's preview again (after a restart).
 * @param {string} path
 * @returns {Promise<StagedImage>}
 */
export const previewImage = (path) => invoke('preview_image', { path });

/** The size of each piece of a video sent to Rust (its limit is 8 MiB). */
const VIDEO_PIECE = 4 * 1024 * 1024;

/**
 * Sends a picked video File to Rust in pieces, read from the file one at a time (never whole in
 * memory), and has it checked. `onProgress(fraction)` after each piece; `signal` stops it (the
 * partial copy is removed).
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @param {AbortSignal} signal
 * @returns {Promise<StagedVideo>}
 */
export async function stageVideo(file, onProgress, signal) {
  /** @type {string} */
  const id = await invoke('begin_video', { size: file.size });
  try {
    for (let offset = 0; offset < file.size; offset += VIDEO_PIECE) {
      if (signal.aborted) throw { code: 'cancelled', message: 'Adding the video was cancelled.' };
      let piece;
      try {
        piece = new Uint8Array(await file.slice(offset, offset + VIDEO_PIECE).arrayBuffer());
      } catch {
        throw { code: 'io', message: `Couldn't read “${file.name}”. It may have been moved or deleted.` };
      }
      await invoke('append_video', piece, { headers: { 'x-video-id': id, 'x-offset': String(offset) } });
      onProgress(Math.min(1, (offset + piece.length) / file.size));
    }
    if (signal.aborted) throw { code: 'cancelled', message: 'Adding the video was cancelled.' };
    return await invoke('finish_video', { id, name: file.name });
  } catch (err) {
    invoke('discard_video', { id }).catch(() => {});
    throw err;
  }
}

/**
 * A staged video as shown (after a restart).
 * @param {string} path
 * @returns {Promise<StagedVideo>}
 */
export const videoInfo = (path) => invoke('video_info', { path });

/**
 * Sends a caption File (WebVTT) to Rust, which checks and keeps it.
 * @param {File} file
 * @returns {Promise<StagedCaption>}
 */
export async function stageCaption(file) {
  let bytes;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    throw { code: 'io', message: `Couldn't read “${file.name}”. It may have been moved or deleted.` };
  }
  return invoke('stage_caption', bytes, { headers: { 'x-file-name': encodeURIComponent(file.name) } });
}

/**
 * → the saved drafts, the most recently changed first
 * @returns {Promise<SavedDraft[]>}
 */
export const listDrafts = () => invoke('list_drafts');

/**
 * Draft `id` (the most recent one when `id` is null), or null
 * @param {number | null} [id]
 * @returns {Promise<SavedDraft | null>}
 */
export const loadDraft = (id = null) => invoke('load_draft', { id });

/**
 * Saves the composition being written as draft `id` (a new draft when null) → its id.
 * @param {number | null} id
 * @param {Composition} draft
 * @returns {Promise<number>}
 */
export const saveDraft = (id, draft) => invoke('save_draft', { id, draft });

/**
 * Takes draft `id` out of the list; restoreDraft(id) brings it back until deleteDraft(id).
 * @param {number} id
 * @returns {Promise<void>}
 */
export const discardDraft = (id) => invoke('discard_draft', { id });

/**
 * Undo of discardDraft
 * @param {number} id
 * @returns {Promise<SavedDraft>}
 */
export const restoreDraft = (id) => invoke('restore_draft', { id });

/**
 * Deletes draft `id` for good (with the images nothing else uses).
 * @param {number} id
 * @returns {Promise<void>}
 */
export const deleteDraft = (id) => invoke('delete_draft', { id });

/**
 * A post to quote, looked up with the account `account` (a DID): `quote` is a bsky.app post link or
 * an at:// URI; rejects with code `not_found` when there is no such post.
 * @param {string} quote
 * @param {string} account
 * @returns {Promise<QuotedPost>}
 */
export const previewQuote = (quote, account) => invoke('preview_quote', { quote, account });

/**
 * Accounts for the handle being typed after an `@` (`typed`, e.g. "han"), asked through the connected
 * account `account` (DID). Source 'known': the app view did not answer; these are connected accounts
 * and handles mentioned before.
 * @param {string} account
 * @param {string} typed
 * @returns {Promise<Suggestions>}
 */
export const suggestMentions = (account, typed) => invoke('suggest_mentions', { account, typed });

/**
 * Whether each mentioned handle resolves
 * @param {string} account
 * @param {string[]} handles
 * @returns {Promise<HandleCheck[]>}
 */
export const checkMentions = (account, handles) => invoke('check_mentions', { account, handles });

/** @returns {Promise<Preferences>} */
export const getSettings = () => invoke('get_settings');

/**
 * @param {Preferences} settings
 * @returns {Promise<void>}
 */
export const setSettings = (settings) => invoke('set_settings', { settings });

/**
 * What a composition may hold, as Rust checks it
 * @returns {Promise<Limits>}
 */
export const limits = () => invoke('limits');

/**
 * → the post languages to start with, e.g. ["en"]: the last chosen by hand, else the system's
 * @returns {Promise<string[]>}
 */
export const defaultLangs = () => invoke('default_langs');

/**
 * → the languages the text is confidently in, e.g. ["de"] (at most 3; [] for short text)
 * @param {string} text
 * @returns {Promise<string[]>}
 */
export const suggestLangs = (text) => invoke('suggest_langs', { text });

/**
 * → the BCP-47 tags of every language that can be suggested (the picker offers them)
 * @returns {Promise<string[]>}
 */
export const detectableLangs = () => invoke('detectable_langs');

/**
 * @param {string} command
 * @param {Record<string, unknown>} args
 * @param {((stage: PostStage) => void) | undefined} onStage
 * @returns {Promise<Sent>}
 */
function withProgress(command, args, onStage) {
  /** @type {TauriChannel<PostStage>} */
  const channel = new tauri.core.Channel();
  channel.onmessage = (stage) => onStage?.(stage);
  return invoke(command, { ...args, onProgress: channel });
}

/**
 * Posts a composition (the draft's shape, each post's `card` being `{ kind: 'none' }` or the
 * previewed `{ kind: 'shown', uri, title, description, thumbPath }`). `onStage` hears the progress
 * ("preparingImages", "fetchingLinkCard", "uploading", "done") through a Tauri Channel. `ticket`
 * (letters, digits and dashes, at most 64: a UUID) is what `cancelPosting` names it by.
 * → `id` names the outbox entry (to retry), `accounts` is where the thread stands on each account, in
 * order: 'posted', 'failed' or 'pending' (not sent, or sent without a known outcome). Rejects with
 * code `cancelled` when cancelled before anything was written (nothing posted, nothing in the outbox).
 * @param {Composition} composition
 * @param {number | null} draft
 * @param {string} ticket
 * @param {(stage: PostStage) => void} [onStage]
 * @returns {Promise<Sent>}
 */
export const post = (composition, draft, ticket, onStage) => withProgress('post', { composition, draft, ticket }, onStage);

/**
 * Sends outbox entry `id` again to the accounts that have not got it (deleting the draft it was
 * posted from once every account has it), under `ticket` as post. → same as post; an account a
 * cancel stopped is 'failed' with code `cancelled`.
 * @param {string} id
 * @param {string} ticket
 * @param {(stage: PostStage) => void} [onStage]
 * @returns {Promise<Sent>}
 */
export const retryPost = (id, ticket, onStage) => withProgress('retry_post', { id, ticket }, onStage);

/**
 * A fresh ticket for a send (post, retryPost): 32 random hex digits.
 * @returns {string}
 */
export const newTicket = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * Cancels the post or retry sent under `ticket`, up to its write (a write under way finishes, and
 * that call answers its outcome). → whether such a send was under way
 * @param {string} ticket
 * @returns {Promise<boolean>}
 */
export const cancelPosting = (ticket) => invoke('cancel_posting', { ticket });

/**
 * Gives up on outbox entry `id` (what is posted stays posted; a draft keeps its images).
 * @param {string} id
 * @returns {Promise<void>}
 */
export const discardPost = (id) => invoke('discard_post', { id });

/**
 * → the ids of the outbox entries as stored (nothing is looked up or sent)
 * @returns {Promise<string[]>}
 */
export const outboxIds = async () => (await outboxEntries()).map((entry) => entry.id);

/**
 * → the outbox entries as stored (nothing is looked up or sent), scheduled ones included
 * @returns {Promise<OutboxEntry[]>}
 */
export const outboxEntries = () => invoke('outbox_entries');

/**
 * → the outbox entries not on every account yet (after Rust looked up what a crash left unknown):
 * `accounts` as a post answers them.
 * @returns {Promise<OutboxEntry[]>}
 */
export const pendingPosts = () => invoke('pending_posts');

// ---- Scheduling ----

/**
 * Queues a composition (as `post` takes it) to go at `at`, the person's local time as the picker
 * gives it (`YYYY-MM-DDTHH:MM`); rejects with the reason when that is not at least a minute ahead.
 * Its draft stays with it until every account has the post. → the queued outbox entry
 * @param {Composition} composition
 * @param {number | null} draft
 * @param {string} at
 * @returns {Promise<OutboxEntry>}
 */
export const schedulePost = (composition, draft, at) => invoke('schedule_post', { composition, draft, at });

/**
 * "Add to queue": queues a composition in the next free posting slot of its accounts.
 * @param {Composition} composition
 * @param {number | null} draft
 * @returns {Promise<OutboxEntry>}
 */
export const queuePost = (composition, draft) => invoke('queue_post', { composition, draft });

/**
 * → the queue, soonest first: each outbox entry with its `state` ('scheduled', 'due' or 'held')
 * @returns {Promise<Queued[]>}
 */
export const scheduledPosts = () => invoke('scheduled_posts');

/**
 * → the posts that reached every account, the newest first (the last 50), each with the link to
 * its first post on each account; kept in the database, whichever process sent them
 * @returns {Promise<Posted[]>}
 */
export const postedHistory = () => invoke('posted_history');

/**
 * → the time zone picked times are read in (an IANA name like "Europe/Vienna", or an offset)
 * @returns {Promise<string>}
 */
export const scheduleZone = () => invoke('schedule_zone');

/**
 * Sends scheduled post `id` now. → same as post
 * @param {string} id
 * @param {(stage: PostStage) => void} [onStage]
 * @returns {Promise<Sent>}
 */
export const sendScheduledNow = (id, onStage) => withProgress('send_scheduled_now', { id }, onStage);

/**
 * Moves scheduled post `id` to `at` (as schedulePost takes it). → the entry as moved
 * @param {string} id
 * @param {string} at
 * @returns {Promise<OutboxEntry>}
 */
export const reschedulePost = (id, at) => invoke('reschedule_post', { id, at });

/**
 * Replaces what post `id` (scheduled, or failed on some accounts) sends with `composition` (its
 * images staged copies); accounts that have it keep it. → the entry as edited
 * @param {string} id
 * @param {Composition} composition
 * @returns {Promise<OutboxEntry>}
 */
export const editQueuedPost = (id, composition) => invoke('edit_queued_post', { id, composition });

/**
 * Takes scheduled post `id` off the queue (its draft stays).
 * @param {string} id
 * @returns {Promise<void>}
 */
export const cancelScheduled = (id) => invoke('cancel_scheduled', { id });

// ---- About and updates ----

/** @returns {Promise<About>} */
export const about = () => invoke('about');

/**
 * An update downloaded and verified, waiting to be installed, or null
 * @returns {Promise<UpdateOffer | null>}
 */
export const updateStatus = () => invoke('update_status');

/**
 * Installs the verified update and restarts the app (rejects with the reason when it cannot).
 * @returns {Promise<void>}
 */
export const installUpdate = () => invoke('install_update');

/**
 * Calls `callback(offer)` when Rust has downloaded and verified an update.
 * @param {(offer: UpdateOffer) => void} callback
 */
export const onUpdateReady = (callback) =>
  tauri.event.listen('update-ready', (/** @type {TauriEvent<UpdateOffer>} */ event) => callback(event.payload));

/**
 * Opens a web address in the default browser (never inside the app's window).
 * @param {string} url
 * @returns {Promise<void>}
 */
export const openExternal = (url) => invoke('plugin:opener|open_url', { url });

/**
 * Calls `callback` whenever Rust says the stored accounts changed (event `accounts-changed`).
 * @param {() => void} callback
 */
export const onAccountsChanged = (callback) => tauri.event.listen('accounts-changed', () => callback());

/**
 * Calls `callback(sent)` when Rust's queue sender sent a post by itself (one waiting for a
 * connection, or a scheduled one; event `queue-sent`, src-tauri/src/sender.rs).
 * @param {(sent: Sent) => void} callback
 */
export const onQueueSent = (callback) =>
  tauri.event.listen('queue-sent', (/** @type {TauriEvent<Sent>} */ event) => callback(event.payload));

/**
 * Calls `callback(view)` when a click on one of Hayon's notifications asks for a view (event
 * `open-view`, src-tauri/src/notices.rs): `'queue'`.
 * @param {(view: string) => void} callback
 */
export const onOpenView = (callback) =>
  tauri.event.listen('open-view', (/** @type {TauriEvent<string>} */ event) => callback(event.payload));

/**
 * Calls `callback` whenever the CLI or another window changed the database (event `data-changed`,
 * src-tauri/src/watch.rs).
 * @param {() => void} callback
 */
export const onDataChanged = (callback) => tauri.event.listen('data-changed', () => callback());

// ---- Running in the background ----

/**
 * Quits Hayon when `confirmed` or when no scheduled post is due within the hour; otherwise answers
 * how many are, for the page to ask (src-tauri/src/commands/running.rs).
 * @param {boolean} confirmed
 * @returns {Promise<{dueSoon: number}>}
 */
export const quit = (confirmed) => invoke('quit', { confirmed });

/** Closes the window as its close button does: into the tray while posts are scheduled. */
export const closeWindow = () => invoke('close_window');

/**
 * Calls `callback(answer)` when the tray's Quit needs the person's answer (event `quit-requested`).
 * @param {(answer: {dueSoon: number}) => void} callback
 */
export const onQuitRequested = (callback) =>
  tauri.event.listen('quit-requested', (/** @type {TauriEvent<{dueSoon: number}>} */ event) => callback(event.payload));

/**
 * Whether Hayon starts (hidden, in the tray) when the person logs in.
 * @returns {Promise<boolean>}
 */
export const startAtLogin = () => invoke('start_at_login');

/**
 * @param {boolean} on
 * @returns {Promise<void>}
 */
export const setStartAtLogin = (on) => invoke('set_start_at_login', { on });
