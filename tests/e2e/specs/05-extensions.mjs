// Interfering extensions: classified with reasons, turned off with one click (the page
// recovers), the culprit found by halves, and exactly what StreamFix turned off put back,
// also after the service worker stopped mid-search. The user's own choices stay.
import { check } from '../lib/runner.mjs';
import { startServer } from '../lib/server.mjs';
import { launch, fixtureExtension } from '../lib/browser.mjs';
import { BASE, DIST_CHROME, STORE_CHROME, assert, assertEq, badgeText, panelCode, panelFrame, streamfix, surfaceState, sw, tabIdOf, until } from '../lib/streamfix.mjs';

async function enabledByName(b) {
  const all = await (await sw(b)).evaluate(() => chrome.management.getAll());
  const others = all.filter((x) => x.name !== 'StreamFix — fix streaming errors').sort((a, b) => a.name.localeCompare(b.name));
  return Object.fromEntries(others.map((x) => [x.name, x.enabled]));
}

async function idOf(b, name) {
  const all = await (await sw(b)).evaluate(() => chrome.management.getAll());
  return all.find((x) => x.name === name).id;
}

async function listed(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('[data-ext-id]')].filter((li) => li.matches('li')).map((li) => ({
      name: li.querySelector('.step-title').textContent,
      kind: li.dataset.kind,
      suspect: li.dataset.suspect,
    })),
  );
}

check('a VPN extension\'s proxy error: list and classification, one click turns it off and the page loads, restore puts it back', async () => {
  const server = await startServer();
  const b = await launch({
    extensions: [DIST_CHROME, fixtureExtension('fake-vpn'), fixtureExtension('fake-adblocker'), fixtureExtension('unrelated'), fixtureExtension('page-modifier')],
    server,
  });
  try {
    const page = await b.page();
    await page.waitForTimeout(500);
    await page.goto(`${BASE}/`).catch(() => {});
    const tabId = await until(async () => {
      const all = await (await sw(b)).evaluate(() => chrome.storage.session.get(null));
      const key = Object.keys(all).find((k) => all[k].detection?.code === 'PROXY');
      return key ? Number(key.slice(4)) : null;
    }, { what: 'the PROXY diagnosis' });
    const popup = await b.openPopup(streamfix(b).id, { page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' && s.code === 'PROXY' });
    await popup.waitFor('document.querySelectorAll("li[data-ext-id]").length >= 4', { timeout: 8000 });
    const items = await listed({ evaluate: (fn) => popup.evaluate(fn) });
    const kinds = Object.fromEntries(items.map((x) => [x.name, `${x.kind}/${x.suspect}`]));
    assertEq(kinds, {
      'Fake VPN Proxy': 'vpn/true',
      'Fake AdBlock': 'blocker/true',
      'Fake Dark Mode': 'modifier/true',
      'Unrelated Notes': 'unrelated/false',
    }, 'classification');
    const mode = await popup.evaluate(() => document.querySelector('[data-proxy-mode]')?.dataset.proxyMode ?? null);
    // Checking again with nothing changed still says so: the list's time moves on.
    const listedAt = () => popup.evaluate(() => {
      const p = document.querySelector('[data-listed-at]');
      return p ? { at: Number(p.dataset.listedAt), text: p.textContent } : null;
    });
    const first = await listedAt();
    assert(first && first.at > 0 && /checked at/i.test(first.text), `list time shown: ${JSON.stringify(first)}`);
    assertEq(await popup.evaluate(() => document.querySelector('[data-action="check-extensions"]').textContent), 'Check again', 'the check button with a list on screen');
    await new Promise((r) => setTimeout(r, 1100));
    await popup.click('[data-action="check-extensions"]');
    const second = await until(async () => {
      const now = await listedAt();
      return now && now.at > first.at ? now : null;
    }, { what: 'the list time to move on' });
    assert(second.text !== first.text, `the shown time changed: ${first.text} → ${second.text}`);
    assertEq((await listed({ evaluate: (fn) => popup.evaluate(fn) })).length, items.length, 'same list after checking again');
    const vpnId = await idOf(b, 'Fake VPN Proxy');
    await popup.click(`[data-action="disable-extension"][data-ext-id="${vpnId}"]`);
    await until(async () => (await enabledByName(b))['Fake VPN Proxy'] === false, { what: 'the VPN to be turned off' });
    // The tab reloads by itself and now reaches the site.
    await until(async () => page.url().startsWith(BASE) && (await page.evaluate(() => document.documentElement.dataset.page ?? null).catch(() => null)) === 'browse', { timeout: 10_000, what: 'the page to load' });
    await until(async () => (await badgeText(b, tabId)) === '', { what: 'the badge to clear' });
    const states = await enabledByName(b);
    assertEq(states, { 'Fake AdBlock': true, 'Fake Dark Mode': true, 'Fake VPN Proxy': false, 'Unrelated Notes': true }, 'only the VPN is off');
    // Restore from another (non-streaming) tab.
    const other = await b.newPage();
    await other.goto('https://example.org/');
    const popup2 = await b.openPopup(streamfix(b).id, { page: other });
    await popup2.waitFor('document.querySelector(\'[data-action="restore-extensions"]\')', { timeout: 8000 });
    await popup2.click('[data-action="restore-extensions"]');
    await until(async () => (await enabledByName(b))['Fake VPN Proxy'] === true, { what: 'the VPN to be back on' });
    assert(mode === null || mode === 'fixed_servers', `proxy mode shown: ${mode}`);
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 60_000 });

async function bisectSetup() {
  const server = await startServer();
  const b = await launch({
    extensions: [DIST_CHROME, fixtureExtension('fake-adblocker'), fixtureExtension('page-modifier'), fixtureExtension('unrelated'), fixtureExtension('fake-vpn')],
    server,
  });
  // The user had turned the VPN off before: StreamFix must leave it off.
  const vpn = await idOf(b, 'Fake VPN Proxy');
  await (await sw(b)).evaluate((id) => chrome.management.setEnabled(id, false), vpn);
  const page = await b.page();
  await page.goto(`${BASE}/needs-api`);
  assertEq(await until(() => panelCode(page), { what: 'the NSES-UHX panel' }), 'NSES-UHX', 'panel');
  const frame = await panelFrame(b, page);
  await frame.waitForSelector('[data-action="find-culprit"]');
  return { server, b, page, frame };
}

check('find the culprit: bisection names the ad-blocker, only it stays off, the user\'s own choice stays', async () => {
  const { server, b, page, frame } = await bisectSetup();
  try {
    await frame.click('[data-action="find-culprit"]');
    const notice = await until(async () => {
      const all = await (await sw(b)).evaluate(() => chrome.storage.session.get(null));
      return Object.values(all).map((t) => t.notice).find((n) => n?.kind === 'culprit') ?? null;
    }, { timeout: 20_000, what: 'the culprit' });
    assertEq(notice.name, 'Fake AdBlock', 'culprit');
    await until(async () => (await page.evaluate(() => document.documentElement.dataset.api).catch(() => null)) === 'ok', { what: 'the page to work' });
    // The page works again (no panel): the popup says which one it was.
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      const said = await until(() => popup.evaluate(() => document.querySelector('[data-notice="culprit"]')?.textContent ?? null), { what: 'the culprit named in the popup' });
      assert(said.includes('Fake AdBlock'), `culprit notice: ${said}`);
    } finally {
      await popup.close();
    }
    assertEq(await enabledByName(b), { 'Fake AdBlock': false, 'Fake Dark Mode': true, 'Fake VPN Proxy': false, 'Unrelated Notes': true }, 'after the search');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 60_000 });

check('service worker stopped mid-search: restore still brings back exactly the previous set', async () => {
  const { server, b, page, frame } = await bisectSetup();
  try {
    await frame.click('[data-action="find-culprit"]');
    await until(async () => (await enabledByName(b))['Fake AdBlock'] === false, { what: 'the search to turn suspects off' });
    await b.stopServiceWorkers(streamfix(b).id);
    const popup = await b.openPopup(streamfix(b).id, { page });
    await popup.waitFor('document.querySelector(\'[data-action="restore-extensions"]\')', { timeout: 8000 });
    // The popup re-renders while the search's reloads land: click until it takes.
    await until(() => popup.click('[data-action="restore-extensions"]').then(() => true), { what: 'the restore click' });
    await until(async () => {
      const s = await enabledByName(b);
      return s['Fake AdBlock'] && s['Fake Dark Mode'] ? s : null;
    }, { what: 'the suspects to be back on' }).catch(async (err) => {
      const stored = await (await sw(b)).evaluate(() => chrome.storage.local.get(['ledger', 'bisect']));
      const shown = await popup.evaluate(() => document.querySelector('.failure')?.textContent ?? document.getElementById('main').innerText.slice(0, 300)).catch((e) => `popup: ${e.message}`);
      throw new Error(`${err.message}; extensions ${JSON.stringify(await enabledByName(b))}; stored ${JSON.stringify(stored)}; popup says ${JSON.stringify(shown)}`);
    });
    await page.waitForTimeout(1500); // a late step of the stopped search must not turn anything off again
    assertEq(await enabledByName(b), { 'Fake AdBlock': true, 'Fake Dark Mode': true, 'Fake VPN Proxy': false, 'Unrelated Notes': true }, 'after restore');
    const ledger = await (await sw(b)).evaluate(() => chrome.storage.local.get(['ledger', 'bisect']));
    assertEq([ledger.ledger?.off ?? [], ledger.bisect ?? null], [[], null], 'nothing left to restore, no search running');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 60_000 });

// What a user installs: `management` is optional (01-foundation measures the one install
// warning left). Without it the worker starts, errors are found, and the surfaces offer to
// ask for it.
check('the store build without management: it detects, lists nothing, and offers grant-permission', async () => {
  const server = await startServer();
  const b = await launch({ extensions: [STORE_CHROME, fixtureExtension('unrelated')], server });
  try {
    const worker = await sw(b);
    const granted = await worker.evaluate(() => chrome.permissions.contains({ permissions: ['management'] }));
    assertEq(granted, false, 'management granted at install');
    // An error page: diagnosed, panel and badge, with no listing asked of the browser.
    const page = await b.page();
    await page.goto(`${BASE}/nsez-503`);
    assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-503', 'panel');
    // The badge is set once the worker has replied to the page (the panel may come first).
    const tab = await tabIdOf(b, page);
    assertEq(await until(async () => ((await badgeText(b, tab)) === '!' ? '!' : null), { what: 'the badge' }), '!', 'badge');
    const popup = await b.openPopup(streamfix(b).id, { page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
    // The extensions step's button asks for the permission (and then checks).
    const offered = await popup.evaluate(() => [...document.querySelectorAll('[data-action="grant-permission"]')].map((x) => `${x.dataset.permission}>${x.dataset.then}`));
    assertEq(offered, ['management>check-extensions'], 'the extensions step offers the permission');
    // Asked anyway (a stale surface): refused, naming what is missing; nothing listed.
    const tabId = await tabIdOf(b, page);
    const reply = await popup.evaluate(`chrome.runtime.sendMessage({ type: 'Run', action: 'check-extensions', tab_id: ${tabId} })`);
    assertEq(reply, { type: 'Error', error: 'needs-permission\nmanagement' }, 'refusal');
    assertEq(await popup.evaluate(() => document.querySelectorAll('li[data-ext-id]').length), 0, 'nothing listed');
    await popup.close();
  } finally {
    await b.close();
    await server.close();
  }
});
