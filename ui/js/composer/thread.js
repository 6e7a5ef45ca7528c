// @ts-check
// The thread: one post editor per post, in order (a single post is a thread of one). "Add post"
// appends one, up to the limit the core checks; each moves up and down and goes with its own buttons,
// the keyboard staying on the post moved and every change said aloud.
import { byId } from '../dom.js';
import { maxPosts as MAX_POSTS } from '../limits.js';
import { createPostEditor } from './post-editor.js';

/** The post editors, in thread order (read by the composer; changed only here). */
export let editors = [];

/** { editor: the options every post editor gets, canAdd(), announce(message), changed() } */
let hooks = null;

export function initThread(options) {
  hooks = options;
}

function addEditor(post) {
  const editor = createPostEditor({ ...hooks.editor, onMove: moveEditor, onRemove: removeEditor });
  editors.push(editor);
  byId('thread').append(editor.el);
  positions();
  const restored = editor.restore(post);
  return { editor, restored };
}

function positions() {
  editors.forEach((editor, index) => editor.setPosition(index, editors.length));
  byId('add-post').setAttribute('aria-disabled', String(editors.length >= MAX_POSTS));
}

export function addPost() {
  if (!hooks.canAdd()) return;
  if (editors.length >= MAX_POSTS) {
    hooks.announce(`A thread here can have up to ${MAX_POSTS} posts.`);
    return;
  }
  const { editor } = addEditor({});
  editor.focus();
  hooks.announce(`Post ${editors.length} added to the thread.`);
  hooks.changed();
}

function moveEditor(editor, delta) {
  const from = editors.indexOf(editor);
  const to = from + delta;
  if (to < 0 || to >= editors.length) return;
  editors.splice(from, 1);
  editors.splice(to, 0, editor);
  const sibling = editors[to + 1]?.el ?? null;
  byId('thread').insertBefore(editor.el, sibling);
  positions();
  // Keep the keyboard on the same post's button (the other one when this one is now off).
  const button = editor.el.querySelector(delta < 0 ? '.post-up' : '.post-down');
  (button.disabled ? editor.el.querySelector(delta < 0 ? '.post-down' : '.post-up') : button).focus();
  hooks.announce(`Moved to post ${to + 1} of ${editors.length}.`);
  hooks.changed();
}

function removeEditor(editor) {
  if (editors.length < 2) return;
  const index = editors.indexOf(editor);
  editors.splice(index, 1);
  editor.destroy();
  positions();
  (editors[index - 1] ?? editors[index]).focus();
  hooks.announce(`Post ${index + 1} removed. ${editors.length === 1 ? 'One post left.' : `${editors.length} posts left.`}`);
  hooks.changed();
}

/** Puts a saved composition back (at least one post). */
export async function restoreThread(posts) {
  for (const editor of editors) editor.destroy();
  editors = [];
  const list = posts?.length ? posts : [{}];
  await Promise.all(list.map((post) => addEditor(post).restored));
}
