// The plan in use: the retry countdown, step marks that survive a worker restart, muting,
// the options page, keyboard closing, accessibility audits and screenshots in both themes.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { check } from '../lib/runner.mjs';
import { audit } from '../lib/axe.mjs';
import { sharedEnv, BASE, ROOT, artifact, assert, assertEq, badgeSoon, badgeText, clickUntil, panelCode, panelFrame, streamfix, surfaceState, sw, tabIdOf, tabState, until, openPanel } from '../lib/streamfix.mjs';

const env = sharedEnv();

check('503 overload: a live countdown reloads the tab and stops once the server is back', async () => {
  const { b, server } = await env();
  let status = 503;
  server.setRoute('www.netflix.com', '/busy', (req, res) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>Netflix</title><p>${status === 200 ? 'Now playing' : 'Service Unavailable'}</p>`);
  });
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/busy`);
    assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'HTTP-503', 'panel');
    const frame = await panelFrame(b, page);
    const seconds = Number(await (await frame.waitForSelector('[data-countdown]')).getAttribute('data-countdown'));
    assert(seconds > 0 && seconds <= 10, `countdown shows ${seconds}`);
    const tabId = await tabIdOf(b, page);
    const before = server.requestCount('www.netflix.com', '/busy');
    status = 200;
    await until(async () => server.requestCount('www.netflix.com', '/busy') > before, { timeout: 15_000, what: 'the automatic reload' });
    await until(async () => (await panelCode(page)) === null, { what: 'the panel to go' });
    const state = await until(async () => {
      const s = await tabState(b, tabId);
      return s?.steps?.['wait-retry'] ? s : null;
    }, { what: 'the retry outcome' });
    assertEq([state.steps['wait-retry'], state.retry], ['helped', null], 'retry step and countdown');
    assertEq(await badgeText(b, tabId), '', 'badge once healthy');
  } finally {
    await page.close();
  }
}, { timeout: 45_000 });

check('cancel-retry stops the countdown', async () => {
  const { b, server } = await env();
  server.setRoute('www.netflix.com', '/down', (req, res) => {
    res.writeHead(503, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    res.end('<!doctype html><title>Netflix</title><p>Service Unavailable</p>');
  });
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/down');
    await frame.click('[data-action="cancel-retry"]');
    await frame.waitForSelector('[data-countdown]', { state: 'detached' });
    const state = await tabState(b, await tabIdOf(b, page));
    assertEq(state.retry, null, 'stored countdown');
  } finally {
    await page.close();
  }
});

check('step marks survive a service-worker restart and show in the popup', async () => {
  const { b } = await env();
  const page = await b.page();
  const frame = await openPanel(b, page, '/nsez-403');
  await frame.click('[data-action="step-not-helped"][data-step="restart-network"]');
  await frame.waitForSelector('[data-step="restart-network"][data-step-state="not-helped"]');
  await b.stopServiceWorkers();
  const popup = await b.openPopup(streamfix(b).id, { page });
  try {
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
    const st = await popup.evaluate(() => document.querySelector('[data-step="restart-network"]').dataset.stepState);
    assertEq(st, 'not-helped', 'step state in the popup after the restart');
  } finally {
    await popup.close();
  }
});

check('Esc in the panel cancels a confirmation, then closes the panel; Esc on the page is the page\'s; the dismiss button closes it too', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const panel = await openPanel(b, page, '/nw-6-403');
    // Opened by itself, the panel takes no focus from the page: keys stay the player's.
    await page.waitForTimeout(500);
    assertEq(await page.evaluate(() => document.activeElement?.localName ?? null), 'body', 'focus on the page after the panel opened');
    assertEq(await panel.evaluate(() => document.hasFocus()), false, 'the panel has no focus of its own');
    // On the page (leaving full screen, closing the site's menus): the panel stays.
    await page.mouse.click(20, 300);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
    assertEq(await panelCode(page), 'NW-6-403', 'panel after Esc on the page');
    // In the panel: an open confirmation is cancelled first, and nothing is cleared.
    await clickUntil(panel, '[data-action="clear-site-data"]', '[data-action="cancel"]');
    // The question is brought into view, on its safe answer.
    await until(() => panel.evaluate(() => document.activeElement?.dataset.action === 'cancel' || null), { what: 'focus on Cancel' });
    assert(await panel.evaluate(() => { const r = document.querySelector('.confirm').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }), 'the confirmation in view');
    await panel.press('[data-action="cancel"]', 'Escape');
    await panel.waitForSelector('[data-action="confirm"]', { state: 'detached' });
    await until(() => panel.evaluate(() => document.activeElement?.dataset.action === 'clear-site-data' || null), { what: 'focus back on the step' });
    assertEq(await panelCode(page), 'NW-6-403', 'panel after Esc in the confirmation');
    await panel.press('body', 'Escape');
    await until(async () => (await panelCode(page)) === null, { what: 'Esc to close the panel' });
    const frame = await openPanel(b, page, '/nses-uhx');
    await frame.click('[data-action="dismiss"]');
    await until(async () => (await panelCode(page)) === null, { what: 'dismiss to close the panel' });
  } finally {
    await page.close();
  }
});

check('the popup\'s "Show on the page" brings a closed panel back with the keyboard focus in it; Tab reaches its controls; Esc gives the focus back to the page', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const panel = await openPanel(b, page, '/nw-6-403');
    await panel.click('[data-action="dismiss"]');
    await until(async () => (await panelCode(page)) === null, { what: 'dismiss to close the panel' });
    // The user was on the page's "Try Again" link.
    await page.focus('[data-uia="action-home"]');
    const tabId = await tabIdOf(b, page);
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      await popup.click('[data-action="show-panel"]');
      assertEq(await until(() => panelCode(page), { what: 'the panel back on the page' }), 'NW-6-403', 'panel');
    } finally {
      await popup.close();
    }
    await page.bringToFront();
    // The focus is in the panel (the host, from the page's side), on its content.
    await until(() => page.evaluate(() => document.activeElement?.localName === 'streamfix-panel' || null), { what: 'the page\'s focus on the panel' });
    const frame = await panelFrame(b, page);
    await until(() => frame.evaluate(() => (document.hasFocus() && document.activeElement?.id === 'main') || null), { what: 'the focus on the panel\'s content' });
    await page.keyboard.press('Tab');
    assert(await frame.evaluate(() => ['button', 'summary'].includes(document.activeElement?.localName)), 'Tab reaches a control in the panel');
    assertEq((await tabState(b, tabId)).requested, 'NW-6-403', 'the stored request');
    // Esc: closed again, the focus back where the user was.
    await page.keyboard.press('Escape');
    await until(async () => (await panelCode(page)) === null, { what: 'Esc to close the panel' });
    await until(() => page.evaluate(() => document.activeElement?.dataset.uia === 'action-home' || null), { what: 'the focus back on the page\'s link' });
    const state = await tabState(b, tabId);
    assertEq([state.requested, state.dismissed], [null, ['NW-6-403']], 'request taken back, code dismissed');
    // A reload keeps it closed (it was the user's choice): once the new page has reported
    // its error, there is no panel.
    const before = state.page_at;
    await page.reload();
    await until(async () => {
      const s = await tabState(b, tabId);
      return s?.page_at > before && s.detection?.code === 'NW-6-403' ? s : null;
    }, { what: 'the reloaded page\'s report' });
    await page.waitForTimeout(300);
    assertEq(await panelCode(page), null, 'panel after reload');
  } finally {
    await page.close();
  }
});

check('"don\'t open by itself for this code" is kept and listed in the options page', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/pardon');
    await frame.click('[data-action="mute-code"]');
    await until(async () => (await panelCode(page)) === null, { what: 'the panel to close' });
    await page.reload();
    await page.waitForTimeout(1200);
    assertEq(await panelCode(page), null, 'panel after reload');
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', 'the badge still tells');
    const options = await b.newPage();
    await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
    await options.waitForSelector('[data-muted-code="PARDON"]');
    // Muted for the service it was muted on, and says so.
    assertEq(await options.getAttribute('[data-muted-code="PARDON"]', 'data-muted-key'), 'netflix:PARDON', 'muted entry');
    assertEq(await options.textContent('[data-muted-code="PARDON"] .weak'), 'on Netflix', 'muted entry text');
    await options.click('[data-action="unmute-code"][data-code="PARDON"]');
    await options.waitForSelector('[data-muted-code="PARDON"]', { state: 'detached' });
    await options.close();
    await page.reload();
    assertEq(await until(() => panelCode(page), { what: 'the panel again' }), 'PARDON', 'panel after unmuting');
  } finally {
    await page.close();
  }
});

check('the options page lists the keyboard shortcuts as the browser has them, and its button opens the browser\'s shortcuts page', async () => {
  const { b } = await env();
  const options = await b.newPage();
  try {
    await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
    await options.waitForSelector('[data-command="show-panel"]');
    const keys = await options.$$eval('[data-command]', (els) => els.map((e) => [e.dataset.command, e.dataset.shortcut, e.querySelector('kbd')?.textContent ?? null]));
    const en = JSON.parse(readFileSync(path.join(ROOT, 'extension/_locales/en/messages.json'), 'utf8'));
    assertEq(keys, [['_execute_action', 'Alt+Shift+F', 'Alt+Shift+F'], ['show-panel', 'Alt+Shift+J', 'Alt+Shift+J']], 'listed shortcuts');
    assert((await options.textContent('[data-command="show-panel"]')).includes(en.cmdShowPanel.message), 'the command described');
    for (const scheme of ['light', 'dark']) {
      await options.emulateMedia({ colorScheme: scheme });
      assertEq(await audit((expr) => options.evaluate(expr)), [], `options page violations (${scheme})`);
    }
    const opened = b.context.waitForEvent('page', { timeout: 5000 });
    await options.click('[data-action="change-shortcuts"]');
    const shortcutsPage = await opened;
    await until(async () => shortcutsPage.url().startsWith('chrome://extensions/shortcuts') || null, { what: `the shortcuts page (now ${shortcutsPage.url()})` });
    await shortcutsPage.close();
  } finally {
    await options.close();
  }
});

check('the options switch turns the automatic panel off (the badge stays)', async () => {
  const { b } = await env();
  const options = await b.newPage();
  await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
  await options.uncheck('#auto-panel');
  await until(async () => (await (await sw(b)).evaluate(() => chrome.storage.local.get('settings'))).settings?.auto_panel === false, { what: 'the setting to be saved' });
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-503`);
    await page.waitForTimeout(1200);
    assertEq(await panelCode(page), null, 'panel with the switch off');
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', 'badge with the switch off');
  } finally {
    await options.check('#auto-panel');
    await until(async () => (await (await sw(b)).evaluate(() => chrome.storage.local.get('settings'))).settings?.auto_panel === true, { what: 'the setting to be restored' });
    await options.close();
    await page.close();
  }
});

for (const scheme of ['light', 'dark']) {
  check(`panel and popup pass an axe audit and are captured (${scheme})`, async () => {
    const { b } = await env();
    const page = await b.newPage();
    try {
      await page.emulateMedia({ colorScheme: scheme });
      const frame = await openPanel(b, page, '/nsez-503');
      await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
      const panelViolations = await audit((expr) => frame.evaluate(expr));
      await page.waitForTimeout(300);
      await page.screenshot({ path: artifact(`panel-${scheme}.png`) });
      const popup = await b.openPopup(streamfix(b).id, { page });
      try {
        await popup.session.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
        await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
        const popupViolations = await audit((expr) => popup.evaluate(expr));
        await popup.screenshot(artifact(`popup-${scheme}.png`));
        assertEq(panelViolations, [], 'panel violations');
        assertEq(popupViolations, [], 'popup violations');
      } finally {
        await popup.close();
      }
    } finally {
      await page.close();
    }
  }, { timeout: 45_000 });
}

check('copy-report copies the support report; it carries the diagnosis and no page URL', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-403?session=abc123secret`);
    await until(() => panelCode(page), { what: 'the panel' });
    const frame = await panelFrame(b, page);
    await frame.click('[data-action="copy-report"]');
    await frame.waitForSelector('[data-action="copy-report"][data-copied="true"]');
    // What was copied is the core's report for this tab: read it the same way.
    const tabId = await tabIdOf(b, page);
    const ext = await b.newPage();
    await ext.goto(`chrome-extension://${streamfix(b).id}/options.html`);
    const reply = await ext.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'GetReport', tab_id, lang: 'en', browser: 'Chromium', os: 'Linux', now_iso: new Date().toISOString() }), tabId);
    await ext.close();
    const text = reply.text;
    assert(text.includes('NSEZ-403'), `report lacks the code: ${text}`);
    assert(/StreamFix/i.test(text), 'report names StreamFix');
    assert(!text.includes('abc123secret') && !text.includes('/nsez-403'), `report leaks the page URL: ${text}`);
  } finally {
    await page.close();
  }
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assertEq(buf.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

// The store listings' screenshots (1280×800, the size both stores take), from the real
// extension on a replayed error page; written to dist/store/.
check('store screenshots: the panel on the page and the popup, 1280×800', async () => {
  const { b } = await env();
  const dir = path.join(ROOT, 'dist/store');
  mkdirSync(dir, { recursive: true });
  const page = await b.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    const frame = await openPanel(b, page, '/nsez-503');
    await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
    await page.waitForTimeout(300);
    const panelShot = path.join(dir, 'screenshot-1-panel.png');
    await page.screenshot({ path: panelShot });
    const popup = await b.openPopup(streamfix(b).id, { page });
    let popupPng;
    try {
      await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      popupPng = await popup.screenshot(artifact('popup-store.png'));
    } finally {
      await popup.close();
    }
    // The popup alone is narrow: set it on a plain 1280×800 canvas, as the toolbar shows it.
    const canvas = await b.newPage();
    try {
      await canvas.setViewportSize({ width: 1280, height: 800 });
      await canvas.setContent(`<!doctype html><body style="margin:0;height:800px;display:flex;align-items:center;justify-content:center;background:#20242a">
        <img alt="" style="box-shadow:0 12px 40px rgba(0,0,0,.5);border-radius:10px" src="data:image/png;base64,${popupPng.toString('base64')}"></body>`);
      await canvas.waitForFunction(() => document.images[0]?.complete);
      await canvas.screenshot({ path: path.join(dir, 'screenshot-2-popup.png') });
    } finally {
      await canvas.close();
    }
    for (const name of ['screenshot-1-panel.png', 'screenshot-2-popup.png']) {
      assertEq(pngSize(readFileSync(path.join(dir, name))), [1280, 800], name);
    }
  } finally {
    await page.close();
  }
}, { timeout: 45_000 });

check('the options page links to a privacy statement whose every sentence is filled in', async () => {
  const { b } = await env();
  const options = await b.newPage();
  try {
    await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
    await options.waitForSelector('a[data-link="privacy"]');
    const href = await options.getAttribute('a[data-link="privacy"]', 'href');
    await options.goto(new URL(href, options.url()).href);
    // The statement's words are set once the wasm is in.
    await options.waitForFunction(() => [...document.querySelectorAll('[data-i18n]')].every((n) => n.textContent.trim()), null, { timeout: 8000 }).catch(() => {});
    const texts = await options.$$eval('[data-i18n]', (nodes) => nodes.map((n) => n.textContent.trim()));
    assert(texts.length >= 10, `privacy sections: ${texts.length}`);
    assertEq(texts.filter((t) => !t), [], 'empty sections');
    const body = texts.join(' ');
    assert(/nothing/i.test(body) && /NSEZ-503/.test(body), 'says nothing is sent and what is read');
    await options.screenshot({ path: artifact('privacy.png'), fullPage: true });
  } finally {
    await options.close();
  }
});

check('the panel quotes the code the screen showed, and none for a screen without one', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const quoted = async (pathname) => {
      await page.goto(`${BASE}${pathname}`);
      await until(() => panelCode(page), { what: `the panel on ${pathname}` });
      const frame = await panelFrame(b, page);
      await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
      return frame.evaluate(() => {
        const p = document.querySelector('[data-shown]');
        return p ? [p.dataset.shown, p.querySelector('strong').textContent] : null;
      });
    };
    assertEq(await quoted('/nsez-503'), ['code', 'NSEZ-503'], 'NSEZ-503 screen');
    assertEq(await quoted('/pardon'), null, 'code-less screen');
    assertEq(await quoted('/service-unavailable'), ['http', 'HTTP 503'], 'HTTP 503 answer');
  } finally {
    await page.close();
  }
});

// A browser in Spanish (`--lang=es`; Debian's Chromium needs its chromium-l10n locales,
// which ./build.sh installs): the panel and the popup speak Spanish throughout, the
// core's sentences included, never a mix of the two languages.
check('in a Spanish browser the panel and the popup are in Spanish throughout', async () => {
  const { launch } = await import('../lib/browser.mjs');
  const { startServer } = await import('../lib/server.mjs');
  const { DIST_CHROME } = await import('../lib/streamfix.mjs');
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server, args: ['--lang=es'] });
  try {
    const es = JSON.parse(readFileSync(path.join(ROOT, 'extension/_locales/es/messages.json'), 'utf8'));
    assertEq(await (await sw(b)).evaluate(() => chrome.i18n.getMessage('uiLocale')), 'es', 'the browser picks the Spanish locale file (is chromium-l10n installed?)');
    const toml = readFileSync(path.join(ROOT, 'data/errors.toml'), 'utf8');
    const entry = toml.slice(toml.indexOf('id = "NSEZ-403"'));
    const [, meaningEn, meaningEs] = entry.match(/^meaning = \{ en = "([^"]+)", es = "([^"]+)" \}/m);
    const page = await b.page();
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    const frame = await panelFrame(b, page);
    await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
    const popup = await b.openPopup(streamfix(b).id, { page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
    const surfaces = [
      ['panel', await frame.evaluate(() => [document.documentElement.lang, document.querySelector('main').innerText])],
      ['popup', await popup.evaluate(() => [document.documentElement.lang, document.querySelector('main').innerText])],
    ];
    for (const [name, [lang, text]] of surfaces) {
      assertEq(lang, 'es', `${name}: document language`);
      assert(text.includes(meaningEs), `${name}: the core's meaning in Spanish: ${JSON.stringify(text.slice(0, 400))} vs ${meaningEs}`);
      assert(!text.includes(meaningEn), `${name}: the English meaning shown`);
      assert(text.includes(es.copyReport.message) || name === 'popup', `${name}: a Spanish UI string`);
    }
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 45_000 });

/** A Netflix page with no error, StreamFix watching it, and its popup open ("ok"). */
async function popupOnHealthyPage(b) {
  const page = await b.newPage();
  await page.goto(`${BASE}/`);
  const tabId = await tabIdOf(b, page);
  await until(async () => ((await tabState(b, tabId))?.service ? true : null), { what: 'StreamFix to see the page' });
  // The popup is the active tab's: opened again while the browser still had another tab
  // in front (the service's actions and the code field are there only for this one).
  for (let attempt = 1; ; attempt++) {
    await page.bringToFront();
    const popup = await b.openPopup(streamfix(b).id, { page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'ok' });
    const ours = await popup.evaluate(() => document.querySelector('.more [data-input="code"]')?.list?.options.length > 0);
    if (ours) return { page, tabId, popup };
    await popup.close();
    if (attempt === 3) throw new Error('the popup never showed this tab\'s view');
  }
}

// A user whose screen shows no error (or one StreamFix didn't recognise) still has a way
// in: the popup's always-there actions on any tab of a watched service.
check('with no error on the page, the popup offers the connection check, extensions, clearing and the report, and each works', async () => {
  const { b } = await env();
  const { page, tabId, popup } = await popupOnHealthyPage(b);
  try {
    const offered = await popup.evaluate(() => [...document.querySelectorAll('.more [data-action]')].map((x) => x.dataset.action));
    assertEq(offered, ['run-connection-check', 'check-extensions', 'clear-site-data', 'copy-report', 'enter-code'], 'always-there actions');
    await popup.click('.more [data-action="run-connection-check"]');
    await popup.waitFor('document.querySelector("[data-verdict]") !== null', { timeout: 40_000 });
    await popup.click('.more [data-action="check-extensions"]');
    await popup.waitFor('document.querySelector("[data-listed-at]") !== null', { timeout: 8000 });
    await popup.click('.more [data-action="clear-site-data"]');
    await popup.waitFor('document.querySelector(".confirm [data-action=confirm]") !== null', { timeout: 5000 });
    await popup.click('[data-action="cancel"]');
    await popup.waitFor('document.querySelector(".confirm") === null', { timeout: 5000 });
    await popup.click('.more [data-action="copy-report"]');
    await popup.waitFor('document.querySelector("[data-action=copy-report][data-copied=true]") !== null', { timeout: 5000 });
    assertEq(await badgeText(b, tabId), '', 'no badge: nothing is wrong');
  } finally {
    await popup.close();
    await page.close();
  }
}, { timeout: 90_000 });

// A screen StreamFix didn't read (or one on another device): the user enters the code and
// gets the same diagnosis and plan, marked as entered, until the tab's next page.
check('"I see an error code": an entered code gets the plan of a detected one; a non-code is refused', async () => {
  const { b } = await env();
  const { page, tabId, popup } = await popupOnHealthyPage(b);
  try {
    try {
      const suggested = await popup.evaluate(() => {
        const input = document.querySelector('.more [data-input="code"]');
        return [...(input?.list?.options ?? [])].map((o) => o.value);
      });
      assert(suggested.includes('NSEZ-403'), `the service's codes are suggested: ${suggested.slice(0, 5)}`);
      await popup.screenshot(artifact('popup-no-error.png'));
      const type = async (text) => {
        await popup.click('[data-input="code"]');
        await popup.evaluate(() => { document.querySelector('[data-input="code"]').value = ''; });
        await popup.session.send('Input.insertText', { text });
      };
      // Not a code: refused where it was asked, and nothing changes. Enter asks too.
      await type('hello there');
      const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 };
      await popup.session.send('Input.dispatchKeyEvent', { type: 'keyDown', ...enter });
      await popup.session.send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter });
      await popup.waitFor('document.querySelector("[data-failure=refused]") !== null', { timeout: 5000 });
      assertEq(await popup.evaluate(() => document.body.dataset.state), 'ok', 'still no error');
      // A known code, typed in lower case: the diagnosis, the plan and the badge.
      await type('nsez-403');
      await popup.click('[data-action="enter-code"]');
      const s = await surfaceState((fn) => popup.evaluate(fn), { want: (x) => x.state === 'error' });
      assertEq(s.code, 'NSEZ-403', 'popup data-code');
      assert(await popup.evaluate(() => document.querySelector('[data-shown="told"]') !== null), 'marked as entered by the user');
      assert(await popup.evaluate(() => document.querySelectorAll('[data-step]').length > 0), 'the plan is there');
      assertEq(await until(async () => ((await badgeText(b, tabId)) === '!' ? '!' : null), { what: 'the badge' }), '!', 'badge');
      const stored = await tabState(b, tabId);
      assertEq([stored.detection?.code, stored.detection?.evidence?.by], ['NSEZ-403', 'told'], 'stored as entered');
      await popup.screenshot(artifact('popup-entered-code.png'));
    } finally {
      await popup.close();
    }
    // The page's own reports (it shows no error) leave it; the next page doesn't.
    await page.evaluate(() => { document.body.append(Object.assign(document.createElement('p'), { textContent: 'Continue watching' })); });
    await new Promise((r) => setTimeout(r, 1500));
    assertEq((await tabState(b, tabId))?.detection?.code, 'NSEZ-403', 'kept across the page\'s reports');
    await page.goto(`${BASE}/`);
    await until(async () => ((await tabState(b, tabId))?.detection === null ? true : null), { what: 'the next page to clear it' });
  } finally {
    await page.close();
  }
}, { timeout: 90_000 });

// What fixed an error is remembered on this computer: the next time the same code shows,
// its plan starts with that step and says so; the options page forgets it on request.
check('a step marked "it helped" comes first, said so, the next time that code shows; the options page forgets it', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    await page.bringToFront();
    let popup = await b.openPopup(streamfix(b).id, { page });
    let helped;
    try {
      await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      const steps = await popup.evaluate(() => [...document.querySelectorAll('li[data-step]')].map((x) => [x.dataset.step, x.dataset.worked ?? null]));
      assert(steps.length > 1 && steps.every(([, w]) => w === null), `nothing remembered yet: ${JSON.stringify(steps)}`);
      helped = steps.at(-1)[0];
      await popup.click(`[data-action="step-helped"][data-step="${helped}"]`);
      await popup.waitFor(`document.querySelector('li[data-step="${helped}"]').dataset.stepState === 'helped'`, { timeout: 5000 });
    } finally {
      await popup.close();
    }
    // Another visit, in another tab, to an error page with the same code.
    const again = await b.newPage();
    await again.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(again), { what: 'the panel in the other tab' });
    await again.bringToFront();
    popup = await b.openPopup(streamfix(b).id, { page: again });
    try {
      await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      const first = await popup.evaluate(() => {
        const li = document.querySelector('li[data-step]');
        return [li.dataset.step, li.dataset.worked ?? null, li.classList.contains('next'), li.querySelector('.worked') !== null];
      });
      assertEq(first, [helped, 'true', true, true], 'the step that helped, first, next, and said so');
      await popup.screenshot(artifact('popup-worked.png'));
    } finally {
      await popup.close();
      await again.close();
    }
    const options = await b.newPage();
    try {
      await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
      await options.waitForSelector('[data-remembered="1"]');
      await options.click('[data-action="forget-fixes"]');
      await options.waitForSelector('[data-remembered="0"]');
    } finally {
      await options.close();
    }
    const stored = await (await sw(b)).evaluate(() => chrome.storage.local.get('worked'));
    assertEq(stored.worked?.fixes ?? [], [], 'forgotten in storage');
  } finally {
    await (await sw(b)).evaluate(() => chrome.storage.local.remove('worked')).catch(() => {});
    await page.close();
  }
}, { timeout: 90_000 });
