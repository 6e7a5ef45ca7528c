// Deterministic composer texts for the differential test and the benchmark of the composer analysis.
//
//   "$HAYON_NODE" tests/pds/rich-text-texts.mjs [--count N] [--seed S] [--tld-sweep]
//
// Prints N lines of {"text": "..."} (default 4000, seed 1): mixtures of words, links with paths,
// queries, parentheses and trailing punctuation, bare domains with real and fake TLDs, mentions,
// hashtags (incl. the fullwidth ＃), cashtags, numbers, emoji, CJK and other scripts, line breaks,
// odd whitespace and zero-width characters. The same seed always gives the same texts.
// --over F (default 0) grows that fraction of the texts, chosen at random, past a limit of the
// post: a third past 3,000 bytes in heavy graphemes (emoji, CJK) while under 300 graphemes, the rest
// past 300 graphemes of the same tokens (the composer's benchmark: scripts/bench-analysis.sh).
// Without it the texts are the same as before the option existed.
// --tld-sweep adds, after them, one text per TLD of the `tlds` list that @atproto/api uses
// (resolved from HAYON_PDS_MODULES), with a bare domain and a handle under it.

import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const count = option('--count', 4000);
const seed = option('--seed', 1);
const over = option('--over', 0);

// mulberry32: small, seedable, good enough to vary test inputs.
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;
const repeat = (n, make) => Array.from({ length: n }, make).join('');

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F467}';
const WORDS = [
  'hello', 'world', 'the', 'a', 'posting', 'Bluesky', 'today', 'e.g.', 'i.e.', 'not.. a..url',
  'something-cool.jpg', 'website.com.jpg', 'v1.2.3', 'file.tar.gz', 'Mr.Smith', 'U.S.A.', 'etc...',
  'café', 'naïve', 'Ωmega', 'Привет', 'мир', 'مرحبا', 'שלום', 'नमस्ते', 'क्षत्रिय', '한국어',
  '\u1112\u1161\u11AB', '日本語', 'テキスト', '中文', '你好', 'ภาษาไทย', 'e\u0301', 'a\u0308\u0323',
  FAMILY, '\u{1F1EB}\u{1F1F7}', '\u{1F1EF}\u{1F1F5}\u{1F1FA}\u{1F1F8}', '\u{1F44D}\u{1F3FD}', '\u{1F98B}',
  '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', '#\uFE0F\u20E3', '\u2764\uFE0F',
  '3.14', '1,000', '10.5.2', '42', '100%', '(note)', '[x]', '"quoted"', '\u2019s', '—', '…', '!!!',
  'not@right', 'mail@example.com', 'a@b', '@', '#', '$', '＃', '(', ')', '(@', 'x:y', 'C++', 'a_b',
  '\u0001', 'x\u0007y', '\u200E', '\u200F', '\u{E0001}', 'ก\u0E34', '\u{1F9D1}\u200D\u{1F4BB}', '\uD7A3',
];
const REAL_TLDS = ['com', 'org', 'net', 'io', 'app', 'social', 'dev', 'co', 'uk', 'de', 'jp', 'fr',
  'ly', 'me', 'tv', 'ai', 'xyz', 'museum', 'bsky', 'blue', 'photography', 'co.uk', 'com.au'];
const FAKE_TLDS = ['jpg', 'php', 'png', 'exe', 'zzz', 'local', 'notatld', 'COM', 'Org', 'test', 'invalid',
  'x', 'c0m', 'xn--p1ai'];
const LABELS = ['example', 'bsky', 'a', 'my-site', 'sub.example', 'www.example', 'socket3.wordpress',
  'x1', 'news', 'http', 'httpbin', 'shop2', 'docs.rs', 'b', 'z9'];
const HOSTS = ['example.com', 'bsky.app', 'sub.example.co.uk', 'EXAMPLE.COM', 'bücher.de',
  '例え.jp', 'xn--bcher-kva.de', '127.0.0.1', '[::1]', 'localhost:8080', 'example.com:443',
  'example.com:8443', 'user:pw@example.com', 'a.b.c.123', 'exa_mple.com', '0x7f.1', 'a..b.com',
  'münchen.de', 'xn--nxasmq6b.com', '%41.com', 'example.com.', 'x'];
const PATHS = ['', '/', '/a', '/a/b', '/foo/bar', '/2018/02/03/designing-windows-95s-user-interface/',
  '/thing_(cool)', '/wiki/Foo_(bar)', '/%E2%82%AC', '/ü/ß', '/index.php', '/a.b.c', '/@user/post',
  '/#/route', '/path/with/a/very/long/segment/that/keeps/going', '/x;y', '/a,b', '/~user', '/a\\b',
  '/日本', '/emoji\u{1F600}', '/q?', '/(@alice.com)', '/($ABC)'];
const QUERIES = ['', '', '?', '?q=1', '?a=1&b=2', '?utm_source=bluesky&utm_medium=social', '?x=é', '?q=(a)'];
const FRAGMENTS = ['', '', '#', '#top', '#section-2', '#:~:text=hi', '#ü'];
const SCHEMES = ['https://', 'http://', 'https://', 'HTTPS://', 'Http://', 'httpS://', 'ftp://', 'https:/'];
const TRAILERS = ['', '', '', '.', ',', ';', ':', '!', '?', ')', ').', '),', '...', '?!', "'", '"', '\u2019'];
const HANDLES = ['alice.bsky.social', 'bob.test', 'carol.com', 'dan-1.example.org', 'full123-chars.test',
  'e.test.', 'UPPER.COM', 'x.xn--p1ai', 'handle.', '-', '.com', 'a..com', '1.2', 'me.jpg', 'a_b.com',
  'café.com', 'z.social', 'bsky.app', 'a.b.c.d.e.f.g.com', 'handle.com_x', 'a.co-', 'x.com\u0301',
  'MiXeD.Social', 'a.b', '1.com'];
const TAGS = ['tag', 'Tag123', '123', '1a', 'a1', 'a_b', '_b', 'b_', 'a-b', '-b', 'tag!!!', 'tag.',
  'multi_trailing___...', '#hashash', '\uFE0F\u20E3tag', '#\uFE0F\u20E3tag', '\u{1F98B}', 'butter\u{1F98B}fly',
  'a\u200Bb', 'ab\u200B', '\u20E2tag', 'a\u20E2b', 'n0n3s@n5e!', 'with,punctuation', '日本語', 'café',
  'double#rainbow', 'a'.repeat(64), 'a'.repeat(65), `${'a'.repeat(64)}!`, '\u{1F44D}'.repeat(65),
  'x\u00ADy', 'x\u2060y', 'tag\u2019s', '1?', '\u00BFque', 'a\u3002', '', '\u{1F1EB}\u{1F1F7}', 'e\u0301',
  '\u0301x', '\u200Dx', '\u{1F3F3}\uFE0F\u200D\u{1F308}', '١٢٣', '٣a', '\uFF11'];
const CASHTAGS = ['AAPL', 'aapl', 'A', 'GOOGL', 'TOOLONG', '100', 'ABC12', 'ABC123', 'BTC', 'e', 'Ab_c',
  'ÄB', 'A1'];
const SEPARATORS = [' ', ' ', ' ', ' ', ' ', '\n', '\n\n', '\n\n\n', ' \n \n \n ', '\r\n', '\r\n\r\n',
  '\t', '\u00A0', '\u3000', '\u2028', '\u2029', '\u200B', '\u200D', '\uFEFF', '\u0085', '\u202F', '',
  '(', ') ', ', ', '. ', '\n\u200B\n\u00AD\n', '\u180E', '\u000B', '\u200E', '\r', '\r\r\n',
  '\u000C', '\n\uFEFF\n\n', ' \u2060\n\u200C\r\n'];

function domain() {
  const tld = chance(0.7) ? pick(REAL_TLDS) : pick(FAKE_TLDS);
  return `${pick(LABELS)}.${tld}`;
}

function url() {
  const host = chance(0.5) ? domain() : pick(HOSTS);
  return `${pick(SCHEMES)}${host}${pick(PATHS)}${pick(QUERIES)}${pick(FRAGMENTS)}`;
}

function token() {
  const r = random();
  if (r < 0.3) return pick(WORDS);
  if (r < 0.45) return url() + pick(TRAILERS);
  if (r < 0.57) return domain() + (chance(0.5) ? pick(PATHS) + pick(QUERIES) : '') + pick(TRAILERS);
  if (r < 0.68) return `@${pick(HANDLES)}${pick(TRAILERS)}`;
  if (r < 0.8) return `${chance(0.2) ? '＃' : '#'}${pick(TAGS)}${pick(TRAILERS)}`;
  if (r < 0.88) return `$${pick(CASHTAGS)}${pick(TRAILERS)}`;
  if (r < 0.92) return `(${token()})`;
  if (r < 0.96) return String(Math.floor(random() * 1e6));
  return repeat(1 + Math.floor(random() * 4), () => pick(WORDS));
}

function text() {
  const size = chance(0.08) ? 40 + Math.floor(random() * 80) : 1 + Math.floor(random() * 14);
  let out = chance(0.15) ? pick(['\n', ' \n', '\n\n  ', '\u3000\n', '\t']) : '';
  for (let i = 0; i < size; i += 1) {
    if (i > 0) out += pick(SEPARATORS);
    out += token();
  }
  if (chance(0.15)) out += pick([' ', '\n', '\n\n\n', ' \t\n', '\u200B', '\u00A0']);
  return out;
}

const segmenter = new Intl.Segmenter();
const graphemes = (s) => [...segmenter.segment(s)].length;
const HEAVY = [FAMILY, '\u{1F44D}\u{1F3FD}', '\u{1F3F3}\uFE0F\u200D\u{1F308}', '日本語', '한국어', 'क्षत्रिय'];

// A text past a limit: tokens (or heavy graphemes) appended until it is, with some margin, so that
// it stays over once published (links shortened, whitespace trimmed).
function overText() {
  const heavy = chance(1 / 3);
  const minGraphemes = 300 + 10 + Math.floor(random() * 90);
  const minBytes = 3000 + 40 + Math.floor(random() * 400);
  let out = text();
  while (heavy ? Buffer.byteLength(out) < minBytes : graphemes(out) < minGraphemes) {
    out += pick(SEPARATORS) + (heavy ? repeat(1 + Math.floor(random() * 8), () => pick(HEAVY)) : token());
  }
  return out;
}

const lines = [];
for (let i = 0; i < count; i += 1) {
  lines.push(JSON.stringify({ text: over > 0 && chance(over) ? overText() : text() }));
}

if (args.includes('--tld-sweep')) {
  const modules = process.env.HAYON_PDS_MODULES;
  if (!modules) {
    console.error('[rich-text-texts] --tld-sweep needs HAYON_PDS_MODULES (the `tlds` package)');
    process.exit(2);
  }
  const tlds = createRequire(path.join(modules, 'noop.js'))('tlds');
  for (const tld of tlds) lines.push(JSON.stringify({ text: `see example.${tld} and @me.${tld}` }));
}
process.stdout.write(`${lines.join('\n')}\n`);
