// Clearing the streaming site's data: everything of the service goes, nothing of any
// other site does; cancel leaves all in place; a refusing API is reported.
import { EXAMPLE, NETFLIX, PRESENT, inventory } from '../lib/sitedata.mjs';
import { check } from '../lib/runner.mjs';
import { startServer } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { BASE, DIST_CHROME, assert, clickUntil, assertEq, panelCode, panelFrame, streamfix, surfaceState, sw, until } from '../lib/streamfix.mjs';

const OTHER = 'https://example.org';

async function setup() {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server });
  const other = await b.newPage();
  await other.goto(`${OTHER}/`);
  await other.waitForFunction(() => document.documentElement.dataset.storageReady || document.documentElement.dataset.storageError);
  const page = await b.page();
  await page.goto(`${BASE}/storage`);
  await page.waitForFunction(() => document.documentElement.dataset.storageReady || document.documentElement.dataset.storageError);
  const mine = await inventory(page, server, NETFLIX);
  const theirs = await inventory(other, server, EXAMPLE);
  assert(PRESENT(mine), `streaming site data not all written: ${JSON.stringify(mine)}`);
  assert(PRESENT(theirs), `other site data not all written: ${JSON.stringify(theirs)}`);
  const otherCookies = await b.context.cookies(OTHER);
  // The error appears on the same origin, so its data is still there.
  await page.goto(`${BASE}/nsez-403`);
  await until(() => panelCode(page), { what: 'the panel' });
  return { server, b, page, other, theirs, otherCookies };
}

async function teardown({ b, server }) {
  await b.close();
  await server.close();
}

/** The other site's data, compared item by item with what it was (read from its
 * still-open page: a reload would write it all again). */
async function assertOtherIntact(env) {
  const now = await inventory(env.other, env.server, EXAMPLE);
  assertEq(now, env.theirs, 'other site data');
  const cookies = await env.b.context.cookies(OTHER);
  assertEq(cookies, env.otherCookies, 'other site cookies');
}

async function streamingData(env) {
  const probe = await env.b.newPage();
  try {
    await probe.goto(`${BASE}/`);
    return await inventory(probe, env.server, NETFLIX);
  } finally {
    await probe.close();
  }
}

async function storedNotice(b) {
  const all = await (await sw(b)).evaluate(() => chrome.storage.session.get(null));
  return Object.values(all).map((t) => t.cleared).find(Boolean) ?? null;
}

check('clear site data from the panel: every streaming item goes, the other site is untouched', async () => {
  const env = await setup();
  try {
    const frame = await panelFrame(env.b, env.page);
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
    // The confirmation names every kind of data that goes, and the clearing takes those.
    const listed = await frame.evaluate(() => [...document.querySelectorAll('.confirm [data-clears]')].map((li) => li.dataset.clears));
    await frame.click('[data-action="confirm"]');
    const notice = await until(() => storedNotice(env.b), { what: 'the clearing to finish' });
    assertEq(notice.failed, [], 'types the browser refused');
    assertEq(listed, notice.removed, 'the kinds the confirmation listed');
    const gone = await until(async () => {
      const inv = await streamingData(env);
      return inv.cookie === null ? inv : null;
    }, { what: 'the streaming cookie to go' });
    assertEq(gone, { cookie: null, local: null, indexedDB: null, cacheStorage: null, serviceWorker: [], httpCached: false }, 'streaming site data after clearing');
    await assertOtherIntact(env);
  } finally {
    await teardown(env);
  }
}, { timeout: 60_000 });

check('cancel leaves everything as it was', async () => {
  const env = await setup();
  try {
    const frame = await panelFrame(env.b, env.page);
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="cancel"]');
    await frame.click('[data-action="cancel"]');
    await frame.waitForSelector('[data-action="confirm"]', { state: 'detached' });
    await env.page.waitForTimeout(500);
    const mine = await streamingData(env);
    assert(PRESENT(mine), `streaming data changed after cancel: ${JSON.stringify(mine)}`);
    await assertOtherIntact(env);
  } finally {
    await teardown(env);
  }
}, { timeout: 60_000 });

check('clear site data from the toolbar popup works the same', async () => {
  const env = await setup();
  try {
    const popup = await env.b.openPopup(streamfix(env.b).id, { page: env.page });
    await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
    await popup.click('[data-action="clear-site-data"]');
    await popup.waitFor('document.querySelector(\'[data-action="confirm"]\')');
    await popup.click('[data-action="confirm"]');
    await until(() => storedNotice(env.b), { what: 'the clearing to finish' });
    const inv = await until(async () => {
      const i = await streamingData(env);
      return i.cookie === null ? i : null;
    }, { what: 'the streaming cookie to go' });
    assertEq(inv.local, null, 'local storage after clearing');
    await assertOtherIntact(env);
  } finally {
    await teardown(env);
  }
}, { timeout: 60_000 });

check('when the browser refuses the filtered remover, cookies still go and the rest is reported', async () => {
  const env = await setup();
  try {
    // Simulate a browser whose browsingData refuses every call.
    await (await sw(env.b)).evaluate(() => {
      chrome.browsingData.remove = () => Promise.reject(new Error('refused'));
    });
    const frame = await panelFrame(env.b, env.page);
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
    await frame.click('[data-action="confirm"]');
    const notice = await until(() => storedNotice(env.b), { what: 'the clearing report' });
    assertEq(notice.removed, ['cookies'], 'removed through the cookies fallback');
    assert(notice.failed.includes('localStorage') && notice.failed.includes('cache'), `reported failures: ${notice.failed}`);
    const inv = await streamingData(env);
    assertEq([inv.cookie, inv.local], [null, 'present'], 'cookie gone, local storage left');
    await assertOtherIntact(env);
  } finally {
    await teardown(env);
  }
}, { timeout: 60_000 });
