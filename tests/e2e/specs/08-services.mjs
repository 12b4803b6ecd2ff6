// Beyond Netflix (issue 11): YouTube, Disney+, Prime Video and HBO Max error screens get
// the panel and the badge with the right code, their look-alikes stay quiet, clearing
// YouTube's data leaves Google's cookie byte for byte, an HTTP failure on a service is
// explained naming it, and a service switched off in the options page gets no panel.
import { check } from '../lib/runner.mjs';
import { sharedEnv, assert, assertEq, badgeSoon, badgeText, clickUntil, panelCode, panelFrame, streamfix, surfaceState, sw, tabIdOf, until } from '../lib/streamfix.mjs';

const env = sharedEnv();

const SCREENS = [
  ['https://www.youtube.com/watch-error', 'YT-ERROR'],
  ['https://www.disneyplus.com/error-83', '83'],
  ['https://www.primevideo.com/error-1007', '1007'],
  ['https://play.max.com/error', 'MAX-CANT-PLAY'],
];

const LOOK_ALIKES = [
  'https://www.youtube.com/watch-comment',
  'https://www.disneyplus.com/series',
  'https://www.primevideo.com/detail',
  'https://play.max.com/browse',
];

async function expectPanel(b, url, code) {
  const page = await b.newPage();
  try {
    await page.goto(url);
    const shown = await until(() => panelCode(page), { what: `the panel on ${url}` });
    assertEq(shown, code, `panel data-code on ${url}`);
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', `badge on ${url}`);
    // The panel renders the same diagnosis (its own data-code).
    const frame = await panelFrame(b, page);
    const s = await surfaceState((fn) => frame.evaluate(fn), { want: (x) => x.state === 'error' });
    assertEq(s.code, code, `panel surface data-code on ${url}`);
    return s;
  } finally {
    await page.close();
  }
}

async function expectQuiet(b, url) {
  const page = await b.newPage();
  try {
    await page.goto(url);
    // Past the content script's settle report (2.5 s after load).
    await page.waitForTimeout(3000);
    assertEq(await panelCode(page), null, `panel on ${url}`);
    assertEq(await badgeText(b, await tabIdOf(b, page)), '', `badge on ${url}`);
  } finally {
    await page.close();
  }
}

for (const [url, code] of SCREENS) {
  check(`error screen ${url} → panel and badge for ${code}`, async () => {
    const { b } = await env();
    await expectPanel(b, url, code);
  });
}

for (const url of LOOK_ALIKES) {
  check(`look-alike ${url} stays quiet`, async () => {
    const { b } = await env();
    await expectQuiet(b, url);
  });
}

check('an HTTP 503 from Disney+ gets the panel naming Disney+, with the wait-and-retry countdown', async () => {
  const { b, server } = await env();
  server.setRoute('www.disneyplus.com', '/busy', (req, res) => {
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><title>Disney+</title><p>Service Unavailable</p>');
  });
  const page = await b.newPage();
  try {
    await page.goto('https://www.disneyplus.com/busy');
    const s = await expectOpenPanel(b, page, 'HTTP-503');
    assertEq(s.meaning.startsWith('Disney+ answered "Service Unavailable"'), true, `meaning: ${s.meaning}`);
    assert(s.countdown, 'the wait-and-retry countdown is offered');
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', 'badge');
  } finally {
    await page.close();
  }
});

/** The panel on `page` shows `code`: its meaning and whether a countdown runs. */
async function expectOpenPanel(b, page, code) {
  assertEq(await until(() => panelCode(page), { what: `the ${code} panel` }), code, 'panel data-code');
  const frame = await panelFrame(b, page);
  await surfaceState((fn) => frame.evaluate(fn), { want: (x) => x.state === 'error' && x.code === code });
  return frame.evaluate(() => ({
    meaning: document.querySelector('.meaning')?.textContent ?? '',
    countdown: document.querySelector('[data-action="cancel-retry"]') !== null,
  }));
}

check('a removed YouTube video opens no panel; the badge and popup say there is nothing to fix, and offer no clearing', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto('https://www.youtube.com/unavailable');
    const tabId = await tabIdOf(b, page);
    await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge' });
    await page.waitForTimeout(1000);
    assertEq(await panelCode(page), null, 'panel');
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      const s = await surfaceState((fn) => popup.evaluate(fn), { want: (x) => x.state === 'error' });
      assertEq(s.code, 'YT-UNAVAILABLE', 'popup diagnosis');
      const steps = await popup.evaluate(() => [...document.querySelectorAll('[data-step]')].map((x) => x.dataset.step).filter((v, i, a) => a.indexOf(v) === i));
      assertEq(steps, ['video-unavailable'], 'plan steps');
      assertEq(await popup.evaluate(() => document.querySelector('[data-action="clear-site-data"]')), null, 'a clear-site-data button');
    } finally {
      await popup.close();
    }
  } finally {
    await page.close();
  }
});

check("clearing YouTube's data removes its cookie and leaves google.com's byte for byte", async () => {
  const { b } = await env();
  const google = await b.newPage();
  await google.goto('https://www.google.com/');
  const googleBefore = await b.context.cookies('https://www.google.com');
  assert(googleBefore.some((c) => c.name === 'fixtureCookie' && c.value === 'google-present'), `google cookie not set: ${JSON.stringify(googleBefore)}`);
  const page = await b.newPage();
  try {
    await page.goto('https://www.youtube.com/');
    await page.goto('https://www.youtube.com/watch-error');
    const ytBefore = await b.context.cookies('https://www.youtube.com');
    assert(ytBefore.some((c) => c.name === 'fixtureCookie' && c.domain === '.youtube.com'), `youtube cookie not set: ${JSON.stringify(ytBefore)}`);
    await until(() => panelCode(page), { what: 'the panel' });
    const frame = await panelFrame(b, page);
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
    const note = await frame.textContent('[data-confirm-note]');
    assert(/Google/.test(note), `confirmation note: ${note}`);
    await frame.click('[data-action="confirm"]');
    await until(async () => {
      const left = await b.context.cookies('https://www.youtube.com');
      return left.some((c) => c.name === 'fixtureCookie') ? null : true;
    }, { what: "YouTube's cookie to go" });
    const cleared = await until(async () => {
      const all = await (await sw(b)).evaluate(() => chrome.storage.session.get(null));
      return Object.values(all).map((t) => t.cleared).find(Boolean) ?? null;
    }, { what: 'the clearing to be recorded' });
    assertEq(cleared.failed, [], 'types the browser refused');
    assert(cleared.removed.includes('cookies'), `removed: ${cleared.removed}`);
    assertEq(await b.context.cookies('https://www.google.com'), googleBefore, 'google.com cookies');
  } finally {
    await page.close();
    await google.close();
  }
}, { timeout: 60_000 });

async function setService(b, id, on) {
  const options = await b.newPage();
  try {
    await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
    const box = `[data-service="${id}"]`;
    await options.waitForSelector(box);
    if ((await options.isChecked(box)) !== on) await options.click(box);
    await until(async () => {
      const { settings } = await (await sw(b)).evaluate(() => chrome.storage.local.get('settings'));
      return (settings?.off_services ?? []).includes(id) === !on ? true : null;
    }, { what: `${id} to be switched ${on ? 'on' : 'off'}` });
    await options.waitForSelector(`${box}${on ? ':checked' : ':not(:checked)'}`);
  } finally {
    await options.close();
  }
}

check('switching Disney+ off in the options stops its panel; YouTube still gets one; on again brings it back', async () => {
  const { b } = await env();
  const options = await b.newPage();
  await options.goto(`chrome-extension://${streamfix(b).id}/options.html`);
  // The page renders once the wasm is in and the worker has answered.
  await options.waitForSelector('[data-service]');
  const listed = await options.$$eval('[data-service]', (boxes) => boxes.map((x) => [x.dataset.service, x.checked]));
  await options.close();
  assertEq(listed, [['netflix', true], ['youtube', true], ['disneyplus', true], ['primevideo', true], ['max', true]], 'services listed, all on');
  await setService(b, 'disneyplus', false);
  try {
    await expectQuiet(b, 'https://www.disneyplus.com/error-83');
    await expectPanel(b, 'https://www.youtube.com/watch-error', 'YT-ERROR');
  } finally {
    await setService(b, 'disneyplus', true);
  }
  await expectPanel(b, 'https://www.disneyplus.com/error-83', '83');
}, { timeout: 60_000 });
