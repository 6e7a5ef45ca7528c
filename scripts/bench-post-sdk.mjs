// The reference side of scripts/bench-post.sh: what a script using Bluesky's official SDK
// (@atproto/api) does to publish, as one whole process — log in, upload each image, then create the
// posts one after another (a reply needs its parent's CID, which this client learns from the answer).
// The images are given already prepared (≤ 1,000,000 bytes JPEGs made by `hayon-cli media prepare`).
//
//   node bench-post-sdk.mjs SERVICE IDENTIFIER PASSWORD single|thread IMAGE…
//
// single: one post with every image; thread: one post per image, each replying to the one before.
// Prints the created posts' URIs as JSON on stdout.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [service, identifier, password, mode, ...images] = process.argv.slice(2);
const requireFromCache = createRequire(path.join(process.env.HAYON_PDS_MODULES, 'noop.js'));
const { AtpAgent } = await import(pathToFileURL(requireFromCache.resolve('@atproto/api')).href);

const agent = new AtpAgent({ service });
await agent.login({ identifier, password });

const image = async (file) => {
  const { data } = await agent.uploadBlob(fs.readFileSync(file), { encoding: 'image/jpeg' });
  return { alt: `Photo ${path.basename(file)}`, image: data.blob, aspectRatio: { width: 2000, height: 1500 } };
};

const uris = [];
if (mode === 'single') {
  const uploaded = [];
  for (const file of images) uploaded.push(await image(file));
  const { uri } = await agent.post({
    text: 'Four photos from the benchmark',
    embed: { $type: 'app.bsky.embed.images', images: uploaded },
  });
  uris.push(uri);
} else {
  let root;
  let parent;
  for (const [index, file] of images.entries()) {
    const embed = { $type: 'app.bsky.embed.images', images: [await image(file)] };
    const reply = root ? { root, parent } : undefined;
    const posted = await agent.post({ text: `Benchmark thread, post ${index + 1}`, embed, reply });
    parent = { uri: posted.uri, cid: posted.cid };
    root ??= parent;
    uris.push(posted.uri);
  }
}
console.log(JSON.stringify(uris));
