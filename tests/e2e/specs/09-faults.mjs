// Faults: the service worker stops in the middle of StreamFix's work, or hangs, or gets
// garbage. To stop it at a chosen point, a test first makes one browser call hang in the
// running worker (as if the worker died inside it), then stops the worker through CDP
// (ServiceWorker.stopAllWorkers); the next worker starts with the real API. Each check
// reads real outcomes: cookies through the browser, extension states through
// chrome.management, the open panel's and popup's attributes and text.
import { check } from '../lib/runner.mjs';
import { startServer } from '../lib/server.mjs';
import { launch, fixtureExtension } from '../lib/browser.mjs';
import {
  BASE, DIST_CHROME, assert, assertEq, clickUntil, panelCode, panelFrame, sharedEnv, sleep, streamfix, surfaceState, sw, tabIdOf, until, openPanel } from '../lib/streamfix.mjs';

const OTHER = 'https://example.org';
const env = sharedEnv();

async function stored(b) {
  return (await sw(b)).evaluate(async () => ({ session: await chrome.storage.session.get(null), local: await chrome.storage.local.get(null) }));
}

async function tabState(b, tabId) {
  return (await stored(b)).session[`tab:${tabId}`] ?? null;
}

const stopWorker = (b) => b.stopServiceWorkers(streamfix(b).id);

/** Makes a browser API call hang in the running worker: `path` like 'tabs.reload'. */
async function hang(b, path) {
  await (await sw(b)).evaluate((p) => {
    const parts = p.split('.');
    const fn = parts.pop();
    parts.reduce((o, k) => o[k], chrome)[fn] = () => new Promise(() => {});
  }, path);
}

async function cookie(b, url, name) {
  return (await b.context.cookies(url)).find((c) => c.name === name)?.value ?? null;
}

// ------------------------------------------------------------------ (a) site-data clear

check('a site-data clear cut off by a worker stop ends as "interrupted", offered again behind a new confirmation; no other site and no setting touched', async () => {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server });
  try {
    const other = await b.newPage();
    await other.goto(`${OTHER}/`);
    await other.waitForFunction(() => document.documentElement.dataset.storageReady || document.documentElement.dataset.storageError);
    const page = await b.page();
    await page.goto(`${BASE}/storage`);
    await page.waitForFunction(() => document.documentElement.dataset.storageReady || document.documentElement.dataset.storageError);
    assertEq(await cookie(b, BASE, 'fixtureCookie'), 'present', 'streaming cookie written');
    const otherCookies = await b.context.cookies(OTHER);
    assert(otherCookies.length > 0, 'the other site wrote cookies');
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    const tabId = await tabIdOf(b, page);
    const settingsBefore = (await stored(b)).local.settings ?? null;

    // The worker stops while the browser is still clearing.
    await hang(b, 'browsingData.remove');
    const frame = await panelFrame(b, page);
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
    await frame.click('[data-action="confirm"]');
    await frame.waitForSelector('[data-notice="clearing"]');
    await stopWorker(b);

    // The open panel does not stay on "Clearing…": it says the clearing was interrupted
    // and offers it again.
    const notice = await frame.waitForSelector('[data-notice="clear-interrupted"]', { timeout: 15_000 });
    assert(/interrupted/i.test(await notice.textContent()), `notice text: ${await notice.textContent()}`);
    await frame.waitForSelector('[data-notice="clear-interrupted"] [data-action="clear-site-data"]');
    const st = await tabState(b, tabId);
    assertEq([st.clearing ?? null, st.steps?.['clear-site-data'] ?? 'todo', st.judging ?? null, st.notice?.kind], [null, 'todo', null, 'clear-interrupted'], 'stored state after the interruption');
    const step = await frame.getAttribute('[data-step="clear-site-data"]', 'data-step-state');
    assertEq(step, 'todo', 'the clearing step is not marked done');
    // The cut-off remover never ran: everything is still there, and nothing else changed.
    assertEq(await cookie(b, BASE, 'fixtureCookie'), 'present', 'streaming cookie after the interruption');
    assertEq(await b.context.cookies(OTHER), otherCookies, 'other site cookies');
    assertEq((await stored(b)).local.settings ?? null, settingsBefore, 'settings');

    // Trying again asks again first; only the confirmation clears.
    await frame.click('[data-notice="clear-interrupted"] [data-action="clear-site-data"]');
    await frame.waitForSelector('[data-action="confirm"]');
    await sleep(500);
    assertEq(await cookie(b, BASE, 'fixtureCookie'), 'present', 'nothing cleared before the confirmation');
    await frame.click('[data-action="confirm"]');
    await until(async () => (await cookie(b, BASE, 'fixtureCookie')) === null, { what: 'the streaming cookie to go' });
    const done = await until(async () => {
      const s = await tabState(b, tabId);
      return s?.cleared ? s : null;
    }, { what: 'the clearing report' });
    assertEq([done.clearing ?? null, done.cleared.failed], [null, []], 'clearing finished, nothing refused');
    assertEq(await b.context.cookies(OTHER), otherCookies, 'other site cookies after the retry');
    assertEq((await stored(b)).local.settings ?? null, settingsBefore, 'settings after the retry');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 90_000 });

// ------------------------------------------------------------------ (b) culprit search

async function enabledByName(b) {
  const all = await (await sw(b)).evaluate(() => chrome.management.getAll());
  const others = all.filter((x) => x.id !== streamfix(b).id).sort((x, y) => x.name.localeCompare(y.name));
  return Object.fromEntries(others.map((x) => [x.name, x.enabled]));
}

async function extId(b, name) {
  return (await (await sw(b)).evaluate(() => chrome.management.getAll())).find((x) => x.name === name).id;
}

async function bisectSetup() {
  const server = await startServer();
  const b = await launch({
    extensions: [DIST_CHROME, fixtureExtension('fake-adblocker'), fixtureExtension('page-modifier'), fixtureExtension('unrelated'), fixtureExtension('fake-vpn')],
    server,
  });
  // The user had turned the VPN off: it must stay off whatever happens.
  const vpn = await extId(b, 'Fake VPN Proxy');
  await (await sw(b)).evaluate((id) => chrome.management.setEnabled(id, false), vpn);
  const before = await enabledByName(b);
  assertEq(before, { 'Fake AdBlock': true, 'Fake Dark Mode': true, 'Fake VPN Proxy': false, 'Unrelated Notes': true }, 'extensions before');
  const page = await b.page();
  await page.goto(`${BASE}/needs-api`);
  assertEq(await until(() => panelCode(page), { what: 'the NSES-UHX panel' }), 'NSES-UHX', 'panel');
  const frame = await panelFrame(b, page);
  await frame.waitForSelector('[data-action="find-culprit"]');
  return { server, b, page, frame, before };
}

async function culpritNotice(b) {
  const { session } = await stored(b);
  return Object.values(session).map((t) => t.notice).find((n) => n?.kind === 'culprit') ?? null;
}

check('culprit search: a worker stop between steps, the search goes on by itself and names the culprit', async () => {
  const { server, b, page, frame, before } = await bisectSetup();
  try {
    await frame.click('[data-action="find-culprit"]');
    await until(async () => (await enabledByName(b))['Fake AdBlock'] === false, { what: 'the first step' });
    await stopWorker(b);
    const notice = await until(() => culpritNotice(b), { timeout: 30_000, what: 'the culprit' });
    assertEq(notice.name, 'Fake AdBlock', 'culprit');
    await until(async () => (await page.evaluate(() => document.documentElement.dataset.api).catch(() => null)) === 'ok', { what: 'the page to work' });
    assertEq(await enabledByName(b), { ...before, 'Fake AdBlock': false }, 'only the culprit off');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 60_000 });

check('culprit search: a worker stop before a step was carried out resumes it; a restore cut off by a stop is still offered on every tab and puts back exactly the previous set', async () => {
  const { server, b, page, frame, before } = await bisectSetup();
  try {
    const id = streamfix(b).id;
    // The step is recorded, then the worker stops before the browser turned anything off.
    await hang(b, 'management.setEnabled');
    await frame.click('[data-action="find-culprit"]');
    await until(async () => (await stored(b)).local.bisect ?? null, { what: 'the search to start' });
    const noted = ((await stored(b)).local.ledger?.off ?? []).map((e) => e.name).sort();
    assertEq(noted, ['Fake AdBlock', 'Fake Dark Mode'], 'noted before turning off');
    await sleep(500);
    assertEq(await enabledByName(b), before, 'nothing turned off by the stopped worker');
    await stopWorker(b);

    // The next worker carries the step out again and the search finishes.
    const notice = await until(() => culpritNotice(b), { timeout: 40_000, what: 'the resumed search to name the culprit' });
    assertEq(notice.name, 'Fake AdBlock', 'culprit');
    await until(async () => (await page.evaluate(() => document.documentElement.dataset.api).catch(() => null)) === 'ok', { what: 'the page to work' });
    const after = await until(async () => {
      const s = await enabledByName(b);
      return s['Fake Dark Mode'] && !s['Fake AdBlock'] ? s : null;
    }, { what: 'only the culprit to stay off' });
    assertEq(after, { ...before, 'Fake AdBlock': false }, 'after the resumed search');

    // Restore from another tab; the worker stops before the browser turned it back on.
    const other = await b.newPage();
    await other.goto(`${OTHER}/`);
    await hang(b, 'management.setEnabled');
    let popup = await b.openPopup(id, { page: other });
    await until(() => popup.click('[data-action="restore-extensions"]').then(() => true), { what: 'the restore click' });
    await sleep(500);
    assertEq(await enabledByName(b), { ...before, 'Fake AdBlock': false }, 'still off: the stopped worker never turned it on');
    await popup.close();
    await stopWorker(b);

    // Still offered on every tab: the streaming tab and the other one.
    for (const tab of [page, other]) {
      popup = await b.openPopup(id, { page: tab });
      await popup.waitFor('document.querySelector(\'[data-action="restore-extensions"]\')', { timeout: 10_000 });
      const text = await popup.evaluate(() => document.querySelector('.restore').textContent);
      assert(text.includes('Fake AdBlock'), `the restore banner names the culprit: ${text}`);
      if (tab === page) await popup.close();
    }
    await until(() => popup.click('[data-action="restore-extensions"]').then(() => true), { what: 'the second restore click' });
    await until(async () => (await enabledByName(b))['Fake AdBlock'] === true, { what: 'the culprit to be back on' });
    await sleep(1000);
    assertEq(await enabledByName(b), before, 'every extension as before (the user\'s own choice kept)');
    const { local } = await until(async () => {
      const s = await stored(b);
      return (s.local.ledger?.off ?? []).length === 0 ? s : null;
    }, { what: 'the ledger to empty' });
    assertEq(local.bisect ?? null, null, 'no search running');
    await popup.waitFor('!document.querySelector(\'[data-action="restore-extensions"]\')', { timeout: 8000 });
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 120_000 });

// ------------------------------------------------------------------ refusals

check('garbled, unknown and oversized messages from an extension page get refusals; the worker keeps answering', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/nsez-403');
    const replies = await frame.evaluate(async () => {
      const send = (m) => chrome.runtime.sendMessage(m).catch((e) => ({ thrown: String(e?.message ?? e) }));
      return {
        unknown: await send({ type: 'FormatDisk' }),
        extraField: await send({ type: 'GetView', lang: 'en', evil: 1 }),
        notAnObject: await send('garbage'),
        wrongShape: await send({ type: 'Run', action: 42 }),
        browserEvent: await send({ type: 'TabClosed', tab_id: 1 }),
        oversized: await send({ type: 'GetView', lang: 'x'.repeat(300 * 1024) }),
        fine: await send({ type: 'GetView', lang: 'en' }),
      };
    });
    for (const k of ['unknown', 'extraField', 'notAnObject', 'wrongShape', 'browserEvent', 'oversized']) {
      assertEq(replies[k].type, 'Error', `${k} reply type (${JSON.stringify(replies[k]).slice(0, 200)})`);
      assert(replies[k].error.startsWith('message refused'), `${k}: ${replies[k].error.slice(0, 200)}`);
    }
    assert(/limit/.test(replies.oversized.error), `oversized: ${replies.oversized.error}`);
    assertEq([replies.fine.type, replies.fine.view?.code], ['View', 'NSEZ-403'], 'a good message after the bad ones');
  } finally {
    await page.close();
  }
});

// ------------------------------------------------------------------ (c) wait and retry

check('wait-and-retry: the countdown goes on across a worker stop, a reload lost with its worker is issued again, and the retry re-arms', async () => {
  const { b, server } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-503`);
    assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-503', 'panel');
    const frame = await panelFrame(b, page);
    const first = Number(await (await frame.waitForSelector('[data-countdown]')).getAttribute('data-countdown'));
    const tabId = await tabIdOf(b, page);
    const loads = () => server.requestCount('www.netflix.com', '/nsez-503');
    const start = loads();

    // A stop during the countdown: it keeps counting, no reload comes early.
    await stopWorker(b);
    await sleep(1500);
    const later = Number(await frame.getAttribute('[data-countdown]', 'data-countdown'));
    assert(later > 0 && later < first, `countdown ${first} -> ${later}`);
    assertEq(loads(), start, 'no reload before the countdown ends');

    // This worker loses its reload: the countdown runs out, the reload hangs, the worker stops.
    await hang(b, 'tabs.reload');
    const due = await until(async () => {
      const s = await tabState(b, tabId);
      return s?.retry?.reloading ? s : null;
    }, { timeout: 15_000, what: 'the countdown to run out' });
    assertEq(due.retry.attempt, 1, 'attempt');
    await sleep(1000);
    assertEq(loads(), start, 'the lost reload did not happen');
    await stopWorker(b);

    // The next worker issues it again; the page still shows the error, so attempt 2 counts down.
    await until(async () => loads() > start, { timeout: 15_000, what: 'the retry reload' });
    const next = await until(async () => {
      const s = await tabState(b, tabId);
      return s?.retry?.attempt === 2 && !s.retry.reloading ? s : null;
    }, { timeout: 15_000, what: 'the countdown to re-arm' });
    assertEq(next.detection?.code, 'NSEZ-503', 'still the overload error');
    const frame2 = await panelFrame(b, page);
    const secs = Number(await (await frame2.waitForSelector('[data-countdown]')).getAttribute('data-countdown'));
    assert(secs > 0 && secs <= 20, `second countdown shows ${secs}`);
  } finally {
    await page.close();
  }
}, { timeout: 90_000 });

// ------------------------------------------------------------------ hung worker

check('a hung service worker: the open panel and a popup say StreamFix isn\'t answering (never blank), then recover by themselves', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    const frame = await openPanel(b, page, '/nsez-403');
    await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' && s.steps > 0 });
    // From now on every call hangs in this worker (its storage never answers).
    await hang(b, 'storage.session.get');
    const stepId = await frame.getAttribute('[data-step-state]', 'data-step');
    await frame.click(`[data-action="step-done"][data-step="${stepId}"]`);
    const failure = await frame.waitForSelector('[data-failure="unresponsive"]', { timeout: 15_000 });
    assertEq(await failure.getAttribute('role'), 'alert', 'the message is announced');
    assert(/answering/.test(await failure.textContent()), `panel message: ${await failure.textContent()}`);
    // The diagnosis stays under the message.
    const shown = await frame.evaluate(() => ({ state: document.body.dataset.state, code: document.body.dataset.code, steps: document.querySelectorAll('[data-step-state]').length }));
    assertEq([shown.state, shown.code, shown.steps > 0], ['error', 'NSEZ-403', true], 'panel under the message');

    // A popup opened now says so too instead of staying blank.
    const popup = await b.openPopup(streamfix(b).id, { page });
    await popup.waitFor('document.querySelector(\'[data-failure="unresponsive"]\')', { timeout: 15_000 });
    const text = await popup.evaluate(() => document.querySelector('main').textContent);
    assert(/answering/.test(text), `popup text: ${text}`);

    // The worker restarts: both come back by themselves, with the diagnosis.
    await stopWorker(b);
    await popup.waitFor(() => document.body.dataset.state === 'error' && !document.querySelector('.failure'), { timeout: 15_000 });
    assertEq(await popup.evaluate(() => document.body.dataset.code), 'NSEZ-403', 'popup after the restart');
    await frame.waitForSelector('.failure', { state: 'detached', timeout: 15_000 });
    await popup.close();
  } finally {
    await page.close();
  }
}, { timeout: 60_000 });
