// Real Firefox ESR (Debian /usr/bin/firefox-esr), headless, driven by puppeteer-core over
// WebDriver BiDi, with unpacked add-ons installed as temporary add-ons
// (webExtension.install), and the fixture sites of tests/fixtures/sites/ reached under
// their real host names: every name resolves to 127.0.0.1 (pref network.dns.forceResolve)
// and 127.0.0.1:443 forwards to the Chromium suite's fixture server (tests/e2e/lib/server.mjs,
// which listens on a random port). Its throwaway certificate is accepted through BiDi's
// acceptInsecureCerts (a certificate override: service workers, Cache Storage and the
// HTTP cache still work, checked).
import puppeteer from 'puppeteer-core';
import { FirefoxLauncher } from 'puppeteer-core/internal/node/FirefoxLauncher.js';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../e2e/lib/server.mjs';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The add-on under test: dist/test/firefox (optional permissions required, see
 * tools/assemble.mjs), or STREAMFIX_FIREFOX_DIST (e.g. a patched copy). */
export const DIST_FIREFOX = path.resolve(process.env.STREAMFIX_FIREFOX_DIST ?? path.join(ROOT, 'dist/test/firefox'));
export const FIXTURE_EXTENSIONS = path.join(ROOT, 'tests/fixtures/extensions');
export const FIREFOX_FIXTURE_EXTENSIONS = fileURLToPath(new URL('../fixtures/extensions/', import.meta.url));
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const HTTPS_PORT = 443;

import { sleep, until } from '../../e2e/lib/runner.mjs';

export { sleep, until };

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEq(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/**
 * Polls `fn(arg)` inside `target` (a Page or Frame) until it returns something truthy.
 * Not puppeteer's waitForFunction/waitForSelector: those build the predicate with
 * `new Function` inside the page, which Firefox 140's BiDi leaves subject to the page's
 * CSP (the Netflix fixtures send a strict one: "call to Function() blocked by CSP").
 * `evaluate` passes the function as a BiDi functionDeclaration, which CSP does not block.
 */
export function waitIn(target, fn, arg, { timeout = 10_000, interval = 100, what = 'a condition in the page' } = {}) {
  return until(async () => (await withTimeout(target.evaluate(fn, arg), 5000, what)) || null, { timeout, interval, what });
}

/** Rejects after `ms` (so a hung BiDi call can't hold a check past its budget). */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The gecko id of an unpacked add-on, or null (Firefox then makes a `…@temporary-addon` one). */
export function geckoId(dir) {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return m.browser_specific_settings?.gecko?.id ?? m.applications?.gecko?.id ?? null;
}

// ---------------------------------------------------------------- fixture server on :443

/**
 * The shared fixture server plus a TCP forwarder 127.0.0.1:443 → server.port, so
 * `https://www.netflix.com/` reaches it (the server itself belongs to the Chromium suite
 * and listens on a random port). Port 443 needs root (or CAP_NET_BIND_SERVICE).
 */
export async function startFixtures() {
  const server = await startServer();
  const sockets = new Set();
  const forwarder = net.createServer((client) => {
    const upstream = net.connect(server.port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  try {
    await new Promise((resolve, reject) => {
      forwarder.once('error', reject);
      forwarder.listen(HTTPS_PORT, '127.0.0.1', resolve);
    });
  } catch (err) {
    await server.close();
    throw new Error(`cannot listen on 127.0.0.1:${HTTPS_PORT} (${err.code ?? err.message}): the Firefox suite needs port 443 for the real URLs (run as root, and nothing else on 443)`);
  }
  return {
    server,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => forwarder.close(() => resolve()));
      await server.close();
    },
  };
}

// ---------------------------------------------------------------- Firefox

// puppeteer-core forces `fission.webContentIsolationStrategy: 0` (no site isolation, for
// its mouse events). Then a moz-extension iframe inside a web page loads in the page's
// process and gets the content-script API set (no `tabs`, no `storage.session`), unlike
// for users, whose Firefox loads it in the extension process with the full extension-page
// API. Keep Firefox's default instead (clicks into the out-of-process frame work over BiDi).
const puppeteerPrefs = FirefoxLauncher.getPreferences;
FirefoxLauncher.getPreferences = (extra) => {
  const prefs = puppeteerPrefs.call(FirefoxLauncher, extra);
  if (!process.env.E2E_FIREFOX_PUPPETEER_FISSION) delete prefs['fission.webContentIsolationStrategy'];
  return prefs;
};

const BASE_PREFS = {
  // Every host name → 127.0.0.1 (the forwarder on :443). No DoH, no HTTP/3, no prefetch.
  'network.dns.forceResolve': '127.0.0.1',
  'network.trr.mode': 5,
  'network.http.http3.enable': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.ping-centre.telemetry': false,
  'media.autoplay.default': 0,
};

const open = new Set();

/** Closes every browser `launch` opened and not yet closed (for a final cleanup). */
export async function closeAll() {
  for (const b of [...open]) await b.close();
}

/**
 * Launches Firefox with a fresh profile, HOME and XDG dirs in a temp folder, and installs
 * `extensions` (unpacked dirs) as temporary add-ons. Add-ons with a gecko id get a
 * moz-extension UUID chosen here (pref extensions.webextensions.uuids), so their pages'
 * URLs are known before install.
 */
export async function launch({ extensions = [DIST_FIREFOX], prefs = {}, timeout = 30_000 } = {}) {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: apt-get install -y firefox-esr (or FIREFOX=/path)`);
  for (const dir of extensions) {
    if (!existsSync(path.join(dir, 'manifest.json'))) throw new Error(`${dir} has no manifest.json (dist/firefox: run ./build.sh first)`);
  }
  const home = mkdtempSync(path.join(tmpdir(), 'streamfix-ff-'));
  const uuids = {};
  for (const dir of extensions) {
    const id = geckoId(dir);
    if (id) uuids[id] = randomUUID();
  }
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_RUNTIME_DIR: home,
    MOZ_CRASHREPORTER_DISABLE: '1',
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  let browser;
  try {
    browser = await withTimeout(
      puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX,
        headless: true,
        acceptInsecureCerts: true,
        userDataDir: path.join(home, 'profile'),
        // Lets BiDi navigate a tab to a moz-extension:// page (otherwise refused as unsafe).
        args: ['--remote-allow-system-access'],
        env,
        extraPrefsFirefox: { ...BASE_PREFS, 'extensions.webextensions.uuids': JSON.stringify(uuids), ...prefs },
        protocolTimeout: 20_000,
        timeout,
        dumpio: !!process.env.E2E_DUMPIO,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }),
      timeout + 5000,
      'Firefox launch',
    );
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  const installed = [];
  const b = {
    browser,
    home,
    uuids,
    installed,
    /** moz-extension://<uuid>/<p> of an add-on with a gecko id. */
    extensionUrl(id, p = '') {
      const uuid = uuids[id];
      if (!uuid) throw new Error(`no UUID for ${id}`);
      return `moz-extension://${uuid}/${p}`;
    },
    /** A new tab at a web URL. */
    async newPage(url) {
      const page = await browser.newPage();
      if (url) await page.goto(url, { timeout: 15_000 });
      return page;
    },
    /**
     * A new tab showing one of our extension pages. Firefox's BiDi sends no load events
     * for documents in the extension process, so navigate without waiting and poll.
     */
    async openExtensionPage(url, { page } = {}) {
      page ??= await browser.newPage();
      await browser.connection.send('browsingContext.navigate', { context: page.mainFrame()._id, url, wait: 'none' });
      await until(
        () => page.evaluate(() => (document.readyState === 'complete' ? location.href : null)).then((href) => href === url || null),
        { what: `${url} to load`, timeout: 10_000 },
      );
      return page;
    },
    /** The frame of `page` whose document URL starts with `prefix` (puppeteer's frame.url()
     * stays about:blank for extension-process frames, so ask each frame). */
    async frameByUrl(page, prefix, { timeout = 8000 } = {}) {
      return until(async () => {
        for (const f of page.frames()) {
          const href = await withTimeout(f.evaluate(() => location.href), 2000, 'frame href').catch(() => '');
          if (href.startsWith(prefix)) return f;
        }
        return null;
      }, { timeout, what: `a frame at ${prefix}` });
    },
    async install(dir) {
      const id = await withTimeout(browser.installExtension(dir), 20_000, `installing ${dir}`);
      installed.push({ id, dir });
      return id;
    },
    async close() {
      if (!open.delete(b)) return;
      try {
        await withTimeout(browser.close(), 10_000, 'Firefox close');
      } catch {
        browser.process()?.kill('SIGKILL');
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
  open.add(b);
  try {
    for (const dir of extensions) await b.install(dir);
  } catch (err) {
    await b.close();
    throw err;
  }
  return b;
}
