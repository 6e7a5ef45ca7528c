// Publishing end to end, as whole processes, against the official SDK (run by scripts/bench-post.sh,
// which builds hayon-cli, makes the photos and starts a keyring; see BENCHMARKS.md › Posting).
//
//   node bench-post.mjs HAYON_CLI ROUNDS PHOTO…
//
// Starts the reference PDS on loopback, creates one account per client, connects hayon-cli once (a
// connected account is what a Hayon user has), prepares the photos once for the SDK, then measures in
// alternating rounds: (a) one post with four photos, (b) a four-post thread with one photo each.
// hayon-cli gets the 12 MP originals and prepares them itself; the SDK gets the prepared copies.
// Every run's posts are checked to exist before its time counts.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const [hayonCli, roundsText, ...photos] = process.argv.slice(2);
const rounds = Number(roundsText);
const here = path.dirname(new URL(import.meta.url).pathname);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hayon-bench-post-'));
const node = process.execPath;

// ------------------------------------------------------------------ the PDS
const pdsProcess = spawn(node, [path.join(here, '../tests/pds/start-pds.mjs')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const firstLine = await new Promise((resolve, reject) => {
  readline.createInterface({ input: pdsProcess.stdout }).once('line', resolve);
  pdsProcess.once('exit', (code) => reject(new Error(`the PDS exited (${code}) before it was ready`)));
});
const { pdsUrl } = JSON.parse(firstLine);
const stop = () => {
  pdsProcess.stdin.end();
  fs.rmSync(work, { recursive: true, force: true });
};

async function xrpc(method, body, token) {
  const response = await fetch(`${pdsUrl}/xrpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function account(name) {
  const handle = `${name}.test`;
  const created = await xrpc('com.atproto.server.createAccount', {
    handle, email: `${name}@example.com`, password: `main-password-${name}`,
  });
  const { password } = await xrpc('com.atproto.server.createAppPassword', { name: 'bench' }, created.accessJwt);
  return { handle, did: created.did, password };
}

// ------------------------------------------------------------------ the two clients
const env = {
  ...process.env,
  HAYON_DATA_DIR: path.join(work, 'hayon-data'),
  HAYON_KEYCHAIN_SERVICE: `hayon-bench-${process.pid}`,
};

function run(command, args, input) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, input, encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
  }
  return { ms, out: JSON.parse(result.stdout) };
}

const hayonUser = await account('bench-hayon');
const sdkUser = await account('bench-sdk');
run(hayonCli, ['--json', 'account', 'connect', '--identifier', hayonUser.handle, '--service', pdsUrl, '--password-stdin'],
  `${hayonUser.password}\n`);
const prepared = path.join(work, 'prepared');
const preparedFiles = run(hayonCli, ['--json', 'media', 'prepare', ...photos, '--out', prepared]).out
  .map((entry) => entry.output);

const textFile = (name, text) => {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
};
const single = textFile('single.txt', 'Four photos from the benchmark');
const threadTexts = photos.map((_, index) => textFile(`thread-${index}.txt`, `Benchmark thread, post ${index + 1}`));

const hayon = {
  single: () => ['--json', 'post', '--account', hayonUser.handle, '--text-file', single, '--no-link-card',
    ...photos.flatMap((photo) => ['--image', photo, '--alt', `Photo ${path.basename(photo)}`])],
  thread: () => ['--json', 'post', '--account', hayonUser.handle, '--no-link-card',
    ...photos.flatMap((photo, index) => ['--text-file', threadTexts[index], '--image', photo, '--alt', `Photo ${path.basename(photo)}`])],
};
const runHayon = (mode) => {
  const { ms, out } = run(hayonCli, hayon[mode]());
  const posts = out[0].posts ?? [out[0]];
  if (out[0].error || posts.length !== (mode === 'single' ? 1 : photos.length)) {
    throw new Error(`hayon-cli ${mode}: ${JSON.stringify(out)}`);
  }
  return ms;
};
const runSdk = (mode) => {
  const { ms, out } = run(node, [path.join(here, 'bench-post-sdk.mjs'), pdsUrl, sdkUser.handle, sdkUser.password, mode, ...preparedFiles]);
  if (out.length !== (mode === 'single' ? 1 : photos.length)) throw new Error(`SDK ${mode}: ${JSON.stringify(out)}`);
  return ms;
};

// ------------------------------------------------------------------ measuring
const times = { single: { hayon: [], sdk: [] }, thread: { hayon: [], sdk: [] } };
try {
  for (const mode of ['single', 'thread']) {
    runHayon(mode); // warm-up: page cache, the PDS's first writes
    runSdk(mode);
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 ? ['sdk', 'hayon'] : ['hayon', 'sdk'];
      for (const who of order) times[mode][who].push(who === 'hayon' ? runHayon(mode) : runSdk(mode));
    }
  }
} finally {
  stop();
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
console.log(`${rounds} rounds each, ${os.cpus().length} cores, @atproto/api ${JSON.parse(fs.readFileSync(
  path.join(process.env.HAYON_PDS_MODULES, '@atproto/api/package.json'), 'utf8')).version}`);
console.log();
console.log('| case | SDK (prepared images) | hayon-cli (12 MP originals) | ratio (target ≤ 0.8×) |');
console.log('|---|---|---|---|');
for (const [mode, label] of [['single', '(a) one post, four photos'], ['thread', '(b) four-post thread, a photo each']]) {
  const sdk = median(times[mode].sdk);
  const ours = median(times[mode].hayon);
  console.log(`| ${label} | ${(sdk / 1000).toFixed(3)} s | ${(ours / 1000).toFixed(3)} s | ${(ours / sdk).toFixed(2)}× |`);
}
console.log();
console.log('all runs (ms):', JSON.stringify(times, (key, value) => (typeof value === 'number' ? Math.round(value) : value)));
