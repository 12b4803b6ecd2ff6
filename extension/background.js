// StreamFix service worker (Chrome) / event page (Firefox).
// Carries messages and browser events to the Rust core and carries out the effects it
// returns. It decides nothing itself. Listeners are registered synchronously at top
// level; all state lives in storage, so a restarted worker picks up where it was.
import init, { dispatch } from './pkg/streamfix.js';
import { uiLang } from './lang.js';

const api = globalThis.browser ?? globalThis.chrome;
const ready = init({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
const HOSTS = api.runtime.getManifest().host_permissions;
const BADGE_COLOR = '#c5221f';
// Firefox has runtime.getBrowserInfo; its browsingData filters by hostnames.
const BROWSER = typeof api.runtime.getBrowserInfo === 'function' ? 'firefox' : 'chrome';
// Who this worker is, not state: new at every start. The core records which instance
// took on a piece of work, so the next instance recognises work a stopped one left
// half-done (a clearing, a reload, a culprit-search step) and settles it.
const INSTANCE = crypto.randomUUID();
// A browser call that never settles must not hold up every later call.
const EFFECT_TIMEOUT_MS = 10_000;

// One call at a time: each reads the stores, lets the core decide, writes back. The
// caller gets the core's reply as soon as the core has decided; the writes and effects
// still finish before the next call starts.
let queue = Promise.resolve();
function run(msg, sender) {
  let answer;
  const replied = new Promise((resolve) => { answer = resolve; });
  const job = queue.then(() => call(msg, sender, answer));
  queue = job.catch(() => {});
  return Promise.race([replied, job]);
}

async function call(msg, sender, answer = () => {}) {
  await ready;
  const [session, local] = await Promise.all([
    api.storage.session.get(null),
    api.storage.local.get(null),
  ]);
  const ctx = {
    sender,
    env: { self_id: api.runtime.id, self_origin: api.runtime.getURL(''), lang: uiLang, browser: BROWSER, instance: INSTANCE, missing: await missingPermissions() },
    session,
    local,
    now: Date.now(),
  };
  let text;
  try {
    text = JSON.stringify(msg) ?? '';
  } catch {
    text = '';
  }
  const out = JSON.parse(dispatch(text, JSON.stringify(ctx)));
  answer(out.reply);
  const writes = [];
  if (Object.keys(out.session_set).length) writes.push(api.storage.session.set(out.session_set));
  if (out.session_remove.length) writes.push(api.storage.session.remove(out.session_remove));
  if (Object.keys(out.local_set).length) writes.push(api.storage.local.set(out.local_set));
  await Promise.all(writes);
  if (BROWSER === 'firefox') viewsChanged(out, session);
  // In order: turning an extension off must happen before listing or reloading.
  for (const e of out.effects) await timed(perform(e), EFFECT_TIMEOUT_MS).catch((err) => console.warn('StreamFix:', e.do, err));
  return out.reply;
}

// The optional permissions the user hasn't granted (read each call, in one browser call:
// the user can take one back at any time in the browser's settings).
const OPTIONAL = api.runtime.getManifest().optional_permissions ?? [];
async function missingPermissions() {
  const { permissions = [] } = await api.permissions.getAll().catch(() => ({}));
  return OPTIONAL.filter((p) => !permissions.includes(p));
}

// Firefox gives the panel's iframe (an extension page inside a web page) only
// content-script APIs: no storage.session events. Tell the tabs whose state changed.
function viewsChanged(out, session) {
  const keys = [...Object.keys(out.session_set), ...out.session_remove];
  // Stored extension state (what StreamFix turned off) shows on every watched tab.
  if (Object.keys(out.local_set).length) keys.push(...Object.keys(session));
  const tabs = new Set(keys.filter((k) => /^tab:\d+$/.test(k)).map((k) => Number(k.slice(4))));
  for (const tabId of tabs) api.tabs.sendMessage(tabId, { type: 'ViewChanged' }).catch(() => {});
}

const effects = {
  async Badge({ tab_id: tabId, text, title, after_load: afterLoad }) {
    const set = async () => {
      await api.action.setBadgeText({ tabId, text });
      if (text) await api.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOR });
      await api.action.setTitle({ tabId, title: title || 'StreamFix' });
    };
    // Not awaited: the queue must not wait for a page to load.
    if (afterLoad) loaded(tabId).then(set).catch(() => {});
    else await set();
  },
  async Panel({ tab_id: tabId, code, focus }) {
    await api.tabs.sendMessage(tabId, { type: 'ShowPanel', code, focus });
  },
  async Reload({ tab_id: tabId }) {
    await api.tabs.reload(tabId);
  },
  // The snapshot is taken in order (after this call's SetEnabled); the report back is
  // its own queued event.
  async ListExtensions({ tab_id: tabId, covers }) {
    event(await listExtensions(tabId, covers));
  },
  async SetEnabled({ ids, enabled }) {
    for (const id of ids) {
      await api.management.setEnabled(id, enabled).catch((err) => console.warn('StreamFix: setEnabled', id, err));
    }
  },
  // Not awaited by the queue: the measurement reports back as its own event.
  async MeasureConnection({ tab_id: tabId, run, probes, download }) {
    measureConnection(probes, download).then((measurement) => event({ type: 'ConnectionMeasured', tab_id: tabId, run, measurement }));
  },
  // Clears only what the core listed, filtered to the service's origins (hostnames in
  // Firefox), then reports back what went and what the browser refused. Not awaited by
  // the queue: the report back is itself a queued event.
  async ClearSiteData({ tab_id: tabId, origins, hostnames, types, skipped, cookie_domains: cookieDomains, this_store_only: own }) {
    // Firefox: the tab's container (or the private windows) only, never the others.
    const store = own ? (await api.tabs.get(tabId).catch(() => null))?.cookieStoreId : undefined;
    if (own && !store) {
      event({ type: 'SiteDataCleared', tab_id: tabId, removed: [], failed: types, skipped });
      return;
    }
    const filter = { ...(origins.length ? { origins } : { hostnames }), ...(store ? { cookieStoreId: store } : {}) };
    clearSiteData(filter, types, cookieDomains, store).then(({ removed, failed }) =>
      event({ type: 'SiteDataCleared', tab_id: tabId, removed, failed, skipped }),
    );
  },
};

const EXT_FIELDS = ['id', 'name', 'enabled', 'installType', 'type', 'permissions', 'hostPermissions', 'mayDisable', 'isApp'];

async function listExtensions(tabId, covers) {
  const all = await api.management.getAll();
  const list = all.map((x) => Object.fromEntries(EXT_FIELDS.map((k) => [k, x[k] ?? null])));
  // The proxy settings are unreadable without the `proxy` permission: the core infers the
  // controller from the extensions' own permissions.
  const canToggle = BROWSER === 'chrome';
  return { type: 'Extensions', tab_id: tabId ?? null, list, proxy: null, can_toggle: canToggle, covers };
}

// One small request: its outcome and Resource Timing phases. The network error name
// (net::ERR_...) comes from a webRequest listener for exactly this URL.
async function probe(url) {
  const u = `${url}${url.includes('?') ? '&' : '?'}streamfix=${Date.now()}`;
  let netError = null;
  const onError = (d) => { netError = d.error; };
  api.webRequest.onErrorOccurred.addListener(onError, { urls: [u] });
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 8000);
  try {
    const res = await fetch(u, { cache: 'no-store', credentials: 'omit', signal: ctrl.signal });
    await res.arrayBuffer();
    const t = performance.getEntriesByName(u).pop();
    const span = (a, b) => (t && t[a] > 0 && t[b] >= t[a] ? t[b] - t[a] : 0);
    return {
      kind: 'ok', status: res.status, dns_ms: span('domainLookupStart', 'domainLookupEnd'),
      connect_ms: span('connectStart', 'connectEnd'), tls_ms: span('secureConnectionStart', 'connectEnd'),
      ttfb_ms: span('requestStart', 'responseStart'), total_ms: t?.duration ?? 0,
    };
  } catch (err) {
    // fetch may reject before the browser's own error name reaches the listener.
    if (!ctrl.signal.aborted && !netError) await new Promise((r) => setTimeout(r, 200));
    return { kind: 'failed', error: ctrl.signal.aborted ? 'timeout' : netError ?? String(err?.message ?? err) };
  } finally {
    clearTimeout(timer);
    api.webRequest.onErrorOccurred.removeListener(onError);
  }
}

// The body's bytes on the network and the time they took (from the headers on: looking
// up, connecting, redirects and the server's own time are not the line's speed). A
// compressed body's size on the network is its Content-Length (or Resource Timing's
// encodedBodySize); when neither is known, the decoded size is sent as such (`decoded`).
async function timedDownload(url) {
  const u = `${url}${url.includes('?') ? '&' : '?'}streamfix=${Date.now()}`;
  try {
    const res = await fetch(u, { cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(15000) });
    const start = performance.now();
    const decodedBytes = (await res.arrayBuffer()).byteLength;
    const ms = performance.now() - start;
    if (!res.ok) return null;
    const encoding = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
    if (!encoding || encoding === 'identity') return { bytes: decodedBytes, ms };
    const timing = performance.getEntriesByName(u).pop();
    const wire = timing?.encodedBodySize > 0 ? timing.encodedBodySize : Number(res.headers.get('content-length'));
    return wire > 0 ? { bytes: wire, ms } : { bytes: decodedBytes, ms, decoded: true };
  } catch {
    return null;
  }
}

async function measureConnection(probes, download) {
  const measurement = {
    online: navigator.onLine,
    probes: [],
    download: null,
    effective_type: navigator.connection?.effectiveType ?? null,
    downlink_mbps: navigator.connection?.downlink ?? null,
  };
  for (const url of probes) measurement.probes.push({ url, outcome: await probe(url) });
  if (measurement.probes.some((p) => p.outcome.kind === 'ok')) measurement.download = await timedDownload(download);
  return measurement;
}

async function clearSiteData(filter, types, cookieDomains, storeId) {
  // An empty filter would mean every site: never call the remover without one.
  if (!(filter.origins?.length || filter.hostnames?.length)) return { removed: [], failed: types };
  const removed = [];
  const failed = [];
  try {
    await api.browsingData.remove(filter, Object.fromEntries(types.map((t) => [t, true])));
    return { removed: [...types], failed };
  } catch {
    // One refused type must not stop the others: try them one by one.
  }
  for (const type of types) {
    try {
      await api.browsingData.remove(filter, { [type]: true });
      removed.push(type);
    } catch {
      if (type === 'cookies' && (await removeCookies(cookieDomains, storeId))) removed.push(type);
      else failed.push(type);
    }
  }
  return { removed, failed };
}

// The fallback for cookies: each cookie of the service's domains (in `storeId` only, when
// given), one by one.
async function removeCookies(domains, storeId) {
  try {
    for (const domain of domains) {
      for (const c of await api.cookies.getAll({ domain, ...(storeId ? { storeId } : {}) })) {
        const url = `http${c.secure ? 's' : ''}://${c.domain.replace(/^\./, '')}${c.path}`;
        await api.cookies.remove({ url, name: c.name, storeId: c.storeId });
      }
    }
    return true;
  } catch {
    return false;
  }
}

// Resolves once the tab has finished loading (or after 10 s, whichever comes first).
async function loaded(tabId) {
  for (let i = 0; i < 100; i++) {
    const tab = await api.tabs.get(tabId);
    if (tab.status === 'complete') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function timed(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function perform(effect) {
  const fn = effects[effect.do];
  return fn ? fn(effect) : Promise.reject(new Error(`unknown effect ${effect.do}`));
}

function fromRuntime(sender) {
  return {
    kind: 'runtime',
    id: sender.id ?? null,
    url: sender.url ?? null,
    tab_id: sender.tab?.id ?? null,
    frame_id: sender.frameId ?? null,
    document_id: sender.documentId ?? null,
  };
}

const INTERNAL = { kind: 'internal' };
const event = (msg) => run(msg, INTERNAL).catch((err) => console.warn('StreamFix:', err));

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  run(msg, fromRuntime(sender)).then(sendResponse, (err) =>
    sendResponse({ type: 'Error', error: `StreamFix could not handle the message: ${err?.message ?? err}` }),
  );
  return true;
});

api.webRequest.onBeforeRequest.addListener(
  (d) => { if (d.tabId >= 0) event({ type: 'Navigating', tab_id: d.tabId, url: d.url, started_at: d.timeStamp, request_id: d.requestId }); },
  { urls: HOSTS, types: ['main_frame'] },
);

// Every main-frame answer goes to the core (a 200 after a 503 means recovery); API calls
// only when they failed, so a healthy player does not wake the core for each request.
api.webRequest.onCompleted.addListener(
  (d) => {
    if (d.tabId < 0 || (d.type !== 'main_frame' && d.statusCode < 400)) return;
    event({ type: 'HttpResponse', tab_id: d.tabId, url: d.url, status: d.statusCode, main_frame: d.type === 'main_frame', request_id: d.requestId });
  },
  { urls: HOSTS, types: ['main_frame', 'xmlhttprequest'] },
);

api.webRequest.onErrorOccurred.addListener(
  (d) => {
    if (d.tabId < 0) return;
    event({ type: 'NetError', tab_id: d.tabId, url: d.url, error: d.error, main_frame: d.type === 'main_frame', request_id: d.requestId });
  },
  { urls: HOSTS, types: ['main_frame'] },
);

api.tabs.onRemoved.addListener((tabId) => event({ type: 'TabClosed', tab_id: tabId }));

// The manifest's keyboard commands (the popup's own, `_execute_action`, is the browser's).
api.commands?.onCommand.addListener(async (name, tab) => {
  const id = tab?.id ?? (await api.tabs.query({ active: true, currentWindow: true }).catch(() => []))[0]?.id;
  event({ type: 'Command', name, tab_id: id ?? null });
});

// The user turned an extension on or off, installed or removed one: the listings the tabs
// show (and act on) are out of date. `covers: 0`: a listing read at any moment, which
// may come before a change StreamFix is making, so it never takes an entry off the
// ledger. One listing for a burst of changes (turning several off is several events).
let listingSoon = 0;
const listAgain = () => {
  clearTimeout(listingSoon);
  listingSoon = setTimeout(() => listExtensions(null, 0).then(event, () => {}), 100);
};
// `management` is optional: absent until the user grants it, so these are added again
// when it is (and a restarted worker, which then has it, adds them here).
const watchExtensions = () => {
  for (const name of ['onEnabled', 'onDisabled', 'onInstalled', 'onUninstalled']) {
    if (!api.management?.[name]?.hasListener(listAgain)) api.management?.[name]?.addListener(listAgain);
  }
};
watchExtensions();
api.permissions?.onAdded?.addListener(watchExtensions);
