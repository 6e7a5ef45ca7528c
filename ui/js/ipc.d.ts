// Generated from hayon-core's Rust types by ts-rs (src-tauri/core/src/ipc_contract.rs).
// Do not edit: run `HAYON_BLESS=1 cargo test -p hayon-core ipc_contract` to write it again.

/**
 * The running version and the project's links.
 */
export type About = { version: string, homepage: string, 
/**
 * The SPDX identifier, like `MIT`.
 */
licence: string, 
/**
 * The licence's text at SPDX, the canonical copy.
 */
licenceUrl: string, };

export type Account = { did: string, handle: string, 
/**
 * The hosting provider the user logged in at.
 */
service: string, 
/**
 * The PDS named in the account's DID document; every call after login goes there.
 */
pds: string, displayName: string | null, description: string | null, avatar: string | null, connected: boolean, health: Health, signIn: SignIn, };

/**
 * The thread on one account.
 */
export type AccountDelivery = { 
/**
 * The account's DID (`account` in JSON, as the CLI documents it).
 */
account: string, 
/**
 * Its handle (as stored now; when it was disconnected, as it was when Post was pressed).
 */
handle: string, 
/**
 * The record key of each post of the thread, in order: chosen once, reused by every try, so the
 * server can hold each post at most once.
 */
rkeys: Array<string>, 
/**
 * How many times a write was sent (or may have been): more than zero means the records must be
 * looked up before anything is written again.
 */
attempts: number, } & ({ "state": "pending" } | { "state": "posted", posts: Array<PublishedPost>, } | { "state": "failed", error: IpcError, });

/**
 * What the composer shows and posts for one draft text.
 */
export type Analysis = { 
/**
 * Graphemes of [`Self::published_text`].
 */
graphemes: number, maxGraphemes: number, 
/**
 * UTF-8 bytes of [`Self::published_text`].
 */
bytes: number, maxBytes: number, 
/**
 * Either limit exceeded: posting is refused, nothing is truncated.
 */
overLimit: boolean, 
/**
 * Over a limit: the UTF-8 byte offset, in the text as typed, of the first grapheme that no
 * longer fits (see `overflow`); the composer marks the text from there on.
 */
overflowFrom: number | null, 
/**
 * Facets of the text as typed (for highlighting).
 */
facets: Array<Facet>, 
/**
 * The text that will be posted.
 */
publishedText: string, 
/**
 * Facets of [`Self::published_text`]; link facets span the shortened text.
 */
publishedFacets: Array<Facet>, 
/**
 * The URL that gets a preview card: the first link as typed.
 */
linkCard: string | null, };

/**
 * UTF-8 byte range: `byte_start` inclusive, `byte_end` exclusive.
 */
export type ByteSlice = { byteStart: number, byteEnd: number, };

/**
 * Which link card a post gets when it has no images.
 */
export type CardChoice = { "kind": "firstLink" } | { "kind": "none" } | { "kind": "shown", thumbPath: string | null, 
/**
 * The link as the user wrote it (the facet's URI).
 */
uri: string, title: string, description: string, };

/**
 * A card as the composer shows it, and as the post sends it back: its text, and its prepared
 * thumbnail staged in the attachments folder (with a `data:` URL preview of exactly those bytes).
 */
export type CardPreview = { thumb: StagedImage | null, 
/**
 * The link as the user wrote it (the facet's URI).
 */
uri: string, title: string, description: string, };

/**
 * A caption file (WebVTT) and the language it is in (a BCP-47 tag).
 */
export type ComposedCaption = { lang: string, path: string, };

/**
 * An attached image: a file to post and its alt text. From the window the path must name a staged
 * copy in the attachments folder; from the CLI it is any file the person names.
 */
export type ComposedImage = { path: string, alt: string, };

/**
 * One post of the thread.
 */
export type ComposedPost = { 
/**
 * The text as typed (links are shortened and facets detected when it is posted).
 */
text: string, 
/**
 * Up to ten images, in order (more than four are posted as a gallery).
 */
images: Array<ComposedImage>, 
/**
 * A video instead of images.
 */
video: ComposedVideo | null, 
/**
 * The link card to post when the post has no images or video.
 */
card: CardChoice, 
/**
 * A post to quote: a `https://bsky.app/profile/<handle|did>/post/<rkey>` link or an `at://` URI,
 * as the person pasted it (resolved to `{uri, cid}` when posting).
 */
quote: string | null, 
/**
 * Content warnings for the post's media.
 */
labels: Array<ContentLabel>, };

/**
 * An attached video: the file, its alt text and its captions. Sent to the video service when the
 * post is sent.
 */
export type ComposedVideo = { path: string, alt: string, captions: Array<ComposedCaption>, };

/**
 * A thread of one or more posts, the accounts it goes to and the settings that apply to all of it.
 */
export type Composition = { 
/**
 * The posts in thread order: the first is the root, each next one replies to the one before.
 */
posts: Array<ComposedPost>, 
/**
 * DIDs (or handles, from the CLI) of the accounts to post to.
 */
accounts: Array<string>, 
/**
 * BCP-47 tags, at most three, for every post of the thread.
 */
langs: Array<string>, 
/**
 * Who may reply to the thread (a threadgate under the root post's record key).
 */
whoCanReply: WhoCanReply, 
/**
 * Whether others may quote the posts (false: a postgate disabling quotes under each post's key).
 */
quotesAllowed: boolean, };

export type Connected = { account: Account, 
/**
 * Things the user should know that did not stop the connection.
 */
warnings: Array<string>, };

/**
 * A self-label (`com.atproto.label.defs#selfLabels`) the official app offers as a content warning.
 */
export type ContentLabel = "sexual" | "nudity" | "porn" | "graphic-media";

/**
 * The answer to a disconnect (CLI contract).
 */
export type Disconnected = { did: string, connected: boolean, 
/**
 * False when the server could not be reached, so the session may still be valid there.
 */
serverSessionRevoked: boolean, };

/**
 * A scheduled post's time.
 */
export type Due = { 
/**
 * The moment it goes, as RFC 3339 in UTC.
 */
at: string, 
/**
 * The IANA name of the zone it was chosen in (`Europe/Vienna`), or the offset when the system
 * names none.
 */
zone: string, };

/**
 * Codes of the CLI contract (architecture.md). Serialized in snake_case.
 */
export type ErrorCode = "invalid_credentials" | "main_password_refused" | "auth_factor_required" | "account_inactive" | "rate_limited" | "network" | "keychain_unavailable" | "needs_reconnection" | "sign_in_failed" | "not_found" | "validation" | "server_error" | "server_unavailable" | "storage" | "internal" | "cancelled";

/**
 * The input of a form an error is about. Serialized in snake_case.
 */
export type ErrorField = "identifier" | "password" | "service";

/**
 * One annotated span of the text.
 */
export type Facet = { index: ByteSlice, features: Array<Feature>, };

/**
 * What a facet means, tagged with its lexicon `$type`.
 */
export type Feature = { "$type": "app.bsky.richtext.facet#link", uri: string, } | { "$type": "app.bsky.richtext.facet#mention", } & ({ "handle": string } | { "did": string }) | { "$type": "app.bsky.richtext.facet#tag", tag: string, };

export type HandleCheck = { handle: string, status: HandleStatus, };

/**
 * What a mentioned handle will become when posted.
 */
export type HandleStatus = "resolves" | "unresolved" | "unknown";

export type Health = { status: HealthStatus, needsReconnection: boolean, 
/**
 * RFC 3339.
 */
lastSuccessfulRefresh: string | null, lastError: string | null, consecutiveFailures: number, };

export type HealthStatus = "active" | "expired" | "revoked" | "error";

/**
 * What the image paths of a composition name. Decided by the caller, never read from the
 * composition's JSON: the web view is untrusted, so what the window sends is confined to its
 * staged copies, whichever process sends the row later.
 */
export type ImageFiles = "staged" | "named";

/**
 * A user-facing failure: `{code, message, field?}`. Also read back: the outbox keeps an account's
 * last failure to show it after a restart. Its cause, when it has one, stays in memory as its
 * `source` (never serialized: it may name local paths or server text the message leaves out).
 */
export type IpcError = { code: ErrorCode, message: string, field?: ErrorField, };

/**
 * What a composition may hold, as [`validate`] checks it: the window reads these (the `limits`
 * command) to stop the person before the check would, and keeps no copy of its own.
 */
export type Limits = { maxPosts: number, maxImages: number, maxLangs: number, maxAltGraphemes: number, 
/**
 * Caption files a video may have.
 */
maxCaptions: number, };

/**
 * One press of Post, kept until the thread is on every account.
 */
export type OutboxEntry = { 
/**
 * A TID, chosen when the row is saved.
 */
id: string, 
/**
 * When Post was pressed (RFC 3339).
 */
createdAt: string, 
/**
 * When it goes, for a scheduled post; `null` for one made by Post (due at once).
 */
due: Due | null, 
/**
 * The window's draft it was posted from: deleted when every account has the thread.
 */
draft: number | null, images: ImageFiles, composition: Composition, 
/**
 * In the order the composition names the accounts.
 */
accounts: Array<AccountDelivery>, };

/**
 * Stages reported while posting, for a progress indicator.
 */
export type PostStage = "preparingImages" | "fetchingLinkCard" | "uploading" | { "uploadingVideo": { percent: number, } } | { "processingVideo": { percent: number, } } | "done";

/**
 * A thread that reached every account, as the history keeps it.
 */
export type Posted = { 
/**
 * The outbox row's id (a TID).
 */
id: string, 
/**
 * When the last account got it (RFC 3339, UTC).
 */
postedAt: string, 
/**
 * The first post's text, its first 300 graphemes.
 */
text: string, 
/**
 * How many posts the thread had.
 */
posts: number, 
/**
 * In the order the composition named the accounts.
 */
accounts: Array<PostedAccount>, };

/**
 * Where the thread is on one account: its root post.
 */
export type PostedAccount = { 
/**
 * The account's DID (`account`, as in every other result of the CLI).
 */
account: string, 
/**
 * Its handle when the thread went.
 */
handle: string, 
/**
 * The root post's `at://` URI.
 */
uri: string, 
/**
 * The root post on bsky.app.
 */
url: string, };

/**
 * The person's choices that change what the app allows and does.
 */
export type Preferences = { 
/**
 * When on, the composer will not post an image without alt text.
 */
requireAltText: boolean, 
/**
 * The post languages last chosen by hand in the composer (BCP-47, at most 3): new posts start
 * with them. Empty until the person first chooses: then the system language.
 */
preferredLangs: Array<string>, 
/**
 * Whether the window asks the update manifest for a newer version (at start-up, then daily).
 * On unless turned off: a signed update is how security fixes reach people.
 */
checkForUpdates: boolean, 
/**
 * A scheduled post found this many minutes or more past its time (Hayon was not running, the
 * computer slept) is held for the person to send, reschedule or cancel, rather than going out
 * unexpectedly late.
 */
holdLateAfterMinutes: number, 
/**
 * The times of the week "Add to queue" puts posts at.
 */
queueSlots: Array<Slot>, 
/**
 * While on, nothing goes out by itself: scheduled posts and posts waiting for a connection stay
 * queued ("Pause sending" in the tray). Send now still sends.
 */
sendingPaused: boolean, 
/**
 * Whether closing the window leaves Hayon in the system tray while posts are scheduled, so they
 * go out on time. On unless turned off.
 */
keepRunningInTray: boolean, 
/**
 * Whether the person was told, at the first such close, that Hayon stayed in the tray.
 */
toldAboutTray: boolean, };

/**
 * A published post: where it lives (`{uri, cid}`, flattened: JSON `{uri, cid, url, embed}`), its
 * bsky.app address and its embed's `$type` (e.g. `app.bsky.embed.gallery`; none for text only).
 */
export type PublishedPost = { url: string, 
/**
 * Left out when the post has none (and in rows written before Hayon kept it).
 */
embed?: string, uri: string, cid: string, };

export type QueueState = "scheduled" | "due" | "held" | "needsReconnection";

/**
 * A post in the queue and where it stands.
 */
export type Queued = { state: QueueState, 
/**
 * A TID, chosen when the row is saved.
 */
id: string, 
/**
 * When Post was pressed (RFC 3339).
 */
createdAt: string, 
/**
 * When it goes, for a scheduled post; `null` for one made by Post (due at once).
 */
due: Due | null, 
/**
 * The window's draft it was posted from: deleted when every account has the thread.
 */
draft: number | null, images: ImageFiles, composition: Composition, 
/**
 * In the order the composition names the accounts.
 */
accounts: Array<AccountDelivery>, };

/**
 * The quoted post: what the embed refers to, and what a preview shows.
 */
export type QuotedPost = { reference: StrongRef, authorDid: string, text: string, };

/**
 * A stored draft: its id, when it last changed, and the composition.
 */
export type SavedDraft = { id: number, updatedAt: string, composition: Composition, };

/**
 * The answer to a send: the outbox row's id (gone from the outbox when every account has the
 * thread) and where the thread stands on each account, in the composition's order: the row's own
 * per-account state, as the outbox keeps it.
 */
export type Sent = { id: string, accounts: Array<AccountDelivery>, };

/**
 * How an account signed in.
 */
export type SignIn = { kind: SignInKind, 
/**
 * The rights the server granted (Sign in with Bluesky).
 */
scope: string | null, 
/**
 * When the server ends the session however much it is used (RFC 3339): two weeks after signing
 * in with Bluesky on today's servers. `None` for app passwords, whose sessions are renewed for
 * as long as the password exists.
 */
expiresAt: string | null, 
/**
 * The authorization server that issued the tokens (its `issuer`).
 */
issuer: string | null, };

export type SignInKind = "appPassword" | "oauth";

/**
 * One posting time of the week.
 */
export type Slot = { weekday: Weekday, 
/**
 * Minutes after midnight, local time (09:00 is 540).
 */
minute: number, };

/**
 * A staged caption file.
 */
export type StagedCaption = { path: string, };

/**
 * What the window shows for an attached image.
 */
export type StagedImage = { 
/**
 * The staged copy: what the draft and the post request refer to.
 */
path: string, 
/**
 * A `data:` URL of the prepared image.
 */
previewUrl: string, width: number, height: number, mimeType: string, bytes: number, };

/**
 * What the window shows for an attached video.
 */
export type StagedVideo = { 
/**
 * The staged copy: what the draft and the post request refer to.
 */
path: string, mimeType: string, size: number, 
/**
 * Its length in milliseconds, when the file says.
 */
durationMs: number | null, 
/**
 * The picture as shown.
 */
width: number, height: number, };

/**
 * `com.atproto.repo.strongRef`: a record's AT URI and the CID of the version meant. The CID is a
 * plain string here, not a link.
 */
export type StrongRef = { uri: string, cid: string, };

/**
 * An account the person may mean.
 */
export type Suggestion = { handle: string, did: string, displayName: string | null, 
/**
 * An image URL.
 */
avatar: string | null, };

/**
 * Where the suggestions came from.
 */
export type SuggestionSource = "appView" | "known";

export type Suggestions = { source: SuggestionSource, actors: Array<Suggestion>, };

/**
 * What the window shows of a verified update.
 */
export type UpdateOffer = { version: string, notes: string | null, };

export type Weekday = "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";

/**
 * Who may reply to a thread.
 */
export type WhoCanReply = { "kind": "everyone" } | { "kind": "nobody" } | { "kind": "some", mentioned: boolean, following: boolean, followers: boolean, };
