// Starts Bluesky's reference PDS and an in-memory PLC directory on loopback, for the tests.
//
//   "$HAYON_NODE" tests/pds/start-pds.mjs        (HAYON_NODE, HAYON_PDS_MODULES: see README.md)
//
// When the PDS answers /xrpc/_health, prints ONE line of JSON to stdout:
//   {"pdsUrl":"http://localhost:P","plcUrl":"http://localhost:Q","jwtSecret":"…","adminPassword":"…"}
// Everything else goes to stderr. Closing stdin (or the parent dying, which closes it) stops both
// servers, removes the temporary data folder and exits 0.
//
// Optional environment:
//   PDS_RATE_LIMITS=1          turn the PDS's rate limits on (off by default so tests never 429)
//   PDS_APP_VIEW_URL / _DID    point app.bsky.* proxying at a stand-in app view (default: none reachable)
//   PDS_PUBLIC_URL             the PDS's public URL (default http://localhost:PORT): accounts' DID
//                              documents name it as their PDS and it is the OAuth issuer, so a
//                              test's proxy there sees every call (test-peers.md › Fault injection).
//                              pdsUrl stays the direct address.
//   PDS_DID_DOC_WITH_SESSION=0 sessions come without the DID document (clients must resolve the DID)
//   PDS_BLOB_UPLOAD_LIMIT      the PDS's upload limit in bytes (default here 310,000,000, see below)
//   LOG_ENABLED=1 [LOG_LEVEL]  the packages' own pino logs, sent to stderr (default: off)

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const HOST = '127.0.0.1'; // listen on loopback only; URLs use the name `localhost` (see below)

const log = (...args) => console.error('[start-pds]', ...args);

// pino writes to stdout by default, which would corrupt the one-line contract: send it to stderr.
// The packages read these variables when they load, so set them before importing anything.
process.env.LOG_DESTINATION ??= '/dev/stderr';
process.env.LOG_LEVEL ??= 'warn';

const modulesDir = process.env.HAYON_PDS_MODULES;
if (!modulesDir || !fs.existsSync(path.join(modulesDir, '@atproto', 'pds'))) {
  log('HAYON_PDS_MODULES must name the node_modules folder made by scripts/setup-test-peers.sh');
  process.exit(2);
}
// The packages live in the cache, not beside this file: resolve them from there. Resolving the
// path first and then import()ing it works for both the ESM (@atproto/pds) and the CJS
// (@did-plc/server) packages.
const requireFromCache = createRequire(path.join(modulesDir, 'noop.js'));
const load = (name) => import(pathToFileURL(requireFromCache.resolve(name)).href);

const hex = (bytes) => randomBytes(bytes).toString('hex');

// Binds 127.0.0.1 on a free port and returns the listening server.
async function listenLoopback(server, port = 0) {
  server.listen(port, HOST);
  await once(server, 'listening');
  return server;
}

// Closes an HTTP server now, including idle keep-alive connections (close() alone waits for them).
function closeServer(server) {
  if (!server?.listening) return Promise.resolve();
  const closed = new Promise((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/xrpc/_health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/xrpc/_health did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hayon-pds-'));
let plc, plcServer, pds, pdsServer;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  // A stuck shutdown must not leave a test waiting forever.
  setTimeout(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(code || 1);
  }, 10_000).unref();
  try {
    await closeServer(pdsServer);
    await closeServer(plcServer);
    await pds?.destroy(); // we own the HTTP server, so this only closes the PDS's databases etc.
    await plc?.destroy();
  } catch (err) {
    log('error while stopping:', err);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

// stdin EOF is the stop signal: the test closes it, and it also closes when the parent dies.
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  const [{ PDS, envToCfg, envToSecrets }, plcModule] = await Promise.all([
    load('@atproto/pds'),
    load('@did-plc/server'),
  ]);
  const { PlcServer, Database: PlcDatabase } = plcModule.default ?? plcModule;

  // PLC: its port is not part of its config, so our own server can take a free one directly.
  plc = PlcServer.create({ db: PlcDatabase.mock() });
  plcServer = await listenLoopback(http.createServer(plc.app));
  // A hostname, not 127.0.0.1: the PDS's DID resolution rejects an IP ("Invalid hostname").
  const plcUrl = `http://localhost:${plcServer.address().port}`;

  // PDS: its port goes into its config (public URL http://localhost:PORT), so reserve a free port
  // with a placeholder server and hand it over just before the PDS listens.
  const placeholder = await listenLoopback(http.createServer());
  const port = placeholder.address().port;
  const jwtSecret = hex(32);
  const adminPassword = hex(16);
  const appViewUrl = process.env.PDS_APP_VIEW_URL || 'https://appview.invalid';
  const appViewDid = process.env.PDS_APP_VIEW_DID || 'did:web:appview.invalid';
  const env = {
    devMode: true,
    hostname: 'localhost', // → public URL http://localhost:PORT, did:web:localhost, handles *.test
    port,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    inviteRequired: false,
    jwtSecret,
    adminPassword,
    plcRotationKeyK256PrivateKeyHex: hex(32), // any 32 random bytes are a valid secp256k1 key
    // Nothing behind these: app.bsky.* calls the PDS proxies fail (502) unless a test brings a stand-in.
    bskyAppViewUrl: appViewUrl,
    bskyAppViewDid: appViewDid,
    modServiceUrl: 'https://mod.invalid',
    modServiceDid: 'did:web:mod.invalid',
    crawlers: [],
    // Videos (up to 300,000,000 bytes) reach the PDS through uploadBlob, from the client or the
    // stand-in video service; the PDS's own default (5 MiB) would refuse all but the smallest.
    blobUploadLimit: Number(process.env.PDS_BLOB_UPLOAD_LIMIT || 310_000_000),
    rateLimitsEnabled: process.env.PDS_RATE_LIMITS === '1',
    // As bsky.social does: sessions carry the DID document.
    enableDidDocWithSession: process.env.PDS_DID_DOC_WITH_SESSION !== '0',
  };
  const cfg = envToCfg(env);
  if (process.env.PDS_PUBLIC_URL) {
    cfg.service.publicUrl = process.env.PDS_PUBLIC_URL;
    // The PDS is its own OAuth authorization server, whose issuer is its public URL: behind a proxy,
    // so are its sign-in pages and token endpoint.
    cfg.oauth.issuer = process.env.PDS_PUBLIC_URL;
  }
  pds = await PDS.create(cfg, envToSecrets(env));

  // What PDS.start() does, except that it listens on every interface: listen on loopback instead.
  // (app.listen is the one the PDS's XRPC server wraps to serve websocket subscriptions.)
  await pds.ctx.sequencer.start();
  await closeServer(placeholder);
  pdsServer = pds.app.listen(port, HOST);
  pdsServer.keepAliveTimeout = 90_000;
  pds.server = pdsServer;
  await once(pdsServer, 'listening');

  const pdsUrl = `http://localhost:${port}`;
  await waitHealthy(pdsUrl, 30_000);
  if (!stopping) {
    process.stdout.write(JSON.stringify({ pdsUrl, plcUrl, jwtSecret, adminPassword }) + '\n');
  }
} catch (err) {
  log('failed to start:', err);
  await stop(1);
}
