// @ts-check
// The "Connect a Bluesky account" form. Sign in with Bluesky comes first: the handle, then the
// browser (Rust opens it and waits for the approval; the form shows the address and Cancel while
// it waits). The app-password path is one click away ("Use an app password instead"): it clears the
// password from the page the moment it is submitted and warns while it is typed when it can't be an
// app password. Both check input before Rust sees it, put each error from Rust next to the field it
// concerns (one message per field at a time), and wait behind "Add another account" once one exists.
import * as api from './api.js';
import { byId, setBusy } from './dom.js';

export const DEFAULT_SERVICE = 'https://bsky.social';
const APP_PASSWORD_SHAPE = /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/;
/** What an app password can start with: typing one never shows the warning before it pauses. */
const APP_PASSWORD_START = /^([a-z2-7]{4}-){0,3}[a-z2-7]{0,4}$/;
const SHAPE_WARNING = "This doesn't look like an app password (xxxx-xxxx-xxxx-xxxx: lowercase " +
  'letters, digits 2–7, dashes). Never use your main password.';
/** A pause this long in typing an unfinished app password shows the warning too. */
const PAUSE_MS = 800;
const BSKY_APP_PASSWORDS = 'https://bsky.app/settings/app-passwords';

const FIELDS = ['identifier', 'password', 'service'];
let busy = false;
/** @type {(connected: import('./ipc').Connected) => void} */
let onConnected = () => {};
let reconnectHandle = null;
/** The account being signed in again, when it signed in with Bluesky (Sign in again). */
let reconnectOauth = false;
let hasAccounts = false;
let expanded = false; // "Add another account" was chosen
let shapeTimer = 0;

export function initConnectForm(options) {
  onConnected = options.onConnected;
  byId('connect-form').addEventListener('submit', onSubmit);
  byId('oauth-cancel').addEventListener('click', () => { api.cancelSignIn().catch(() => {}); });
  byId('oauth-open').addEventListener('click', async () => {
    try {
      setWaitingUrl(await api.openSignInPage());
    } catch (err) {
      setFormError(err.message || "Couldn't open your browser. Open the address above in it.");
    }
  });
  api.onSignInWaiting(setWaitingUrl);
  // The app-password help sits beside the form only while that path is open.
  const passwordPath = /** @type {HTMLDetailsElement} */ (byId('app-password-path'));
  passwordPath.addEventListener('toggle', () => { byId('app-password-help').hidden = !passwordPath.open; });
  byId('password-toggle').addEventListener('click', togglePassword);
  byId('add-account').addEventListener('click', () => {
    expand();
    byId('identifier').focus();
  });
  byId('connect-cancel').addEventListener('click', () => {
    clearErrors();
    /** @type {HTMLFormElement} */ (byId('connect-form')).reset();
    hidePassword();
    setReconnect(null);
    expanded = false;
    showForm();
    byId('add-account').focus();
  });
  // The app-password page opens in the browser (the opener's scope allows bsky.app), never in the window.
  byId('app-password-link').addEventListener('click', (event) => {
    event.preventDefault();
    api.openExternal(BSKY_APP_PASSWORDS).catch(() => {
      setFormError(`Couldn't open your browser. The page is ${BSKY_APP_PASSWORDS}`);
    });
  });
  const password = /** @type {HTMLInputElement} */ (byId('password'));
  // Enter in the password field connects with it (the form's first button is Sign in with Bluesky).
  password.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    /** @type {HTMLFormElement} */ (byId('connect-form')).requestSubmit(byId('connect-submit'));
  });
  // The shape warning follows typing: at once when the text can no longer become an app password (a
  // main password usually can't past its first letters), after a pause when it is unfinished, and
  // gone when the field is emptied. Never on blur: appearing then would shift the form under the
  // pointer of someone clicking the next control.
  password.addEventListener('input', () => {
    setFieldError('password', '');
    clearTimeout(shapeTimer);
    const { value } = password;
    if (!value || APP_PASSWORD_SHAPE.test(value) || !APP_PASSWORD_START.test(value)) showShapeWarning(value);
    else shapeTimer = setTimeout(() => showShapeWarning(password.value), PAUSE_MS);
  });
  byId('identifier').addEventListener('input', (e) => {
    setFieldError('identifier', '');
    if (reconnectHandle && /** @type {HTMLInputElement} */ (e.target).value.trim() !== reconnectHandle) setReconnect(null);
  });
  byId('service').addEventListener('input', () => setFieldError('service', ''));
}

/**
 * The accounts list changed: with accounts, the form waits behind "Add another account" (and closes
 * again after each one connected); without, it is the page's main content.
 */
export function setHasAccounts(has) {
  if (has === hasAccounts) return;
  hasAccounts = has;
  expanded = false;
  showForm();
}

function expand() {
  expanded = true;
  showForm();
}

function showForm() {
  const open = !hasAccounts || expanded || reconnectHandle !== null;
  byId('connect-section').hidden = !open;
  const toggle = byId('add-account');
  toggle.hidden = !hasAccounts || open;
  toggle.setAttribute('aria-expanded', String(open));
  byId('connect-cancel').hidden = !hasAccounts;
}

/** Ctrl/Cmd+N: bring the form into view and put the cursor in the first field. */
export function focusIdentifier() {
  expand();
  const input = /** @type {HTMLInputElement} */ (byId('identifier'));
  input.scrollIntoView({ block: 'center' });
  input.focus();
  input.select();
}

/**
 * Reconnect: same form, identifier (and hosting provider) pre-filled; the cursor on "Sign in with
 * Bluesky" for an account that signed in that way (Sign in again), else in the password field.
 */
export function prefillReconnect(account) {
  clearErrors();
  reconnectOauth = account.signIn?.kind === 'oauth';
  setReconnect(account.handle);
  /** @type {HTMLInputElement} */ (byId('identifier')).value = account.handle ?? account.did;
  const service = account.service || DEFAULT_SERVICE;
  /** @type {HTMLInputElement} */ (byId('service')).value = service;
  if (service !== DEFAULT_SERVICE) /** @type {HTMLDetailsElement} */ (byId('advanced')).open = true;
  const password = /** @type {HTMLInputElement} */ (byId('password'));
  password.value = '';
  byId('connect-section').scrollIntoView({ block: 'nearest' });
  if (reconnectOauth) {
    byId('oauth-submit').focus();
    return;
  }
  /** @type {HTMLDetailsElement} */ (byId('app-password-path')).open = true;
  password.focus();
}

function setReconnect(handle) {
  reconnectHandle = handle;
  if (!handle) reconnectOauth = false;
  byId('connect-title').textContent = !handle ? 'Connect a Bluesky account'
    : reconnectOauth ? `Sign in again as @${handle}` : `Reconnect @${handle}`;
  showForm();
}

function togglePassword() {
  const button = byId('password-toggle');
  const show = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(show));
  /** @type {HTMLInputElement} */ (byId('password')).type = show ? 'text' : 'password';
}

function hidePassword() {
  byId('password-toggle').setAttribute('aria-pressed', 'false');
  /** @type {HTMLInputElement} */ (byId('password')).type = 'password';
}

function setFieldError(name, message) {
  const error = byId(`${name}-error`);
  error.textContent = message;
  error.hidden = !message;
  const input = byId(name);
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  if (message && name === 'service') /** @type {HTMLDetailsElement} */ (byId('advanced')).open = true;
  if (name === 'password' && message) showShapeWarning(''); // the error says it all
  showOneNote(name);
}

/** One message under a field at a time: its error, else its warning, else its hint. */
function showOneNote(name) {
  const hint = byId(`${name}-hint`);
  const warning = byId(`${name}-warning`);
  hint.hidden = !byId(`${name}-error`).hidden || (warning !== null && !warning.hidden);
}

function setFormError(message) {
  const box = byId('form-error');
  box.textContent = message;
  box.hidden = !message;
}

function showShapeWarning(password) {
  const warn = Boolean(password) && !APP_PASSWORD_SHAPE.test(password);
  const box = byId('password-warning');
  box.textContent = warn ? SHAPE_WARNING : '';
  box.hidden = !warn;
  showOneNote('password');
}

function clearErrors() {
  clearTimeout(shapeTimer);
  for (const name of FIELDS) setFieldError(name, '');
  setFormError('');
  showShapeWarning('');
}

/** Client-side checks; returns the list of [field, message] problems (empty when all is well). */
function validate({ identifier, password, service }) {
  const problems = [];
  if (!identifier) problems.push(['identifier', 'Enter your handle (like you.bsky.social) or your email address.']);
  if (!password) problems.push(['password', 'Enter an app password.']);
  problems.push(...validateService(service));
  return problems;
}

function validateService(service) {
  let url = null;
  try { url = new URL(service); } catch { /* reported below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    return [['service', 'Enter the hosting provider as a web address starting with https:// (for most people: https://bsky.social).']];
  }
  return [];
}

/** The address of the sign-in page, shown while waiting (for a browser that did not open). */
function setWaitingUrl(url) {
  /** @type {HTMLInputElement} */ (byId('oauth-url')).value = url;
}

/** While Rust waits for the browser: the waiting panel (address, Open again, Cancel) instead of the actions. */
function showWaiting(waiting) {
  byId('oauth-waiting').hidden = !waiting;
  byId('oauth-actions').hidden = waiting;
  byId('oauth-hint').hidden = waiting;
  byId('app-password-path').hidden = waiting;
  if (!waiting) setWaitingUrl('');
}

/** The connect form is done: back to its resting state, and the new account goes to the list. */
function connected(result) {
  /** @type {HTMLFormElement} */ (byId('connect-form')).reset();
  clearErrors();
  hidePassword();
  setReconnect(null);
  /** @type {HTMLDetailsElement} */ (byId('advanced')).open = false;
  /** @type {HTMLDetailsElement} */ (byId('app-password-path')).open = false;
  expanded = false;
  showForm();
  onConnected(result);
}

async function signInWithBluesky() {
  const identifier = /** @type {HTMLInputElement} */ (byId('identifier')).value.trim();
  const service = /** @type {HTMLInputElement} */ (byId('service')).value.trim();
  const problems = validateService(service);
  if (!identifier && (!service || service.replace(/\/+$/, '') === DEFAULT_SERVICE)) {
    problems.unshift(['identifier', 'Enter your handle (like you.bsky.social). To sign in at your own server instead, give its address under Advanced.']);
  }
  if (problems.length) {
    for (const [field, message] of problems) setFieldError(field, message);
    byId(problems[0][0]).focus();
    return;
  }
  const form = byId('connect-form');
  const submit = byId('oauth-submit');
  busy = true;
  form.setAttribute('aria-busy', 'true');
  setBusy(submit, true, 'Opening your browser…');
  showWaiting(true);
  byId('oauth-cancel').focus();
  try {
    connected(await api.signInWithBluesky({ identifier, service }));
  } catch (err) {
    // The button comes back enabled first, so the cursor can land on it.
    showWaiting(false);
    setBusy(submit, false);
    showServerError(err, 'oauth-submit');
  } finally {
    busy = false;
    form.removeAttribute('aria-busy');
    setBusy(submit, false);
    showWaiting(false);
  }
}

async function onSubmit(event) {
  event.preventDefault();
  if (busy) return;
  clearErrors();
  // Its own button (also what Enter in the password field presses) connects with the app password.
  const submitter = /** @type {SubmitEvent} */ (event).submitter;
  if (submitter?.id !== 'connect-submit') {
    await signInWithBluesky();
    return;
  }

  const passwordInput = /** @type {HTMLInputElement} */ (byId('password'));
  const values = {
    identifier: /** @type {HTMLInputElement} */ (byId('identifier')).value.trim(),
    password: passwordInput.value,
    service: /** @type {HTMLInputElement} */ (byId('service')).value.trim(),
  };
  const problems = validate(values);
  if (problems.length) {
    for (const [field, message] of problems) setFieldError(field, message);
    byId(problems[0][0]).focus();
    return;
  }
  // The app password leaves the page now: it lives only in this local variable until Rust has it.
  // The field is empty again, so its shape warning goes; a refusal says what to do instead.
  const { password } = values;
  passwordInput.value = '';
  values.password = '';

  const form = /** @type {HTMLFormElement} */ (byId('connect-form'));
  const submit = byId('connect-submit');
  busy = true;
  form.setAttribute('aria-busy', 'true');
  setBusy(submit, true, 'Connecting…');
  try {
    connected(await api.connectAccount({ identifier: values.identifier, password, service: values.service }));
  } catch (err) {
    showServerError(err, 'password');
  } finally {
    busy = false;
    form.removeAttribute('aria-busy');
    setBusy(submit, false);
  }
}

/**
 * Rust says which input an error is about in `field` (identifier, password, service), or nothing:
 * then the message goes above the form and the cursor to `retry` (the cleared password, or the
 * Sign in with Bluesky button).
 */
function showServerError({ message, field }, retry) {
  const text = message || 'Something went wrong. Please try again.';
  if (FIELDS.includes(field)) {
    setFieldError(field, text);
    if (field === 'password') /** @type {HTMLDetailsElement} */ (byId('app-password-path')).open = true;
    byId(field).focus();
  } else {
    setFormError(text);
    byId(retry).focus();
  }
}
