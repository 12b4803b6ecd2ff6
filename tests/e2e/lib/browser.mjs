// Launches Debian's Chromium with unpacked extensions through playwright-core,
// wired to the fixture server (server.mjs) under the real host names.

import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetSession, contentBox, dispatchClick, evaluateIn, pierceQuerySession } from './cdp.mjs';
import { SERVICE_HOSTS } from './server.mjs';

export const CHROMIUM = process.env.STREAMFIX_CHROMIUM ?? '/usr/bin/chromium';
export const FIXTURE_EXTENSIONS_DIR = fileURLToPath(new URL('../../fixtures/extensions/', import.meta.url));
export const ARTIFACTS_DIR = fileURLToPath(new URL('../.tmp/artifacts/', import.meta.url));

/** Absolute path of a fixture extension: fixtureExtension('fake-vpn'). */
export const fixtureExtension = (name) => path.join(FIXTURE_EXTENSIONS_DIR, name);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function poll(fn, { timeout = 5000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

/** True if a worker handle evaluates within `ms` (a stale Playwright Worker hangs instead of failing). */
// A worker answers once its extension context is up (a worker that is still starting
// can evaluate before `chrome` exists): probe until then, at most `ms`.
async function answers(worker, ms = 1500) {
  const deadline = Date.now() + ms;
  do {
    const probe = worker.evaluate(() => typeof chrome !== 'undefined' && Boolean(chrome.runtime?.id)).catch(() => false);
    if (await Promise.race([probe, sleep(Math.max(50, deadline - Date.now())).then(() => false)])) return true;
    await sleep(100);
  } while (Date.now() < deadline);
  return false;
}

// ---------------------------------------------------------------- extension ids

const hexToExtensionAlphabet = (hex) =>
  hex.slice(0, 32).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 16)));

/**
 * The id Chromium gives an unpacked extension: from manifest "key" if present,
 * else sha256 of its absolute (symlink-resolved) path.
 */
export function extensionIdFor(dir, manifest) {
  if (manifest?.key) {
    return hexToExtensionAlphabet(createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex'));
  }
  return hexToExtensionAlphabet(createHash('sha256').update(realpathSync(dir)).digest('hex'));
}

function describeExtension(dir) {
  const abs = realpathSync(path.resolve(dir));
  const manifestFile = path.join(abs, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`not an extension folder (no manifest.json): ${abs}`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  return { id: extensionIdFor(abs, manifest), name: localized(abs, manifest, manifest.name), dir: abs, manifest };
}

/** Resolves a `__MSG_key__` manifest string from _locales/<default_locale>/messages.json. */
function localized(dir, manifest, value) {
  const key = /^__MSG_(\w+)__$/.exec(value ?? '')?.[1];
  if (!key || !manifest.default_locale) return value;
  const file = path.join(dir, '_locales', manifest.default_locale, 'messages.json');
  if (!existsSync(file)) return value;
  const messages = JSON.parse(readFileSync(file, 'utf8'));
  const hit = Object.entries(messages).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return hit ? hit[1].message : value;
}

// ---------------------------------------------------------------- launch

/** --host-resolver-rules value: `extra` rules first (they win), then the fixture hosts, then NOTFOUND for the rest. */
export function hostResolverRules(port, extra = []) {
  const mapped = ['*.netflix.com', 'netflix.com', 'example.org', '*.example.org', ...SERVICE_HOSTS.flatMap((h) => [`*.${h}`, h])];
  return [...extra, ...mapped.map((h) => `MAP ${h} 127.0.0.1:${port}`), 'MAP * ~NOTFOUND'].join(',');
}

/**
 * @param {object} opts
 * @param {string[]} [opts.extensions] extension folders to load unpacked
 * @param {object}   [opts.server] from startServer(); maps the fixture hosts to it and trusts its cert
 * @param {string[]} [opts.hostRules] extra resolver rules placed first, e.g. ['MAP dnsfail.netflix.com ~NOTFOUND']
 * @param {boolean}  [opts.headless=true]
 * @param {string[]} [opts.args] extra Chromium switches
 * @param {object}   [opts.contextOptions] extra launchPersistentContext options (viewport, locale, ...)
 * @param {boolean}  [opts.pinned=false] pin the loaded extensions to the toolbar (as a user who
 *   uses a toolbar button does): written into the fresh profile's Preferences
 *   (`extensions.pinned_extensions`) before launch; check with chrome.action.getUserSettings()
 * @param {boolean}  [opts.bfcache=false] keep Chromium's back/forward cache on (playwright-core
 *   turns it off by default), as a user's browser has it
 */
export async function launch({ extensions = [], server, hostRules = [], headless = true, args = [], contextOptions = {}, pinned = false, bfcache = false } = {}) {
  const root = await mkdtemp(path.join(tmpdir(), 'streamfix-e2e-'));
  const home = path.join(root, 'home');
  const profile = path.join(root, 'profile');
  await Promise.all([home, profile].map((d) => mkdir(d, { recursive: true })));

  const exts = extensions.map(describeExtension);
  if (pinned && exts.length) {
    await mkdir(path.join(profile, 'Default'), { recursive: true });
    const prefs = { extensions: { pinned_extensions: exts.map((e) => e.id) } };
    await writeFile(path.join(profile, 'Default', 'Preferences'), JSON.stringify(prefs));
  }
  const extList = exts.map((e) => e.dir).join(',');
  const chromeArgs = [
    ...(exts.length ? [`--disable-extensions-except=${extList}`, `--load-extension=${extList}`] : []),
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--password-store=basic', '--disable-search-engine-choice-screen',
    // Headless Chromium's screen is 800×600 by default, shorter than most users' screens:
    // a toolbar popup there is cut to 510 px and scrolls as a whole. A common laptop screen.
    ...(headless ? ['--screen-info={1920x1080}'] : []),
    ...(server ? [
      `--host-resolver-rules=${hostResolverRules(server.port, hostRules)}`,
      `--ignore-certificate-errors-spki-list=${server.spki}`,
    ] : hostRules.length ? [`--host-resolver-rules=${hostRules.join(',')}`] : []),
    ...args,
  ];

  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless,
      args: chromeArgs,
      ignoreDefaultArgs: [...(exts.length ? ['--disable-extensions'] : []), ...(bfcache ? ['--disable-back-forward-cache'] : [])],
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        XDG_DATA_HOME: path.join(home, '.local/share'),
      },
      ...contextOptions,
    });
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return new BrowserHandle({ context, root, exts, server });
}

// ---------------------------------------------------------------- handle

class BrowserHandle {
  #root;
  #browserSession;
  #pageSessions = new WeakMap();
  #frameSessions = new WeakMap();
  #cdpWorkers = new Map();
  #closed = false;

  constructor({ context, root, exts, server }) {
    this.context = context;
    this.server = server;
    /** [{id, name, dir, manifest}] of the loaded unpacked extensions. */
    this.extensions = exts;
    this.#root = root;
  }

  /** The first tab (a persistent context starts with one), or a new one. */
  async page() {
    return this.context.pages()[0] ?? this.context.newPage();
  }

  newPage() {
    return this.context.newPage();
  }

  // ------------------------------------------------------------ extensions

  /** Extension id for a manifest name (loaded list first, then every running worker's getManifest()). */
  async extensionIdByName(name) {
    const known = this.extensions.find((e) => e.name === name);
    if (known) return known.id;
    for (const worker of this.context.serviceWorkers()) {
      const url = new URL(worker.url());
      if (url.protocol !== 'chrome-extension:') continue;
      const n = await worker.evaluate(() => chrome.runtime.getManifest().name).catch(() => null);
      if (n === name) return url.host;
    }
    throw new Error(`no loaded extension named ${JSON.stringify(name)}`);
  }

  async #resolveExtensionId(which) {
    if (typeof which === 'function') {
      const hit = this.extensions.find(which);
      if (!hit) throw new Error('no loaded extension matches the predicate');
      return hit.id;
    }
    if (/^[a-p]{32}$/.test(which)) return which;
    return this.extensionIdByName(which);
  }

  /**
   * A live handle on an extension's service worker, with `url()` and
   * `evaluate(fn, arg)` (runs in the worker, chrome.* available). `which` is an id,
   * a manifest name or a predicate over {id, name, dir, manifest}.
   *
   * The browser stops idle workers, and after a stop Playwright may keep a stale
   * Worker (its evaluate() hangs) and not pick up the restarted one. So: call this
   * again rather than keeping a handle. It returns Playwright's Worker when that one
   * answers, otherwise a CdpWorker attached to the worker's CDP target, starting a
   * stopped worker with ServiceWorker.startWorker.
   */
  async serviceWorker(which, { timeout = 10_000 } = {}) {
    const id = await this.#resolveExtensionId(which);
    const worker = this.context.serviceWorkers().find((w) => new URL(w.url()).host === id);
    if (worker && (await answers(worker))) return worker;

    const cached = this.#cdpWorkers.get(id);
    if (cached && !cached.session.detached && (await answers(cached))) return cached;

    const target = await this.#serviceWorkerTarget(id, timeout);
    const cdpWorker = new CdpWorker(await this.attachToTarget(target));
    if (!(await answers(cdpWorker, timeout))) throw new Error(`service worker of extension ${id} does not answer`);
    this.#cdpWorkers.set(id, cdpWorker);
    return cdpWorker;
  }

  /** Stops every service worker (extensions' and sites'), e.g. to test state surviving a restart. */
  async stopServiceWorkers(onlyId) {
    const session = await this.#pageSession(await this.page());
    await session.send('ServiceWorker.enable');
    await sleep(300); // let the domain learn the registrations
    await session.send('ServiceWorker.stopAllWorkers');
    // Other extensions' workers may wake again at once; wait for the one that matters.
    const prefix = onlyId ? `chrome-extension://${onlyId}/` : '';
    await poll(async () => !(await this.targets()).some((t) => t.type === 'service_worker' && t.url.startsWith(prefix)), {
      timeout: 5000, what: 'service workers to stop',
    });
  }

  /** The running service_worker target of extension `id`, starting the worker if needed. */
  async #serviceWorkerTarget(id, timeout) {
    const prefix = `chrome-extension://${id}/`;
    const find = async () => (await this.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith(prefix));
    const running = await find();
    if (running) return running;
    const ext = this.extensions.find((e) => e.id === id);
    if (ext && !ext.manifest.background?.service_worker) throw new Error(`${ext.name} declares no background service worker`);
    const session = await this.#pageSession(await this.page());
    await session.send('ServiceWorker.enable');
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      await session.send('ServiceWorker.startWorker', { scopeURL: prefix }).catch(() => {});
      const target = await poll(find, { timeout: Math.min(1500, Math.max(0, deadline - Date.now())), what: 'worker' }).catch(() => null);
      if (target) return target;
    }
    throw new Error(`service worker of extension ${id} did not start within ${timeout} ms`);
  }

  // ------------------------------------------------------------ CDP sessions

  async #pageSession(page) {
    if (!this.#pageSessions.has(page)) this.#pageSessions.set(page, this.context.newCDPSession(page));
    return this.#pageSessions.get(page);
  }

  /** Browser-level CDP session (or a page session as a stand-in when context.browser() is null). */
  async browserSession() {
    if (!this.#browserSession) {
      const browser = this.context.browser();
      this.#browserSession = browser ? browser.newBrowserCDPSession() : this.context.newCDPSession(await this.page());
    }
    return this.#browserSession;
  }

  async targets() {
    const session = await this.browserSession();
    return (await session.send('Target.getTargets')).targetInfos;
  }

  /** A raw session (send/on/detach) to any CDP target Playwright doesn't expose. */
  async attachToTarget(targetInfo) {
    return TargetSession.attach(await this.browserSession(), targetInfo);
  }

  // ------------------------------------------------------------ popup

  /**
   * Opens the extension's toolbar popup for `page` (default: first tab) via
   * chrome.action.openPopup() in its service worker, and returns a PopupHandle.
   */
  async openPopup(extId, { page, timeout = 5000 } = {}) {
    const id = await this.#resolveExtensionId(extId);
    const tab = page ?? (await this.page());
    await tab.bringToFront();
    const before = new Set((await this.targets()).map((t) => t.targetId));
    const worker = await this.serviceWorker(id);
    const err = await worker.evaluate(() => chrome.action.openPopup().then(() => null, (e) => String(e?.message ?? e)));
    if (err) throw new Error(`chrome.action.openPopup() failed: ${err}`);
    const prefix = `chrome-extension://${id}/`;
    const info = await poll(
      async () => (await this.targets()).find((t) => t.type === 'page' && t.url.startsWith(prefix) && !before.has(t.targetId)),
      { timeout, what: `popup target of ${id}` },
    );
    const popup = new PopupHandle(await this.attachToTarget(info));
    await popup.waitFor('document.readyState === "complete"', { timeout });
    return popup;
  }

  // ------------------------------------------------------------ pierced DOM

  /**
   * querySelectorAll through closed shadow roots and all iframes of `page`,
   * including out-of-process ones (chrome-extension:// frames). Returns
   * [PiercedElement] in document order per frame, main frame first.
   */
  async pierceQuery(page, selector) {
    const sessions = [{ session: await this.#pageSession(page), frame: page.mainFrame(), frameId: null }];
    for (const frame of page.frames()) {
      if (frame !== page.mainFrame()) {
        const oopif = await this.#frameSession(frame);
        if (oopif) sessions.push({ frame, ...oopif });
      }
    }
    for (const s of sessions) {
      Object.assign(s, await pierceQuerySession(s.session, selector).catch(() => ({ matches: [], remoteOwners: new Map() })));
    }
    return sessions.flatMap((s) => s.matches.map((m) => new PiercedElement({ page, ...m, ...s, sessions })));
  }

  /**
   * {session, frameId} for an out-of-process frame, null for an in-process one (whose
   * DOM is already in its parent's pierced tree). Sessions are cached per Frame and
   * re-created when stale (a frame can swap process when it navigates).
   */
  async #frameSession(frame) {
    const cached = this.#frameSessions.get(frame);
    if (cached) {
      const tree = await cached.session.send('Page.getFrameTree').catch(() => null);
      if (tree?.frameTree.frame.id === cached.frameId) return cached;
      this.#frameSessions.delete(frame);
      cached.session.detach().catch(() => {});
    }
    let session;
    try {
      session = await this.context.newCDPSession(frame); // throws for in-process frames
    } catch {
      return null;
    }
    const tree = await session.send('Page.getFrameTree').catch(() => null);
    if (!tree) return null;
    const entry = { session, frameId: tree.frameTree.frame.id };
    this.#frameSessions.set(frame, entry);
    return entry;
  }

  /** Polls pierceQuery until at least one match (or `predicate(elements)` holds). */
  async waitForPierced(page, selector, { timeout = 10_000, predicate = (els) => els.length > 0 } = {}) {
    let last = [];
    await poll(async () => predicate((last = await this.pierceQuery(page, selector))), {
      timeout, what: `pierced selector ${selector}`,
    });
    return last;
  }

  /** Trusted click (page.mouse) on the centre of the `index`-th pierced match, waiting for it to appear. */
  async clickPierced(page, selector, { index = 0, timeout = 10_000 } = {}) {
    const els = await this.waitForPierced(page, selector, { timeout, predicate: (e) => e.length > index });
    await els[index].click();
    return els[index];
  }

  // ------------------------------------------------------------ teardown

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.context.close().catch(() => {});
    await rm(this.#root, { recursive: true, force: true, maxRetries: 3 });
  }
}

// ---------------------------------------------------------------- pierced element

class PiercedElement {
  #page;
  #session;
  #frameId;
  #sessions;

  constructor({ page, session, frame, frameId, sessions, nodeId, backendNodeId, nodeName, attributes }) {
    this.#page = page;
    this.#session = session;
    this.#frameId = frameId;
    this.#sessions = sessions;
    this.frame = frame;
    this.nodeId = nodeId;
    this.backendNodeId = backendNodeId;
    this.nodeName = nodeName;
    /** Attribute snapshot at query time. */
    this.attributes = attributes;
  }

  /** Offset of this element's frame viewport inside the page (sum of owner iframe content boxes). */
  async #frameOffset(frameId = this.#frameId) {
    if (!frameId) return { x: 0, y: 0 };
    const parent = this.#sessions.find((s) => s.remoteOwners?.has(frameId));
    if (!parent) throw new Error(`owner iframe of frame ${frameId} not found`);
    const owner = await contentBox(parent.session, parent.remoteOwners.get(frameId).backendNodeId);
    const up = await this.#frameOffset(parent.frameId);
    return { x: owner.x + up.x, y: owner.y + up.y };
  }

  /** Content box in page (main-frame viewport) coordinates: {x, y, width, height, centerX, centerY}. */
  async box() {
    await this.#session.send('DOM.scrollIntoViewIfNeeded', { backendNodeId: this.backendNodeId }).catch(() => {});
    const b = await contentBox(this.#session, this.backendNodeId);
    const o = await this.#frameOffset();
    return { ...b, x: b.x + o.x, y: b.y + o.y, centerX: b.centerX + o.x, centerY: b.centerY + o.y };
  }

  /** Trusted click through page.mouse at the element's centre. */
  async click() {
    const { centerX, centerY } = await this.box();
    await this.#page.mouse.click(centerX, centerY);
  }

  async outerHTML() {
    return (await this.#session.send('DOM.getOuterHTML', { backendNodeId: this.backendNodeId })).outerHTML;
  }

  /** Runs `fn` (a function or its source) with `this` = the element, in its own frame; returns the value. */
  async evaluate(fn, ...args) {
    const { object } = await this.#session.send('DOM.resolveNode', { backendNodeId: this.backendNodeId });
    const { result, exceptionDetails } = await this.#session.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration: String(fn),
      arguments: args.map((value) => ({ value })),
      returnByValue: true,
      awaitPromise: true,
    });
    await this.#session.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => {});
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  }

  text() {
    return this.evaluate('function () { return this.textContent; }');
  }

  /** Current attribute value (not the snapshot). */
  attribute(name) {
    return this.evaluate('function (n) { return this.getAttribute(n); }', name);
  }
}

// ---------------------------------------------------------------- popup

/** The toolbar popup, reached through a browser-level CDP session. */
class PopupHandle {
  constructor(session) {
    this.session = session;
    this.url = session.targetInfo.url;
    this.targetId = session.targetInfo.targetId;
  }

  get closed() {
    return this.session.detached;
  }

  /** Evaluates an expression string, or a function (called with no arguments), in the popup. */
  evaluate(expr) {
    return evaluateIn(this.session, typeof expr === 'function' ? `(${expr})()` : expr);
  }

  /** Polls `expr` until truthy; returns its value. */
  waitFor(expr, { timeout = 5000 } = {}) {
    return poll(() => this.evaluate(expr), { timeout, what: `popup: ${expr}` });
  }

  /** Pierced querySelectorAll inside the popup: [{nodeId, backendNodeId, nodeName, attributes}]. */
  async query(selector) {
    return (await pierceQuerySession(this.session, selector)).matches;
  }

  /** Trusted click (Input.dispatchMouseEvent) on the centre of the first match. */
  async click(selector, { timeout = 5000 } = {}) {
    // The popup re-renders when the core's view changes: a node found may be replaced
    // before its box is read. Then the new one is found and clicked.
    const [el, box] = await poll(async () => {
      const [found] = await this.query(selector);
      if (!found) return null;
      await this.session.send('DOM.scrollIntoViewIfNeeded', { backendNodeId: found.backendNodeId }).catch(() => {});
      const at = await contentBox(this.session, found.backendNodeId).catch(() => null);
      return at && [found, at];
    }, { timeout, what: `popup: ${selector}` });
    await dispatchClick(this.session, box.centerX, box.centerY);
    return el;
  }

  /** PNG screenshot (Page.captureScreenshot) written to `file`; returns the Buffer. */
  async screenshot(file) {
    const { data } = await this.session.send('Page.captureScreenshot', { format: 'png' });
    const png = Buffer.from(data, 'base64');
    if (file) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, png);
    }
    return png;
  }

  /** Closes the popup window. */
  async close() {
    if (this.closed) return;
    await this.evaluate('window.close()').catch(() => {});
    await this.session.detach();
  }
}

// ---------------------------------------------------------------- worker over CDP

/** Service-worker handle over a raw CDP session, shaped like Playwright's Worker for evaluate(). */
class CdpWorker {
  constructor(session) {
    this.session = session;
  }

  url() {
    return this.session.targetInfo.url;
  }

  /** Like Worker.evaluate: `fn` (function or expression string) and one JSON-serialisable `arg`. */
  evaluate(fn, arg) {
    const expression = typeof fn === 'function' ? `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})` : fn;
    return evaluateIn(this.session, expression);
  }
}
