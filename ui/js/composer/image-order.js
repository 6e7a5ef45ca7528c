// @ts-check
// The order of a post's images, changed by the person (images.js keeps the images themselves; their
// order there is what is posted and drafted). Kept apart from images.js because moving has its own
// controls, keys and drag handling:
// - each tile has "Move left" and "Move right" buttons, named with the image's place ("Move image 3
//   left, to position 2 of 7"), off at either end, as a thread's posts have "Move up" and "Move down";
// - Alt+Left and Alt+Right arrow on any control of a tile move that image the same way;
// - a tile can be dragged onto another: a bar on the side of the tile it will go beside shows where.
// After a move by keyboard the focus stays on the control used (or the other move button when that
// one went off at an end), so a person can keep pressing; every move is said aloud by images.js.
import { h } from '../dom.js';

const DRAG_TYPE = 'application/x-hayon-image';
/** The tile being dragged (drags do not leave the window, so one at a time). */
let dragged = /** @type {HTMLElement | null} */ (null);

/** The move controls of a tile, and its place ("2 / 7") shown between them. */
export function buildOrderBar() {
  return h('div', { class: 'image-order' },
    h('button', { class: 'image-move btn btn-ghost', type: 'button', 'data-delta': '-1', 'aria-keyshortcuts': 'Alt+ArrowLeft' },
      h('span', { 'aria-hidden': 'true' }, '←')),
    h('span', { class: 'image-place', 'aria-hidden': 'true' }),
    h('button', { class: 'image-move btn btn-ghost', type: 'button', 'data-delta': '1', 'aria-keyshortcuts': 'Alt+ArrowRight' },
      h('span', { 'aria-hidden': 'true' }, '→')));
}

/** Names the move controls of tile `el` for image `index` (0-based) of `count`; `where` names the post. */
export function updateOrderBar(el, index, count, where) {
  const bar = el.querySelector('.image-order');
  bar.hidden = count < 2;
  el.draggable = count > 1;
  bar.querySelector('.image-place').textContent = `${index + 1} / ${count}`;
  for (const button of bar.querySelectorAll('.image-move')) {
    const earlier = button.dataset.delta === '-1';
    const to = index + (earlier ? 0 : 2);
    button.setAttribute('aria-label', `Move image ${index + 1}${where} ${earlier ? 'left' : 'right'}, to position ${to} of ${count}`);
    button.title = earlier ? 'Move left (Alt+←)' : 'Move right (Alt+→)';
    button.disabled = earlier ? index === 0 : index === count - 1;
  }
}

/**
 * Lets the person reorder the tiles of `list`: `indexOf(tile)` is a tile's place, `move(tile, to)`
 * moves its image to place `to` (0-based), renders and announces the move; all come from images.js,
 * as does `announce(text)`, which says why a key did nothing at either end.
 */
export function wireReorder(list, { indexOf, count, move, announce }) {
  /** Moves `tile` by `delta` places, keeping focus on `control` (or the tile's other move button). */
  function step(tile, delta, control) {
    const from = indexOf(tile);
    const to = from + delta;
    if (from < 0) return;
    if (to < 0 || to >= count()) {
      announce(`Image ${from + 1} is already ${to < 0 ? 'first' : 'last'}.`);
      return;
    }
    move(tile, to);
    const keep = control.disabled ? tile.querySelector(`.image-move:not([data-delta="${delta}"])`) : control;
    keep?.focus();
  }

  list.addEventListener('click', (event) => {
    const button = event.target.closest('.image-move');
    if (button) step(button.closest('.image-item'), Number(button.dataset.delta), button);
  });
  list.addEventListener('keydown', (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const delta = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    const tile = event.target.closest('.image-item');
    if (!delta || !tile) return;
    event.preventDefault();
    step(tile, delta, event.target);
  });

  // ---- Dragging ----
  const clearMarks = () => {
    for (const tile of list.querySelectorAll('[data-drop]')) delete tile.dataset.drop;
  };
  /** The tile under a drag event and the side of it the dragged tile would go on. */
  const target = (event) => {
    const tile = event.target.closest?.('.image-item');
    // Only within one post: an image is not dragged to another post.
    if (!dragged || dragged.parentElement !== list || tile?.parentElement !== list || tile === dragged) return null;
    const box = tile.getBoundingClientRect();
    return { tile, after: event.clientX > box.left + box.width / 2 };
  };

  list.addEventListener('dragstart', (event) => {
    const tile = event.target.closest?.('.image-item');
    if (!tile || !tile.draggable) return;
    dragged = tile;
    event.dataTransfer.setData(DRAG_TYPE, tile.dataset.id);
    event.dataTransfer.effectAllowed = 'move';
    tile.dataset.dragging = 'true';
  });
  list.addEventListener('dragover', (event) => {
    const over = target(event);
    if (!over) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const side = over.after ? 'after' : 'before';
    if (over.tile.dataset.drop === side) return;
    clearMarks();
    over.tile.dataset.drop = side;
  });
  list.addEventListener('dragleave', (event) => {
    if (!list.contains(/** @type {Node} */ (event.relatedTarget))) clearMarks();
  });
  list.addEventListener('drop', (event) => {
    const over = target(event);
    clearMarks();
    if (!over) return;
    event.preventDefault();
    event.stopPropagation();
    const from = indexOf(dragged);
    let to = indexOf(over.tile) + (over.after ? 1 : 0);
    if (from < to) to -= 1;
    if (to !== from) move(dragged, to);
  });
  list.addEventListener('dragend', () => {
    clearMarks();
    if (dragged) delete dragged.dataset.dragging;
    dragged = null;
  });
}
