// FAKE BACKEND — for opening the UI in a plain browser only. api.js loads it when window.__TAURI__ is
// missing; the real app never uses it. Nothing here talks to Bluesky: accounts live in memory.
//
// Seed with ?fake=demo (three accounts in different health states) or ?fake=one; default is empty.
// Passwords that trigger errors: "wrong" → invalid_credentials, "main" → main_password_refused,
// "2fa" → auth_factor_required, "offline" → network, "slow" → succeeds after 3 s.
// A handle containing "warn" connects with a warning. Add &delay=0 to skip the artificial latency.
// The composer's commands (analysis, link cards, images, drafts, posting) are faked in fake-composer.js.
import { composerCommands } from './fake-composer.js';

const params = new URLSearchParams(location.search);
const LATENCY = Number(params.get('delay') ?? 600);
const listeners = new Map();

const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();
// A made-up avatar as a data: URL (the real ones are https URLs from Bluesky's CDN).
const avatarSvg = (bg) => 'data:image/svg+xml,' + encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" fill="${bg}"/>` +
  '<circle cx="24" cy="19" r="9" fill="#fff"/><rect x="9" y="31" width="30" height="20" rx="10" fill="#fff"/></svg>');

function makeAccount(handle, extra = {}) {
  return {
    did: `did:plc:fake${handle.replace(/[^a-z0-9]/g, '').slice(0, 16)}`,
    handle,
    service: 'https://bsky.social',
    pds: 'https://fake-pds.example',
    displayName: null,
    description: null,
    avatar: null,
    connected: true,
    health: {
      status: 'active', needsReconnection: false, lastSuccessfulRefresh: minutesAgo(0),
      lastError: null, consecutiveFailures: 0,
    },
    ...extra,
  };
}

const SEEDS = {
  demo: () => [
    makeAccount('bakery.bsky.social', {
      displayName: 'Corner Bakery', description: 'Fresh bread daily.', avatar: avatarSvg('#e0883b'),
      health: { status: 'active', needsReconnection: false, lastSuccessfulRefresh: minutesAgo(2), lastError: null, consecutiveFailures: 0 },
    }),
    makeAccount('writer.bsky.social', {
      displayName: 'Ada Writes',
      health: { status: 'expired', needsReconnection: true, lastSuccessfulRefresh: minutesAgo(60 * 24 * 40), lastError: 'The session expired.', consecutiveFailures: 1 },
    }),
    makeAccount('club.example.org', {
      // An avatar URL that cannot load (nothing listens there), to show the initial-letter fallback.
      service: 'https://pds.example.org', pds: 'https://pds.example.org', offline: true, avatar: 'http://127.0.0.1:59999/avatar.jpg',
      health: { status: 'error', needsReconnection: false, lastSuccessfulRefresh: minutesAgo(180), lastError: 'Could not reach pds.example.org.', consecutiveFailures: 3 },
    }),
  ],
  one: () => [makeAccount('you.bsky.social', { displayName: 'You', health: { status: 'active', needsReconnection: false, lastSuccessfulRefresh: minutesAgo(5), lastError: null, consecutiveFailures: 0 } })],
};

let accounts = (SEEDS[params.get('fake')] ?? (() => []))();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fail = (code, message, field) => Promise.reject(field ? { code, message, field } : { code, message });
const publicView = (a) => { const { offline, ...rest } = a; return structuredClone(rest); };
const find = (did) => accounts.find((a) => a.did === did);
const emit = (name) => (listeners.get(name) ?? []).forEach((cb) => cb());

const commands = {
  ...composerCommands({ accounts: () => accounts, latency: LATENCY }),

  list_accounts: async () => accounts.map(publicView),

  about: async () => ({ version: '0.1.0', homepage: 'https://hayon.app', licence: 'MIT', licenceUrl: 'https://spdx.org/licenses/MIT.html' }),
  update_status: async () => null,
  install_update: async () => fail('validation', 'The fake backend cannot install updates.'),

  async connect_account({ identifier, password, service }) {
    if (!identifier) return fail('validation', 'Enter your handle or email.', 'identifier');
    if (!password) return fail('validation', 'Enter an app password.', 'password');
    if (!/^https?:\/\//.test(service ?? '')) return fail('validation', 'The hosting provider must be an http(s) URL.', 'service');
    if (/\s/.test(identifier)) return fail('validation', 'That handle has spaces in it. Handles look like you.bsky.social.', 'identifier');
    if (password === 'slow') await sleep(3000);
    switch (password) {
      case 'wrong': return fail('invalid_credentials', 'Wrong handle or app password. App passwords are case-sensitive and include the dashes.', 'password');
      case 'main': return fail('main_password_refused', 'That is your main Bluesky password. Hayon ended that session and stored nothing. Create an app password in Bluesky (Settings › Privacy and security › App passwords) and use it here.', 'password');
      case '2fa': return fail('auth_factor_required', 'Bluesky asked for a sign-in code. App passwords never need one: create an app password and use it here.', 'password');
      case 'offline': return fail('network', `Could not reach ${service}. Check your internet connection and try again.`, 'service');
    }
    let handle = identifier.replace(/^@/, '').toLowerCase();
    if (handle.includes('@')) handle = `${handle.split('@')[0]}.bsky.social`;
    const name = handle.split('.')[0];
    const account = makeAccount(handle, { service, displayName: name[0].toUpperCase() + name.slice(1) });
    accounts = [...accounts.filter((a) => a.did !== account.did), account];
    emit('accounts-changed');
    const warnings = handle.includes('warn') ? ['Your profile could not be loaded, so your handle is shown for now. Refresh later to fetch your name and avatar.'] : [];
    return { account: publicView(account), warnings };
  },

  async refresh_account({ account: did }) {
    const a = find(did);
    if (!a) return fail('not_found', 'That account is not connected.');
    if (a.health.needsReconnection) return fail('needs_reconnection', 'This account needs reconnecting: sign in again with a new app password.');
    a.health = { status: 'active', needsReconnection: false, lastSuccessfulRefresh: new Date().toISOString(), lastError: null, consecutiveFailures: 0 };
    return publicView(a);
  },

  async disconnect_account({ account: did }) {
    const a = find(did);
    if (!a) return fail('not_found', 'That account is not connected.');
    accounts = accounts.filter((x) => x !== a);
    emit('accounts-changed');
    return { did, connected: false, serverSessionRevoked: !a.offline };
  },
};

// Composer commands set their own (shorter, realistic) delays; the account commands all take LATENCY.
const OWN_LATENCY = /^(analyze_text|fetch_link_card|stage_image|preview_image|load_draft|save_draft|get_settings|set_settings|default_langs|post|retry_post|preview_quote)$/;

export async function invoke(command, args = {}, options = {}) {
  if (!OWN_LATENCY.test(command)) await sleep(LATENCY);
  const run = commands[command];
  if (!run) return fail('unknown', `The fake backend has no command "${command}".`);
  return run(args, options);
}

/** Stands in for window.__TAURI__.core.Channel: the fake calls `onmessage` directly. */
export class Channel {
  onmessage = () => {};
}

export function listen(name, callback) {
  listeners.set(name, [...(listeners.get(name) ?? []), callback]);
  return () => listeners.set(name, listeners.get(name).filter((cb) => cb !== callback));
}
