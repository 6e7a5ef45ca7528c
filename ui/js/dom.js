// @ts-check
// Tiny DOM helpers shared by the views, so each view builds elements the same way (no innerHTML, so
// text from the network — names, bios, error messages — can never become markup).

/** Creates an element: h('p', { class: 'x', 'data-did': d }, 'text', otherNode). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const byId = (id) => document.getElementById(id);

/**
 * Puts a button in (or out of) its busy state: disabled, aria-busy, spinner shown and the label swapped.
 * The button may hold a `.btn-label` span (kept beside a `.spinner`); otherwise its whole text is swapped.
 */
export function setBusy(button, busy, busyText) {
  const label = button.querySelector('.btn-label') ?? button;
  if (busy) {
    button.dataset.idleText ??= label.textContent;
    if (busyText) label.textContent = busyText;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.idleText !== undefined) label.textContent = button.dataset.idleText;
    delete button.dataset.idleText;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * Hints marked `.hint-on-focus` inside `root` show (class `shown`) while a control they describe
 * (`aria-describedby`) has focus; screen readers hear them through that attribute at any time.
 * Focus events, unlike CSS `:focus-within`, also arrive while the window is not the active one.
 */
export function showHintsOnFocus(root) {
  const mark = (event, on) => {
    for (const id of (event.target.getAttribute?.('aria-describedby') ?? '').split(/\s+/)) {
      const hint = id ? document.getElementById(id) : null;
      if (hint?.classList.contains('hint-on-focus')) hint.classList.toggle('shown', on);
    }
  };
  root.addEventListener('focusin', (event) => mark(event, true));
  root.addEventListener('focusout', (event) => mark(event, false));
}

/** A button with a spinner slot, for actions that show a busy state. */
export function actionButton(className, text, extra = {}) {
  return h('button', { type: 'button', class: `btn ${className}`, ...extra },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', { class: 'btn-label' }, text));
}
