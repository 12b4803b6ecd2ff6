// Self-test of the e2e harness, using only the fixture extensions (not StreamFix).
//   node tests/e2e/harness.selftest.mjs [--grep substring]

import assert from 'node:assert/strict';
import path from 'node:path';
import { check, cleanup, run } from './lib/runner.mjs';
import { STRICT_CSP, startServer, statusRoute, throttledRoute } from './lib/server.mjs';
import { ARTIFACTS_DIR, fixtureExtension, launch } from './lib/browser.mjs';

const server = await startServer();
cleanup(() => server.close());

// One browser with the harmless fixtures, shared by most checks.
let shared;
async function sharedBrowser() {
  shared ??= launch({
    extensions: ['page-modifier', 'unrelated', 'harness-probe', 'fake-adblocker'].map(fixtureExtension),
    server,
    hostRules: ['MAP dnsfail.netflix.com ~NOTFOUND'],
  });
  return shared;
}
cleanup(async () => shared && (await shared).close());

async function freshPage(t) {
  const page = await (await sharedBrowser()).newPage();
  t.defer(() => page.close());
  return page;
}

// ---------------------------------------------------------------- server

check('server: real host name over HTTPS with the strict CSP', async (t) => {
  const page = await freshPage(t);
  const res = await page.goto('https://www.netflix.com/');
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-security-policy'], STRICT_CSP);
  assert.equal(await page.textContent('.billboard-title'), 'Blade Runner 2049');
  await page.waitForFunction(() => document.documentElement.dataset.fixtureReady === '1'); // external JS ran under CSP
  const inline = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'document.documentElement.dataset.inlineRan = "1"';
    document.head.append(s);
    return document.documentElement.dataset.inlineRan ?? null;
  });
  assert.equal(inline, null, 'inline script must be blocked by the CSP');
});

check('server: /foo → foo.html, sidecar status, parent-domain fallback, 404', async (t) => {
  const page = await freshPage(t);
  const err = await page.goto('https://www.netflix.com/nsez-503');
  assert.equal(err.status(), 200);
  assert.equal(await page.textContent('.error-code'), 'NSEZ-503');
  const unavailable = await page.goto('https://www.netflix.com/service-unavailable');
  assert.equal(unavailable.status(), 503);
  assert.equal(unavailable.headers()['retry-after'], '5');
  const fallback = await page.goto('https://assets.netflix.com/');
  assert.equal(fallback.status(), 200);
  assert.match(await page.title(), /^Netflix/);
  const missing = await page.goto('https://www.netflix.com/no-such-page');
  assert.equal(missing.status(), 404);
});

check('server: setRoute overrides a fixture until reset()', async (t) => {
  const page = await freshPage(t);
  server.setRoute('www.netflix.com', '/', statusRoute(503, 'down', { 'retry-after': '3' }));
  t.defer(() => server.reset());
  assert.equal((await page.goto('https://www.netflix.com/')).status(), 503);
  server.reset();
  assert.equal((await page.goto('https://www.netflix.com/')).status(), 200);
});

check('server: throttled route holds the requested rate', async (t) => {
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/');
  server.setRoute('www.netflix.com', '/speed/*', throttledRoute({ size: 200_000, bytesPerSec: 400_000 }));
  t.defer(() => server.reset());
  const { bytes, ms } = await page.evaluate(async () => {
    const t0 = performance.now();
    const buf = await (await fetch('/speed/sample.bin')).arrayBuffer();
    return { bytes: buf.byteLength, ms: performance.now() - t0 };
  });
  assert.equal(bytes, 200_000);
  assert.ok(ms > 350 && ms < 2000, `200 kB at 400 kB/s took ${Math.round(ms)} ms`);
});

check('HTTP cache: a max-age resource is fetched once across two loads', async (t) => {
  const page = await freshPage(t);
  const before = server.requestCount('example.org', '/cached.js');
  for (let i = 0; i < 2; i++) {
    await page.goto('https://example.org/');
    await page.waitForFunction(() => document.documentElement.dataset.storageReady === '1' || document.documentElement.dataset.storageError);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.storageError ?? null), null);
    assert.equal(await page.evaluate(() => window.fixtureCachedScript), 1);
  }
  assert.equal(server.requestCount('example.org', '/cached.js') - before, 1, 'second load must come from the HTTP cache');
});

// ---------------------------------------------------------------- extensions

check('page-modifier content script runs under the strict CSP', async (t) => {
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/');
  assert.equal(await page.getAttribute('html', 'data-fake-dark-mode'), 'on');
});

check('unrelated extension: service worker reachable, manifest name right', async () => {
  const b = await sharedBrowser();
  const id = await b.extensionIdByName('Unrelated Notes');
  assert.match(id, /^[a-p]{32}$/);
  const sw = await b.serviceWorker('Unrelated Notes');
  assert.equal(new URL(sw.url()).host, id);
  assert.equal(await sw.evaluate(() => chrome.runtime.getManifest().name), 'Unrelated Notes');
  const installedAt = await sw.evaluate(() => chrome.storage.local.get('installedAt').then((r) => r.installedAt));
  assert.equal(typeof installedAt, 'number');
});

check('serviceWorker() is re-acquirable after the browser stops the worker', async () => {
  const b = await sharedBrowser();
  const before = await b.serviceWorker('Unrelated Notes');
  await before.evaluate(() => chrome.storage.session.set({ marker: 42 }));
  await b.stopServiceWorkers();
  const sw = await b.serviceWorker('Unrelated Notes');
  assert.equal(await sw.evaluate(() => chrome.runtime.getManifest().name), 'Unrelated Notes');
  assert.equal(await sw.evaluate(() => chrome.storage.session.get('marker').then((r) => r.marker)), 42);
  assert.equal(await sw.evaluate((n) => n + 1, 1), 2);
  assert.equal(await (await b.serviceWorker('Unrelated Notes')).evaluate(() => 'again'), 'again');
});

check('fake-adblocker blocks the request needs-api.html depends on', async (t) => {
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/needs-api');
  await page.waitForFunction(() => document.documentElement.dataset.api);
  assert.equal(await page.getAttribute('html', 'data-api'), 'failed');
  assert.equal(await page.textContent('.error-code'), 'NSES-UHX');
  assert.equal(server.requestCount('www.netflix.com', '/api/needed/config.json'), 0);
});

check('host rule MAP dnsfail.netflix.com ~NOTFOUND gives a DNS error', async (t) => {
  const page = await freshPage(t);
  await assert.rejects(page.goto('https://dnsfail.netflix.com/'), /ERR_NAME_NOT_RESOLVED/);
});

check('fake-vpn proxy makes navigation fail with a proxy error', async (t) => {
  const b = await launch({ extensions: [fixtureExtension('unrelated'), fixtureExtension('fake-vpn')], server });
  t.defer(() => b.close());
  const sw = await b.serviceWorker('Fake VPN Proxy');
  const setting = await sw.evaluate(() => new Promise((r) => chrome.proxy.settings.get({}, r)));
  assert.equal(setting.value.mode, 'fixed_servers');
  const page = await b.page();
  await assert.rejects(page.goto('https://www.netflix.com/'), /ERR_PROXY_CONNECTION_FAILED|ERR_TUNNEL_CONNECTION_FAILED/);
});

// ---------------------------------------------------------------- pierce + popup

check('pierceQuery/clickPierced reach closed shadow roots and extension iframes', async (t) => {
  const b = await sharedBrowser();
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/?probe=1');
  assert.equal(await page.evaluate(() => document.querySelector('harness-probe-panel')?.shadowRoot ?? null), null, 'shadow root is closed');
  assert.ok(page.frames().some((f) => f.url().startsWith('chrome-extension://')), 'extension iframe listed in page.frames()');

  const [host] = await b.waitForPierced(page, 'harness-probe-panel');
  assert.equal(host.attributes['data-code'], 'PROBE-1');
  const [text] = await b.waitForPierced(page, '[data-probe="panel-text"]');
  assert.equal(await text.text(), 'Probe panel text');

  await b.clickPierced(page, '[data-probe="shadow-button"]');
  await b.clickPierced(page, '[data-action="ping"]');
  const clicked = await b.waitForPierced(page, '[data-clicked]', { predicate: (els) => els.length === 2 });
  assert.deepEqual(clicked.map((e) => e.attributes['data-clicked']), ['true', 'true'], 'trusted clicks');
});

check('openPopup: evaluate, trusted click, screenshot', async (t) => {
  const b = await sharedBrowser();
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/');
  const popup = await b.openPopup('Harness Probe', { page });
  t.defer(() => popup.close());
  assert.equal(await popup.evaluate('document.body.dataset.state'), 'ok');
  assert.equal(await popup.evaluate('document.body.dataset.code'), '');
  const tabUrl = await popup.waitFor(() => document.querySelector('[data-probe="popup-tab"]').textContent);
  assert.equal(tabUrl, 'https://www.netflix.com/', 'popup sees the page as active tab');
  await popup.click('[data-action="ping"]');
  assert.equal(await popup.waitFor(() => document.querySelector('[data-action="ping"]').dataset.clicked), 'true');
  const png = await popup.screenshot(path.join(ARTIFACTS_DIR, 'selftest-popup.png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
});

// ---------------------------------------------------------------- page fixtures

check('watch-late-error shows the overlay later without reloading', async (t) => {
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/watch-late-error?delay=400&code=NSEZ-403');
  const navigations = [];
  page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
  assert.equal(await page.$('.watch-video--error'), null);
  await page.waitForSelector('.watch-video--player-view .watch-video--error .error-code', { timeout: 5000 });
  assert.equal(await page.textContent('.error-code'), 'NSEZ-403');
  assert.deepEqual(navigations, []);
});

check('hostile page reports no panel when none appears', async (t) => {
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/hostile?wait=300');
  await page.waitForFunction(() => document.body.dataset.hostileDone === '1');
  assert.deepEqual(JSON.parse(await page.getAttribute('body', 'data-leak')), { panel: false });
});

check('hostile page can read a closed shadow root through window.find', async (t) => {
  // Guards against the hostile fixture passing vacuously: a naive panel must leak.
  const page = await freshPage(t);
  await page.goto('https://www.netflix.com/hostile?wait=3000');
  await page.evaluate(() => {
    const host = document.createElement('streamfix-panel');
    host.attachShadow({ mode: 'closed' }).innerHTML = '<p>Suspect: Fake VPN Proxy</p><button>Retry</button>';
    document.body.append(host);
  });
  await page.waitForFunction(() => document.body.dataset.hostileDone === '1');
  const leak = JSON.parse(await page.getAttribute('body', 'data-leak'));
  assert.equal(leak.shadowRoot, false);
  assert.deepEqual(Object.keys(leak.found).sort(), ['Fake VPN Proxy', 'Retry']);
  assert.equal(leak.found['Fake VPN Proxy'][0].where, 'shadow');
});

check('error fixtures carry their codes; negatives carry none in an error container', async (t) => {
  const page = await freshPage(t);
  const expected = {
    'nsez-503': 'NSEZ-503', 'nsez-403': 'NSEZ-403', 'nw-6-403': 'NW-6-403', m7111: 'M7111-1331-5059',
    'nses-uhx': 'NSES-UHX', 'unknown-code': 'ABCD-1234', 'localized-es': 'NSEZ-403', pardon: null,
  };
  for (const [file, code] of Object.entries(expected)) {
    await page.goto(`https://www.netflix.com/${file}`);
    assert.ok(await page.$('.error-page'), `${file}: error container`);
    assert.equal(await page.$eval('.error-code', (e) => e.textContent).catch(() => null), code, file);
  }
  for (const url of ['https://www.netflix.com/article-like', 'https://help.netflix.com/', 'https://www.netflix.com/churn?duration=300']) {
    await page.goto(url);
    assert.equal(await page.$('.error-page, .nf-error, .watch-video--error'), null, url);
  }
  assert.match(await page.textContent('.subtitles'), /\S/, 'churn page is mutating');
});

await run();
