// @ts-check
// What a composition may hold (posts in a thread, images per post, languages, alt text length, a
// video's caption files), read once from Rust, which checks the same limits when posting: the
// window keeps no copy of its own.
import * as api from './api.js';

export const { maxPosts, maxImages, maxLangs, maxAltGraphemes, maxCaptions } = await api.limits();
