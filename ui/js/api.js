// The ONLY module that calls into Rust. Everything else imports the functions below, so the whole UI
// can run against the fake backend (fake-backend.js) in a plain browser when window.__TAURI__ is absent.

const tauri = window.__TAURI__;

/** True when no Tauri runtime is present and the labelled in-browser fake answers instead. */
export const usingFakeBackend = !tauri;

const backend = usingFakeBackend ? import('./fake-backend.js') : Promise.resolve(tauri.core);

/**
 * Calls a Rust command. Rejections are always `{ code, message }`: Rust sends that shape, and anything
 * else (a plain string from Tauri itself, an Error) is wrapped so callers can branch on `code`.
 */
export async function invoke(command, args = {}) {
  const b = await backend;
  try {
    return await b.invoke(command, args);
  } catch (err) {
    throw toAppError(err);
  }
}

function toAppError(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    return { code: err.code, message: String(err.message ?? '') };
  }
  const message = typeof err === 'string' ? err : (err?.message ?? 'Something went wrong.');
  return { code: 'unknown', message };
}

export const listAccounts = () => invoke('list_accounts');

/** → { account, warnings } */
export const connectAccount = ({ identifier, password, service }) =>
  invoke('connect_account', { identifier, password, service });

/** `did` → the updated account */
export const refreshAccount = (did) => invoke('refresh_account', { account: did });

/** `did` → { did, connected: false, serverSessionRevoked } */
export const disconnectAccount = (did) => invoke('disconnect_account', { account: did });

/** Calls `callback` whenever Rust says the stored accounts changed (event `accounts-changed`). */
export async function onAccountsChanged(callback) {
  if (tauri?.event?.listen) return tauri.event.listen('accounts-changed', () => callback());
  const b = await backend;
  return b.listen ? b.listen('accounts-changed', callback) : () => {};
}
