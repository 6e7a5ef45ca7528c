// FAKE COMPOSER BACKEND — part of the in-browser fake (fake-backend.js), never used by the real app.
// It lets the Compose view run in a plain browser: text analysis is a rough JavaScript approximation of
// what Rust does exactly; link cards, image preparation and posting are made up; drafts and settings
// live in localStorage so a reload restores them.
//
// Triggers: a link containing "nopreview" has no card; a file named "*animated*" is refused as an
// animated GIF; a file that is not a decodable image is refused as damaged; posting to an account whose
// server is unreachable (the "club" account of ?fake=demo) fails for that account only.

const MAX_GRAPHEMES = 300;
const MAX_BYTES = 3000;
const STORE = { draft: 'hayon-fake-draft', settings: 'hayon-fake-settings', images: 'hayon-fake-images' };

const encoder = new TextEncoder();
const utf8Length = (s) => encoder.encode(s).length;
const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter() : null;
const countGraphemes = (s) => (segmenter ? [...segmenter.segment(s)].length : [...s].length);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fail = (code, message) => Promise.reject({ code, message });
const readJson = (key, fallback) => {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
};
const writeJson = (key, value) => localStorage.setItem(key, JSON.stringify(value));

// ---- Rough facet detection (the real one follows the official client library exactly) ----

const TLDS = 'com|org|net|social|app|io|dev|de|fr|uk|co|eu|me|blog|news|info';
const URL_RE = new RegExp(`(^|[\\s(])((https?:\\/\\/[^\\s]+)|([a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:${TLDS})(?:\\/[^\\s]*)?))`, 'giu');
const MENTION_RE = /(^|[\s(])@([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)/gu;
const TAG_RE = /(^|\s)[#＃]([^\s]*[^\d\s\p{P}][^\s]*)/gu;

function trimUrl(url) {
  let u = url.replace(/[.,;:!?"']+$/, '');
  if (u.endsWith(')') && !u.includes('(')) u = u.slice(0, -1);
  return u;
}

/** Ranges in JS string indices: { start, end, feature }. */
function detect(text) {
  const found = [];
  for (const m of text.matchAll(URL_RE)) {
    const visible = trimUrl(m[2]);
    const start = m.index + m[1].length;
    const uri = /^https?:\/\//i.test(visible) ? visible : `https://${visible}`;
    found.push({ start, end: start + visible.length, feature: { $type: 'app.bsky.richtext.facet#link', uri } });
  }
  for (const m of text.matchAll(MENTION_RE)) {
    const handle = m[2].replace(/\.+$/, '');
    const start = m.index + m[1].length;
    found.push({ start, end: start + 1 + handle.length, feature: { $type: 'app.bsky.richtext.facet#mention', handle: handle.toLowerCase() } });
  }
  for (const m of text.matchAll(TAG_RE)) {
    const tag = m[2].replace(/\p{P}+$/u, '');
    if (!tag || countGraphemes(tag) > 64) continue;
    const start = m.index + m[1].length;
    found.push({ start, end: start + 1 + tag.length, feature: { $type: 'app.bsky.richtext.facet#tag', tag } });
  }
  // Links win over anything inside them (a "#fragment" or an "@" in a URL).
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  for (const f of found) if (!kept.length || f.start >= kept[kept.length - 1].end) kept.push(f);
  return kept;
}

/** Like the official app: "host/path-start..." for long links. */
function shortUrl(uri) {
  try {
    const u = new URL(uri);
    const path = (u.pathname === '/' ? '' : u.pathname) + u.search + u.hash;
    return path.length > 15 ? `${u.host}${path.slice(0, 13)}...` : `${u.host}${path}`;
  } catch {
    return uri;
  }
}

const toFacet = (text, { start, end, feature }) => ({
  index: { byteStart: utf8Length(text.slice(0, start)), byteEnd: utf8Length(text.slice(0, end)) },
  features: [feature],
});

function analyze(text) {
  const ranges = detect(text);
  let published = '';
  let cursor = 0;
  const publishedRanges = [];
  for (const r of ranges) {
    published += text.slice(cursor, r.start);
    const isLink = r.feature.$type.endsWith('#link');
    const shown = isLink && /^https?:\/\//i.test(text.slice(r.start, r.end)) ? shortUrl(r.feature.uri) : text.slice(r.start, r.end);
    publishedRanges.push({ start: published.length, end: published.length + shown.length, feature: r.feature });
    published += shown;
    cursor = r.end;
  }
  published += text.slice(cursor);
  const trimmed = published.trim();
  const lead = published.length - published.trimStart().length;
  const shiftedRanges = publishedRanges.map((r) => ({ ...r, start: r.start - lead, end: r.end - lead }));
  const graphemes = countGraphemes(trimmed);
  const bytes = utf8Length(trimmed);
  const firstLink = ranges.find((r) => r.feature.$type.endsWith('#link'));
  return {
    graphemes,
    maxGraphemes: MAX_GRAPHEMES,
    bytes,
    maxBytes: MAX_BYTES,
    overLimit: graphemes > MAX_GRAPHEMES || bytes > MAX_BYTES,
    facets: ranges.map((r) => toFacet(text, r)),
    publishedText: trimmed,
    publishedFacets: shiftedRanges.map((r) => toFacet(trimmed, r)),
    linkCard: firstLink ? firstLink.feature.uri : null,
  };
}

// ---- Images: "prepared" by downscaling in a canvas; kept in localStorage so drafts can restore them ----

const thumbSvg = (host) => 'data:image/svg+xml,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 63"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">' +
  '<stop offset="0" stop-color="#3d8bfd"/><stop offset="1" stop-color="#7a4cf0"/></linearGradient></defs>' +
  `<rect width="120" height="63" fill="url(#g)"/><text x="60" y="36" font-family="sans-serif" font-size="9" fill="#fff" text-anchor="middle">${host}</text></svg>`);

function sniffMime(bytes) {
  const b = bytes;
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50) return 'image/png';
  if (b[0] === 0x47 && b[1] === 0x49) return 'image/gif';
  if (b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return null;
}

async function prepare(bytes, name) {
  const mime = sniffMime(bytes);
  let bitmap;
  try {
    if (!mime) throw new Error('not an image');
    bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
  } catch {
    return fail('invalid_image', `“${name}” couldn't be read as an image. The file may be damaged, or it isn't a JPEG, PNG, GIF or WebP.`);
  }
  if (bitmap.width * bitmap.height > 100_000_000) {
    return fail('image_too_large', `“${name}” is ${bitmap.width}×${bitmap.height} pixels, which is too large to prepare. Use a smaller image.`);
  }
  const scale = Math.min(1, 800 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const previewUrl = canvas.toDataURL('image/jpeg', 0.8);
  return {
    previewUrl,
    width: bitmap.width,
    height: bitmap.height,
    mimeType: 'image/jpeg',
    bytes: Math.round((previewUrl.length - previewUrl.indexOf(',') - 1) * 0.75),
  };
}

function rememberImage(path, image) {
  // Only the most recent few, so localStorage never fills up.
  const saved = Object.entries(readJson(STORE.images, {})).slice(-7);
  writeJson(STORE.images, Object.fromEntries([...saved, [path, image]]));
}

let staged = 0;
const fakeTid = () => `3l${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

// ---- The commands ----

const outbox = new Map();
let outboxIds = 0;

export function composerCommands({ accounts, latency }) {
  const wait = (ms) => sleep((ms * latency) / 600);

  /** Sends outbox entry `id` to the accounts that don't have it yet; the entry goes once all have it. */
  async function send(id, stage) {
    const entry = outbox.get(id);
    if (entry.composition.posts.some((p) => p.images?.length)) { stage('preparingImages'); await wait(500); }
    stage('uploading');
    await wait(900);
    entry.results = entry.results.map((r) => {
      if (!r.error && !r.pending) return r;
      const did = r.account;
      const a = accounts().find((x) => x.did === did);
      if (!a) return { account: did, handle: did, error: { code: 'not_found', message: 'That account is not connected.' } };
      if (a.health?.needsReconnection) return { account: did, handle: a.handle, error: { code: 'needs_reconnection', message: 'This account needs reconnecting: sign in again with a new app password.' } };
      if (a.offline) return { account: did, handle: a.handle, error: { code: 'network', message: `Could not reach ${new URL(a.pds).host}. Nothing was posted to this account.` } };
      const posts = entry.composition.posts.map(() => {
        const rkey = fakeTid();
        return { uri: `at://${did}/app.bsky.feed.post/${rkey}`, cid: `bafyreifake${rkey}`, url: `https://bsky.app/profile/${a.handle}/post/${rkey}` };
      });
      return { account: did, handle: a.handle, ...posts[0], posts };
    });
    stage('done');
    const done = entry.results.every((r) => !r.error);
    if (done) {
      outbox.delete(id);
      localStorage.removeItem(STORE.draft);
    }
    return { id, results: entry.results };
  }


  return {
    async analyze_text({ text }) {
      return analyze(String(text ?? ''));
    },

    async fetch_link_card({ uri }) {
      await wait(900);
      let host = '';
      try { host = new URL(uri).host; } catch { return fail('validation', 'That is not a web address.'); }
      if (/nopreview|fail/i.test(uri)) return fail('not_found', `${host} did not return a page preview.`);
      return {
        uri,
        title: `${host.replace(/^www\./, '')} — an example page`,
        description: 'A made-up description from the fake backend. The real app reads the page’s OpenGraph metadata.',
        thumb: /noimage/i.test(uri) ? null : { path: `/fake/staged/card-${host}.jpg`, previewUrl: thumbSvg(host) },
      };
    },

    async stage_image(body, options = {}) {
      const name = decodeURIComponent(options.headers?.['x-file-name'] ?? 'image');
      await wait(500);
      if (/animated/i.test(name)) {
        return fail('unsupported_image', `“${name}” is an animated GIF. Bluesky shows images still: use a JPEG, PNG or a single-frame GIF.`);
      }
      const image = await prepare(body instanceof Uint8Array ? body : new Uint8Array(body), name);
      const path = `/fake/staged/${Date.now()}-${++staged}.jpg`;
      rememberImage(path, image);
      return { path, ...image };
    },

    async preview_image({ path }) {
      await wait(150);
      const image = readJson(STORE.images, {})[path];
      if (!image) return fail('not_found', `The prepared image ${path.split('/').pop()} is no longer on this computer. Remove it and attach the original again.`);
      return { path, ...image };
    },

    async load_draft() {
      return readJson(STORE.draft, null);
    },

    async save_draft({ draft }) {
      writeJson(STORE.draft, draft);
      return null;
    },

    async get_settings() {
      return { requireAltText: false, checkForUpdates: true, ...readJson(STORE.settings, {}) };
    },

    async set_settings({ settings }) {
      const preferredLangs = Array.isArray(settings?.preferredLangs) ? settings.preferredLangs.slice(0, 3) : [];
      writeJson(STORE.settings, {
        requireAltText: Boolean(settings?.requireAltText),
        preferredLangs,
        checkForUpdates: settings?.checkForUpdates !== false,
      });
      return null;
    },

    async default_langs() {
      const preferred = readJson(STORE.settings, {}).preferredLangs;
      if (preferred?.length) return preferred;
      const lang = (navigator.language || '').split('-')[0].toLowerCase();
      return [/^[a-z]{2,3}$/.test(lang) ? lang : 'en'];
    },

    // A fake: it detects nothing (detection is Rust's), so the picker keeps its languages.
    async suggest_langs() {
      return [];
    },

    async detectable_langs() {
      return ['ar', 'de', 'en', 'es', 'fr', 'hi', 'it', 'ja', 'ko', 'nl', 'pl', 'pt', 'ru', 'sv', 'tr', 'uk', 'zh'];
    },

    async preview_quote({ quote }) {
      await wait(300);
      const match = /(?:profile\/([^/]+)\/post|at:\/\/([^/]+)\/app\.bsky\.feed\.post)\/([^/?#]+)/.exec(quote ?? '');
      if (!match || match[3] === 'missing') return fail('not_found', 'There is no such post: it may have been deleted.');
      const who = match[1] ?? match[2];
      return { reference: { uri: `at://${who}/app.bsky.feed.post/${match[3]}`, cid: 'bafyreifakequote' }, authorDid: who.startsWith('did:') ? who : 'did:plc:fakeauthor', text: 'A post worth quoting (fake).' };
    },

    // A fake outbox, in memory: an entry per post, with what each account got.
    async post({ composition, onProgress }) {
      const stage = (name) => onProgress?.onmessage?.(name);
      const posts = composition?.posts ?? [];
      if (!composition?.accounts?.length) return fail('validation', 'Choose at least one account to post to.');
      if (!posts.length) return fail('validation', 'There is nothing to post.');
      for (const post of posts) {
        const analysis = analyze(post.text ?? '');
        if (analysis.overLimit) return fail('validation', 'A post is over the limit.');
        if (!analysis.publishedText && !post.images?.length && !post.quote) return fail('validation', 'A post is empty.');
      }
      const id = ++outboxIds;
      outbox.set(id, { composition, results: composition.accounts.map((did) => ({ account: did, handle: did, pending: true })) });
      return send(id, stage);
    },

    async retry_post({ id, onProgress }) {
      if (!outbox.has(id)) return fail('not_found', 'That post is no longer waiting to be sent.');
      return send(id, (name) => onProgress?.onmessage?.(name));
    },

    async pending_posts() {
      return [...outbox].map(([id, entry]) => ({ id, results: entry.results }));
    },
  };
}
