// The official client library as an oracle for Hayon's composer analysis (hayon_core::compose).
//
//   "$HAYON_NODE" tests/pds/rich-text-oracle.mjs [--details] < texts.jsonl > results.jsonl
//
// stdin: one {"text": "..."} per line. stdout: one line per input, same order:
//   {"facets", "graphemes", "publishedText", "publishedFacets", "publishedGraphemes", "publishedBytes"}
// - facets / graphemes: `new RichText({text})`, `detectFacetsWithoutResolution()`, `graphemeLength`
//   — the text as typed, exactly as @atproto/api sees it (mentions carry the handle in `did`);
// - published*: what the official app (social-app) posts: leading whitespace-only lines dropped,
//   trailing whitespace trimmed, `cleanNewlines`, facets detected again, then link text shortened.
//   The app's two small link helpers are not in the library; they are re-stated below from its
//   documented behaviour. The facet moves are the library's own RichText.insert/delete, with the
//   two fixes described at `fixes` (Hayon does not copy those bugs).
// With --details, each line also has "upstreamBug": true when the library unfixed would have
// posted a different text or facets, and "linkHosts": [{typed, host}] for each published link, with
// the host WHATWG `URL` found in the link's visible text (null when it did not parse).
//
// @atproto/api is resolved from HAYON_PDS_MODULES (scripts/setup-test-peers.sh installs it).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const modulesDir = process.env.HAYON_PDS_MODULES;
if (!modulesDir || !fs.existsSync(path.join(modulesDir, '@atproto', 'api'))) {
  console.error('[rich-text-oracle] HAYON_PDS_MODULES must name the node_modules folder made by ' +
    'scripts/setup-test-peers.sh (it holds @atproto/api)');
  process.exit(2);
}
const requireFromCache = createRequire(path.join(modulesDir, 'noop.js'));
const { RichText, UnicodeString } = await import(
  pathToFileURL(requireFromCache.resolve('@atproto/api')).href
);
const details = process.argv.includes('--details');
let linkHosts = [];

// Two bugs of the library's text editing, fixed while `fixes.on` (detection never uses these):
// 1. UnicodeString.slice decodes UTF-8 with a default TextDecoder, which swallows a U+FEFF at the
//    start of each slice: insert/delete drop a U+FEFF at the start of the text or right after a
//    replaced span, and every later facet drifts by three bytes.
// 2. RichText.insert moves facets by the inserted text's UTF-16 length, though facet offsets are
//    UTF-8: after a link whose visible text keeps non-ASCII characters, later facets drift and
//    later slices can cut a character in two (U+FFFD in the posted text).
const fixes = { on: true };
const keepBom = new TextDecoder('utf-8', { ignoreBOM: true });
const librarySlice = UnicodeString.prototype.slice;
UnicodeString.prototype.slice = function slice(start, end) {
  return fixes.on ? keepBom.decode(this.utf8.slice(start, end)) : librarySlice.call(this, start, end);
};
const libraryInsert = RichText.prototype.insert;
RichText.prototype.insert = function insert(at, text) {
  const before = (this.facets ?? []).map((facet) => ({ ...facet.index }));
  libraryInsert.call(this, at, text);
  const drift = new UnicodeString(text).length - text.length; // UTF-8 minus UTF-16 units
  if (fixes.on && drift !== 0) {
    // Redo the library's own move with the UTF-8 length: the same facets, the extra bytes.
    (this.facets ?? []).forEach((facet, i) => {
      if (at <= before[i].byteStart) {
        facet.index.byteStart += drift;
        facet.index.byteEnd += drift;
      } else if (at < before[i].byteEnd) {
        facet.index.byteEnd += drift;
      }
    });
  }
  return this;
};

const LINK = 'app.bsky.richtext.facet#link';

// The app's visible text for a link: host, then path ("/" alone omitted), query and fragment,
// that tail cut to 13 characters and "..." past 15. Anything but an absolute http(s) URL as is.
function shortLinkText(typed) {
  let url;
  try {
    url = new URL(typed);
  } catch {
    if (details && fixes.on) linkHosts.push({ typed, host: null });
    return typed;
  }
  if (details && fixes.on) linkHosts.push({ typed, host: url.host });
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return typed;
  const tail = (url.pathname === '/' ? '' : url.pathname) + url.search + url.hash;
  return url.host + (tail.length > 15 ? `${tail.slice(0, 13)}...` : tail);
}

// The app's shortening pass: each link's text is replaced through RichText.insert + delete (which
// move the other facets), and the link facet is pointed at the new text. Like the app, it walks
// the facet array it started with.
function shortenLinks(rt) {
  if (!rt.facets?.length) return rt;
  const out = rt.clone();
  for (const facet of out.facets) {
    if (!facet.features.some((feature) => feature.$type === LINK)) continue;
    const { byteStart, byteEnd } = facet.index;
    const visible = new UnicodeString(shortLinkText(out.unicodeText.slice(byteStart, byteEnd)));
    out.insert(byteStart, visible.utf16);
    facet.index.byteStart = byteStart;
    facet.index.byteEnd = byteStart + visible.length;
    out.delete(byteStart + visible.length, byteEnd + visible.length);
  }
  return out;
}

// The app's pipeline from the composer's text to the post.
function publish(text) {
  const trimmed = text.replace(/^(\s*\n)+/, '').trimEnd();
  const rt = new RichText({ text: trimmed }, { cleanNewlines: true });
  rt.detectFacetsWithoutResolution();
  return shortenLinks(rt);
}

function analyse(text) {
  const typed = new RichText({ text });
  typed.detectFacetsWithoutResolution();
  linkHosts = [];
  const published = publish(text);
  const result = {
    facets: typed.facets ?? [],
    graphemes: typed.graphemeLength,
    publishedText: published.text,
    publishedFacets: published.facets ?? [],
    publishedGraphemes: published.graphemeLength,
    publishedBytes: published.length,
  };
  if (details) {
    result.linkHosts = linkHosts;
    fixes.on = false;
    const asLibrary = publish(text);
    fixes.on = true;
    result.upstreamBug = asLibrary.text !== published.text ||
      JSON.stringify(asLibrary.facets ?? []) !== JSON.stringify(result.publishedFacets);
  }
  return result;
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of lines) {
  if (line === '') continue;
  out.push(JSON.stringify(analyse(JSON.parse(line).text)));
  if (out.length >= 256) {
    process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  }
}
if (out.length) process.stdout.write(`${out.join('\n')}\n`);
