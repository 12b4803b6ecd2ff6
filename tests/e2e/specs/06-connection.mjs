// The connection check against the local server: fast, slow (below 5 and between 5 and
// 15 Mbps), a service answering 503, a host that can't be resolved, and offline.
import { check } from '../lib/runner.mjs';
import { startServer, statusRoute, throttledRoute } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { sharedEnv, BASE, DIST_CHROME, artifact, assert, assertEq, streamfix, surfaceState, sw, until, openPanel } from '../lib/streamfix.mjs';

const env = sharedEnv();

const ok = (req, res) => { res.writeHead(200, { 'content-type': 'image/x-icon', 'cache-control': 'no-store' }); res.end(Buffer.alloc(512)); };

function routes(server, { favicon = ok, download }) {
  server.setRoute('www.netflix.com', '/favicon.ico', favicon);
  server.setRoute('help.netflix.com', '/favicon.ico', favicon);
  server.setRoute('www.netflix.com', '/browse', download);
}

/** Runs the check from the panel on an NSEZ-503 page; returns the result's hooks. */
async function runCheck(b, { progress = false } = {}) {
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/nsez-503');
    await frame.click('[data-action="run-connection-check"]');
    if (progress) {
      // While it measures, the panel says so and the button can't start a second one.
      await frame.waitForSelector('[data-measuring]', { timeout: 5000 });
      assert(await frame.$eval('[data-action="run-connection-check"]', (x) => x.disabled), 'the check button while measuring');
    }
    const el = await frame.waitForSelector('[data-verdict]', { timeout: 25_000 });
    const lines = await frame.$$eval('.connection .how li', (li) => li.map((x) => x.textContent));
    // With a result on screen, the button offers to check again.
    assertEq(await frame.$eval('[data-action="run-connection-check"]', (x) => x.textContent), 'Check again', 'the check button after a result');
    return { verdict: await el.getAttribute('data-verdict'), mbps: await el.getAttribute('data-mbps'), lines };
  } finally {
    await page.close();
  }
}

check('connection check: a fast service is good for 4K', async () => {
  const { b, server } = await env();
  routes(server, { download: throttledRoute({ size: 4 << 20, bytesPerSec: 400 << 20, tickMs: 10 }) });
  const r = await runCheck(b);
  assertEq(r.verdict, '4k', 'verdict');
  assert(Number(r.mbps) >= 15, `mbps ${r.mbps}`);
}, { timeout: 45_000 });

check('connection check: about 10 Mbps is HD, not 4K', async () => {
  const { b, server } = await env();
  routes(server, { download: throttledRoute({ size: 1_250_000, bytesPerSec: 1_250_000 }) });
  const r = await runCheck(b);
  assertEq(r.verdict, 'hd', 'verdict');
  assert(Number(r.mbps) >= 5 && Number(r.mbps) < 15, `mbps ${r.mbps}`);
  // The figure and its unit stay on one line (a no-break space between them).
  const figure = r.lines.join(' ').match(/(\d+(?:\.\d+)?)(\s)Mbps/);
  assert(figure && figure[1] === r.mbps && figure[2] === '\u00a0', `speed line: ${JSON.stringify(r.lines)}`);
}, { timeout: 45_000 });

check('connection check: about 2 Mbps is below HD', async () => {
  const { b, server } = await env();
  routes(server, { download: throttledRoute({ size: 500_000, bytesPerSec: 250_000 }) });
  const r = await runCheck(b, { progress: true });
  assertEq(r.verdict, 'sd', 'verdict');
  assert(Number(r.mbps) < 5 && Number(r.mbps) >= 1.5, `mbps ${r.mbps}`);
}, { timeout: 45_000 });

check('connection check: a compressed page is not taken for a speed (its decoded size would read many times too fast)', async () => {
  const { b, server } = await env();
  const { gzipSync } = await import('node:zlib');
  // 1.5 MB of page that travels as a few KB, without a Content-Length (as pages come).
  const body = gzipSync(Buffer.from('<p>Sign in to watch</p>\n'.repeat(64_000)));
  routes(server, {
    download: (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'cache-control': 'no-store' });
      res.end(body);
    },
  });
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/nsez-503');
    await frame.click('[data-action="run-connection-check"]');
    await frame.waitForSelector('[data-verdict]', { timeout: 25_000 });
    const worker = await sw(b);
    const stored = await worker.evaluate(() => chrome.storage.session.get(null));
    const result = Object.values(stored).find((t) => t?.connection)?.connection;
    assert(result, 'a stored connection result');
    assert(result.basis !== 'download', `the decoded size was taken for a speed: ${JSON.stringify(result)}`);
  } finally {
    await page.close();
  }
}, { timeout: 45_000 });

check('connection check: the service answering 503 is a service error, not the network', async () => {
  const { b, server } = await env();
  routes(server, { favicon: statusRoute(503, 'busy', { 'cache-control': 'no-store' }), download: statusRoute(503, 'busy') });
  const r = await runCheck(b);
  assertEq(r.verdict, 'service-error', 'verdict');
}, { timeout: 45_000 });

check('connection check: a service that can\'t be resolved is unreachable', async () => {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server, hostRules: ['MAP www.netflix.com ~NOTFOUND', 'MAP help.netflix.com ~NOTFOUND'] });
  try {
    const page = await b.page();
    await page.goto(`${BASE}/`).catch(() => {});
    const popup = await b.openPopup(streamfix(b).id, { page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' && s.code === 'DNS' });
    await until(() => popup.click('[data-action="run-connection-check"]').then(() => true), { what: 'the check button' });
    await popup.waitFor('document.querySelector("[data-verdict]")', { timeout: 25_000 });
    const verdict = await popup.evaluate(() => document.querySelector('[data-verdict]').dataset.verdict);
    assertEq(verdict, 'unreachable', 'verdict');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 45_000 });

// Offline: the worker's network is cut with DevTools' network emulation (what a pulled
// cable looks like to it: every request fails with ERR_INTERNET_DISCONNECTED).
check('connection check: with the network gone, the verdict is offline', async () => {
  const { b, server } = await env();
  routes(server, { download: throttledRoute({ size: 1_250_000, bytesPerSec: 1_250_000 }) });
  const page = await b.newPage();
  let cut = null;
  try {
    const frame = await openPanel(b, page, '/nsez-503');
    await frame.waitForSelector('[data-action="run-connection-check"]');
    await b.serviceWorker(streamfix(b).id);
    const target = (await b.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${streamfix(b).id}/`));
    cut = await b.attachToTarget(target);
    await cut.send('Network.enable');
    await cut.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await frame.click('[data-action="run-connection-check"]');
    const el = await frame.waitForSelector('[data-verdict]', { timeout: 25_000 });
    assertEq(await el.getAttribute('data-verdict'), 'offline', 'verdict');
    assertEq(await el.getAttribute('data-mbps'), '', 'no speed figure');
  } finally {
    await cut?.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }).catch(() => {});
    await page.close();
  }
}, { timeout: 45_000 });

// Buffering or a blurry picture with no error on screen: the popup's check measures the
// line and, below what HD needs, the network steps follow (the state stays "ok").
check('connection check with no error: a line too slow for HD leads to the network steps', async () => {
  const { b, server } = await env();
  routes(server, { download: throttledRoute({ size: 500_000, bytesPerSec: 250_000 }) });
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/`);
    await page.bringToFront();
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'ok' });
      assertEq(await popup.evaluate(() => document.querySelectorAll('li[data-step]').length), 0, 'no steps before the check');
      await popup.click('.more [data-action="run-connection-check"]');
      await popup.waitFor('document.querySelector("[data-verdict]") !== null', { timeout: 25_000 });
      assertEq(await popup.evaluate(() => document.querySelector('[data-verdict]').dataset.verdict), 'sd', 'verdict');
      await popup.waitFor('document.querySelectorAll(".slow li[data-step]").length > 0', { timeout: 5000 });
      const steps = await popup.evaluate(() => [...document.querySelectorAll('.slow li[data-step]')].map((x) => x.dataset.step));
      assertEq(steps, ['restart-network', 'disable-vpn', 'data-cap', 'contact-isp'], 'the network steps');
      assertEq(await popup.evaluate(() => document.body.dataset.state), 'ok', 'no error is claimed');
      await popup.evaluate(() => document.querySelector('.connection')?.scrollIntoView());
      await popup.screenshot(artifact('popup-slow-line.png'));
    } finally {
      await popup.close();
    }
  } finally {
    await page.close();
  }
}, { timeout: 60_000 });
