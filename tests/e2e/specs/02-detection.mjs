// Detection in the real browser: every replayed error screen gets the panel and the badge
// with the right code; look-alikes get neither; HTTP and network failures are classified.
import { check } from '../lib/runner.mjs';
import { startServer, statusRoute } from '../lib/server.mjs';
import { launch, fixtureExtension } from '../lib/browser.mjs';
import { evaluateIn } from '../lib/cdp.mjs';
import { sharedEnv, BASE, DIST_CHROME, assert, assertEq, badgeSoon, badgeText, panelCode, streamfix, surfaceState, sw, tabIdOf, tabState, until } from '../lib/streamfix.mjs';

const env = sharedEnv({ hostRules: ['MAP dnsfail.netflix.com ~NOTFOUND'] });

/** The tab's stored detection code, read from StreamFix's session storage. */
async function storedCode(b, tabId) {
  return (await tabState(b, tabId))?.detection?.code ?? null;
}

async function expectPanel(path, code) {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}${path}`);
    const shown = await until(() => panelCode(page), { what: `the panel on ${path}` });
    assertEq(shown, code, `panel data-code on ${path}`);
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', `badge on ${path}`);
  } finally {
    await page.close();
  }
}

async function expectQuiet(url) {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(url);
    await page.waitForTimeout(1500);
    assertEq(await panelCode(page), null, `panel on ${url}`);
    assertEq(await badgeText(b, await tabIdOf(b, page)), '', `badge on ${url}`);
  } finally {
    await page.close();
  }
}

const screens = [
  ['/nsez-503', 'NSEZ-503'],
  ['/nsez-403', 'NSEZ-403'],
  ['/nw-6-403', 'NW-6-403'],
  ['/m7111', 'M7111-1331-5059'],
  ['/nses-uhx', 'NSES-UHX'],
  ['/pardon', 'PARDON'],
  ['/unknown-code', 'ABCD-1234'],
  ['/localized-es', 'NSEZ-403'],
  ['/service-unavailable', 'HTTP-503'],
  ['/bad-gateway', 'HTTP-502'],
];
for (const [path, code] of screens) {
  check(`error screen ${path} → panel and badge for ${code}`, () => expectPanel(path, code));
}

for (const url of [`${BASE}/`, `${BASE}/article-like`, 'https://help.netflix.com/', `${BASE}/churn`]) {
  check(`look-alike ${url} stays quiet`, () => expectQuiet(url));
}

check('on a page that churns (the watcher pausing between bursts), an error still gets the panel, and its going away clears it', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/churn?burst=40&interval=16`);
    await page.waitForTimeout(3000);
    assertEq(await panelCode(page), null, 'panel while healthy');
    const before = Number(await page.evaluate(() => document.documentElement.dataset.mutations));
    await page.evaluate(() => {
      const div = document.createElement('div');
      div.className = 'nf-error';
      div.id = 'late-error';
      div.textContent = 'Error Code: NSEZ-503';
      document.querySelector('.watch-video--player-view').append(div);
    });
    assertEq(await until(() => panelCode(page), { what: 'the panel on the churning page', timeout: 3000 }), 'NSEZ-503', 'panel');
    assert(Number(await page.evaluate(() => document.documentElement.dataset.mutations)) > before, 'the page kept churning');
    await page.evaluate(() => document.getElementById('late-error').remove());
    await until(async () => (await panelCode(page)) === null, { what: 'the panel to go with the error', timeout: 3000 });
  } finally {
    await page.close();
  }
});

/** The player inserts its error `delay` ms after load, without a reload. */
async function lateError(delay, quietFor) {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/watch-late-error?delay=${delay}`);
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.waitForTimeout(quietFor);
    assertEq(await panelCode(page), null, 'panel before the error');
    const code = await until(() => panelCode(page), { what: 'the panel after the late error' });
    assertEq(code, 'NSEZ-503', 'late panel');
    assert(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
  } finally {
    await page.close();
  }
}

check('an error the player inserts later, without a reload, is detected', () => lateError(1500, 500));
// After the settled report (2.5 s after load), only the page watcher's own reports count.
check('an error inserted long after the page settled is detected', () => lateError(4500, 3500));

// The page watcher looks at a few records node by node and at bursts and free text a
// little later (content.js): each way an error can appear on a playing page still counts.
// The player page never shows its own error here (delay of 10 minutes); the test changes
// the DOM from the page's world, as the player's script would.
async function onPlayer(fn) {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/watch-late-error?delay=600000`);
    await page.waitForFunction(() => document.documentElement.dataset.fixtureReady === '1');
    // Past the content script's one-off "settled" report (2.5 s after load), which reads
    // the whole page: from then on only the page watcher finds what changes.
    await page.waitForTimeout(3000);
    await fn(page);
  } finally {
    await page.close();
  }
}

/** The page's script adds `<tag>` with `props` (className, id, hidden, textContent) under `parent`. */
const place = (page, parent, tag, props) =>
  page.evaluate(([parent, tag, props]) => {
    document.querySelector(parent).append(Object.assign(document.createElement(tag), props));
  }, [parent, tag, props]);

/** The page's script gives the first text node of `#id` new text, in place. */
const retext = (page, id, text) =>
  page.evaluate(([id, text]) => { document.getElementById(id).firstChild.data = text; }, [id, text]);

const PLAYER = '.watch-video--player-view';

const quietFor = async (page, ms, what) => {
  await page.waitForTimeout(ms);
  assertEq(await panelCode(page), null, what);
};

check('a hidden error container that is shown later (hidden attribute, then a class) gets the panel', () =>
  onPlayer(async (page) => {
    await place(page, PLAYER, 'div', { className: 'nf-error', hidden: true, id: 'later', textContent: 'Error Code: NSEZ-503' });
    await quietFor(page, 800, 'panel while the container is hidden');
    await page.evaluate(() => { document.getElementById('later').hidden = false; });
    assertEq(await until(() => panelCode(page), { what: 'the panel once shown' }), 'NSEZ-503', 'panel');
    // Gone again: the page hides it.
    await page.evaluate(() => { document.getElementById('later').hidden = true; });
    await until(async () => (await panelCode(page)) === null, { what: 'the panel to go once it is hidden' });
    // And one that becomes a container by a class change (an unknown code in the control
    // bar, where no error screen stands: only a container's text can carry one there).
    await place(page, '.player-controls', 'div', { className: 'slot', id: 'slot', textContent: 'Error ABCD-1234' });
    await quietFor(page, 800, 'panel before the class change');
    await page.evaluate(() => { document.getElementById('slot').classList.add('player-error'); });
    assertEq(await until(() => panelCode(page), { what: 'the panel after the class change' }), 'ABCD-1234', 'panel');
  }));

check('error text that changes in place inside a container gets the panel, and its new code', () =>
  onPlayer(async (page) => {
    await place(page, PLAYER, 'div', { className: 'nf-error', id: 'box', textContent: 'Loading' });
    await quietFor(page, 800, 'panel while the container says Loading');
    // characterData: the same text node gets new text.
    await retext(page, 'box', 'Error Code: NSEZ-403');
    assertEq(await until(() => panelCode(page), { what: 'the panel after the text changed' }), 'NSEZ-403', 'panel');
    await retext(page, 'box', 'Error Code: NW-6-403');
    await until(async () => (await panelCode(page)) === 'NW-6-403', { what: 'the panel to follow the new code' });
  }));

check('an error screen\'s words in a subtitle line over the player stay quiet; the same words standing as a screen of their own, in no known container, get the panel', () =>
  onPlayer(async (page) => {
    await page.evaluate(() => { document.querySelector('.subtitles').textContent = 'Something went wrong. Pardon the interruption.'; });
    await quietFor(page, 1500, 'panel for a subtitle line');
    await place(page, PLAYER, 'div', { id: 'screen', textContent: 'Pardon the interruption' });
    assertEq(await until(() => panelCode(page), { what: 'the panel for the screen' }), 'PARDON', 'panel');
  }));

check('an error that takes the video\'s own place in the page\'s flow gets the panel; the same words under it stay quiet', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto('https://www.disneyplus.com/inline-player');
    await page.waitForTimeout(3000);
    const words = 'Something went wrong. Please try again. If the problem persists, visit the Help Center. (Error Code 83)';
    await place(page, 'main', 'p', { id: 'below', textContent: words });
    await quietFor(page, 1200, 'panel for the words under the video');
    // The player's script drops its video for the error, in no box of its own.
    await page.evaluate((words) => {
      document.getElementById('below').remove();
      const stage = document.querySelector('.stage');
      stage.querySelector('video').remove();
      stage.append(Object.assign(document.createElement('div'), { className: 'notice', textContent: words }));
    }, words);
    assertEq(await until(() => panelCode(page), { what: 'the panel for the error in the video\'s place' }), '83', 'panel');
    assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', 'badge');
  } finally {
    await page.close();
  }
});

check('after twenty comment lines with an error screen\'s words, an error screen that appears still gets the panel', () =>
  onPlayer(async (page) => {
    // One at a time, as comments load, each a block of its own: text worth a look, and
    // none is an error (more than the content script keeps track of at once).
    for (let i = 0; i < 20; i++) {
      await place(page, 'body', 'p', { textContent: `Comment ${i}: something went wrong for me too` });
      await page.waitForTimeout(30);
    }
    await quietFor(page, 1000, 'panel for the comments');
    await place(page, PLAYER, 'div', { id: 'screen', textContent: 'Pardon the interruption' });
    assertEq(await until(() => panelCode(page), { what: 'the panel for the screen' }), 'PARDON', 'panel');
  }));

check('a code that appears in place in free text (no container) gets the panel', () =>
  onPlayer(async (page) => {
    await place(page, '.player-controls', 'p', { className: 'status', id: 'status', textContent: 'Buffering' });
    await quietFor(page, 800, 'panel while the line says Buffering');
    await retext(page, 'status', 'Error Code: NSEZ-503');
    assertEq(await until(() => panelCode(page), { what: 'the panel after the line changed' }), 'NSEZ-503', 'panel');
  }));

check('an error container inserted among a burst of nodes into one parent gets the panel', () =>
  onPlayer(async (page) => {
    await place(page, PLAYER, 'ul', { id: 'log' });
    await quietFor(page, 300, 'panel before the burst');
    await page.evaluate(() => {
      const list = document.getElementById('log');
      for (let i = 0; i < 12; i++) {
        const li = document.createElement('li');
        li.textContent = `segment ${i} ok`;
        if (i === 7) {
          li.className = 'nf-error';
          li.textContent = 'Error Code: NSES-UHX';
        }
        list.append(li);
      }
    });
    assertEq(await until(() => panelCode(page), { what: 'the panel after the burst' }), 'NSES-UHX', 'panel');
  }));

check('an HTTP 403 answer for the page is classified as HTTP-403', async () => {
  const { b, server } = await env();
  server.setRoute('www.netflix.com', '/forbidden', statusRoute(403, 'Forbidden'));
  await expectPanel('/forbidden', 'HTTP-403');
});

check('a DNS failure on the streaming host is classified as DNS (badge, no page)', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/`);
    const tabId = await tabIdOf(b, page);
    const err = await page.goto('https://dnsfail.netflix.com/').then(() => null, (e) => e.message);
    assert(/ERR_NAME_NOT_RESOLVED/.test(err ?? ''), `navigation should fail to resolve, got ${err}`);
    assertEq(await until(() => storedCode(b, tabId), { what: 'the DNS diagnosis' }), 'DNS', 'stored diagnosis');
    await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge on the failed tab' });
  } finally {
    await page.close();
  }
});

check('back to an error page from the back/forward cache: the diagnosis and the badge are back', async () => {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server, bfcache: true });
  try {
    // With the panel off: the diagnosis and the badge alone (the panel's own checks follow).
    const worker = await sw(b);
    await worker.evaluate(() => chrome.storage.local.set({ settings: { auto_panel: false, muted_codes: [], off_services: [] } }));
    const page = await b.page();
    await page.goto(`${BASE}/nsez-403`);
    const tabId = await tabIdOf(b, page);
    assertEq(await until(() => storedCode(b, tabId), { what: 'the diagnosis' }), 'NSEZ-403', 'stored diagnosis');
    await page.evaluate(() => { window.__fromCache = true; });
    await page.goto(`${BASE}/`);
    await until(async () => (await storedCode(b, tabId)) === null, { what: 'the healthy page to clear the diagnosis' });
    assertEq(await badgeText(b, tabId), '', 'badge on the healthy page');
    await page.goBack({ waitUntil: 'commit' });
    assert(await page.evaluate(() => window.__fromCache === true), 'the page came from the back/forward cache');
    assertEq(await until(() => storedCode(b, tabId), { what: 'the diagnosis after going back' }), 'NSEZ-403', 'stored diagnosis after going back');
    await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge after going back' });
  } finally {
    await b.close();
    await server.close();
  }
});

/**
 * A browser with the back/forward cache on, one tab, and a CDP session on it that collects
 * why Chromium did not restore a page from the cache (`Page.backForwardCacheNotUsed`).
 */
async function bfcacheEnv(t) {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server, bfcache: true });
  t.defer(async () => {
    await b.close();
    await server.close();
  });
  const page = await b.page();
  const cdp = await b.context.newCDPSession(page);
  await cdp.send('Page.enable');
  const notUsed = [];
  const explain = (node) => [
    ...node.explanations.map((x) => `${x.reason} (${node.url || 'a frame not yet committed'})`),
    ...node.children.flatMap(explain),
  ];
  cdp.on('Page.backForwardCacheNotUsed', (e) => notUsed.push(...explain(e.notRestoredExplanationsTree)));
  return { b, page, cdp, notUsed, server };
}

/** Marks the page's own JS world, goes to another page of the site and back; true when the page came back from the cache. */
async function leaveAndComeBack(b, page, { away, to = `${BASE}/`, go = () => page.goto(to) } = {}) {
  await page.evaluate(() => { window.__fromCache = true; });
  await go();
  await away?.();
  await page.goBack({ waitUntil: 'commit' });
  return page.evaluate(() => window.__fromCache === true && performance.getEntriesByType('navigation').length === 1);
}

/**
 * Evaluates `expression` in the panel's frame, found among the browser's targets (Playwright
 * does not follow a frame restored from the cache); null while there is no panel frame.
 */
async function inPanelFrame(b, expression) {
  const prefix = `chrome-extension://${streamfix(b).id}/panel.html`;
  const frames = (await b.targets()).filter((t) => t.type === 'iframe' && t.url.startsWith(prefix));
  if (frames.length === 0) return null;
  assertEq(frames.length, 1, 'panel frames');
  const session = await b.attachToTarget(frames[0]);
  try {
    return await evaluateIn(session, expression);
  } finally {
    await session.detach();
  }
}

const PANEL_VIEW = 'document.body.dataset.state === "error" ? document.body.dataset.code : null';

check('back to a page showing the panel: restored from the back/forward cache, the diagnosis, panel and badge are back', async (t) => {
  const { b, page, notUsed } = await bfcacheEnv(t);
  await page.goto(`${BASE}/nsez-403`);
  assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-403', 'panel');
  assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: 'the panel to show the diagnosis' }), 'NSEZ-403', 'panel view');
  const tabId = await tabIdOf(b, page);
  // Chromium 156 keeps no page that embeds an extension frame ("EmbedderExtensionFrame",
  // "BrowsingInstanceNotSwapped" for the same site): the panel goes on `beforeunload`,
  // before the navigation starts, and comes back with the page. Both kinds of navigation:
  // the browser's (address bar, here page.goto) and the page's (a link).
  const byLink = (to) => async () => {
    await page.evaluate((href) => {
      const a = Object.assign(document.createElement('a'), { href, id: 'e2e-leave', textContent: 'leave' });
      a.style.cssText = 'position:fixed;left:0;bottom:0;z-index:1';
      document.getElementById('e2e-leave')?.remove();
      document.body.append(a);
    }, to);
    await Promise.all([page.waitForURL(to), page.click('#e2e-leave')]);
  };
  for (const [to, go] of [[`${BASE}/`], ['https://example.org/'], [`${BASE}/`, byLink(`${BASE}/`)], ['https://example.org/', byLink('https://example.org/')]]) {
    notUsed.length = 0;
    const how = go ? 'a link' : 'the address bar';
    assert(await leaveAndComeBack(b, page, { to, go }), `back from ${to} (left by ${how}): restored from the back/forward cache (not restored: ${notUsed.join(', ') || 'no reason given'})`);
    assertEq(await until(() => panelCode(page), { what: 'the panel after going back' }), 'NSEZ-403', 'panel after going back');
    assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: 'the panel to show the diagnosis again' }), 'NSEZ-403', 'panel view after going back');
    await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge after going back' });
  }
});

check('leaving for a page that is slow to come: the panel goes with the user and stays away until the next page, whose report alone counts', async (t) => {
  const { b, page, server } = await bfcacheEnv(t);
  server.setRoute('www.netflix.com', '/slow-browse', (req, res) => setTimeout(() => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Netflix</title><p>Home</p>');
  }, 4500));
  await page.goto(`${BASE}/nsez-403`);
  assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-403', 'panel');
  assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: 'the panel to show the diagnosis' }), 'NSEZ-403', 'panel view');
  const tabId = await tabIdOf(b, page);
  let arrived = false;
  const going = page.goto(`${BASE}/slow-browse`).catch(() => {}).finally(() => { arrived = true; });
  // The service worker has seen the navigation start (the tab's diagnosis is reset)
  // while the error page is still on screen; its panel went as the user left.
  await until(async () => (await badgeText(b, tabId)) === '', { what: 'the badge to clear as the tab navigates', timeout: 2000 });
  await new Promise((r) => setTimeout(r, 300));
  // (Asked of the browser's frame targets: the page's own DevTools session waits while
  // the tab is navigating to another process.)
  assertEq(await inPanelFrame(b, 'document.body.dataset.state'), null, 'a panel frame while the next page loads');
  // A navigation this slow outlasts the 2 s after which a navigation that didn't happen
  // gets its panel back: the old page reports again, and the core, knowing the next page
  // is on its way, neither brings the panel back nor takes that report for news (the
  // badge stays clear, nothing is judged by it).
  const states = [];
  const badges = new Set();
  while (!arrived) {
    // The view it renders (panel.html's markup says "ok" until the first one comes).
    const state = await inPanelFrame(b, 'document.getElementById("main").childElementCount > 0 ? document.body.dataset.state : null').catch(() => null);
    if (state) states.push(state);
    if (!arrived) badges.add(await badgeText(b, tabId).catch(() => '?'));
    await new Promise((r) => setTimeout(r, 100));
  }
  assertEq(states, [], 'views in a panel frame while the next page loads');
  assertEq([...badges].filter((x) => x !== '?'), [''], 'badge while the next page loads');
  await going;
});

check('a navigation that does not happen after all (the page\'s "Leave site?" answered Stay, a download): the panel stays or comes back', async (t) => {
  const { b, page, server } = await bfcacheEnv(t);
  server.setRoute('www.netflix.com', '/file.bin', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="file.bin"' });
    res.end('streamfix');
  });
  // The page asks before it is left, once the test says so (`window.e2eAsk`); this
  // listener comes before StreamFix's (registered as the page starts).
  await page.addInitScript(() => addEventListener('beforeunload', (e) => {
    if (window.e2eAsk) {
      e.preventDefault();
      e.returnValue = 'unsaved';
    }
  }));
  const stay = (dialog) => dialog.dismiss().catch(() => {});
  page.on('dialog', stay);
  t.defer(() => page.off('dialog', stay));
  const open = async () => {
    await page.evaluate(() => { window.e2eAsk = window.e2eAskLate = false; });
    await page.goto(`${BASE}/nsez-403`);
    assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: 'the panel to show the diagnosis' }), 'NSEZ-403', 'panel view');
    // The page asks the user only once the user has used it.
    await page.mouse.click(200, 600);
  };
  const leaveFor = (url) => page.evaluate((href) => { location.href = href; }, url).catch(() => {});
  const panelBack = async (what) => {
    assertEq(await until(() => panelCode(page), { what: `the panel ${what}`, timeout: 6000 }), 'NSEZ-403', `panel ${what}`);
    assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: `the panel view ${what}`, timeout: 6000 }), 'NSEZ-403', `panel view ${what}`);
    assertEq(page.url(), `${BASE}/nsez-403`, `the page ${what}`);
    await until(async () => (await badgeText(b, await tabIdOf(b, page))) === '!', { what: `the badge ${what}` });
  };

  // The page's question comes before StreamFix's listener: the panel stays for the answer.
  await open();
  await page.evaluate(() => { window.e2eAsk = true; });
  await leaveFor(`${BASE}/`);
  for (let i = 0; i < 10; i++) {
    assertEq(await panelCode(page), 'NSEZ-403', 'the panel while the page asks, and after Stay');
    await new Promise((r) => setTimeout(r, 100));
  }
  await panelBack('after Stay');

  // The page's question comes after StreamFix's listener: the panel went, and comes back.
  await open();
  await page.evaluate(() => {
    window.e2eAskLate = true;
    addEventListener('beforeunload', (e) => { if (window.e2eAskLate) e.preventDefault(); });
  });
  await leaveFor(`${BASE}/`);
  assertEq(await panelCode(page), null, 'the panel just after a later Stay');
  await panelBack('after a later Stay');

  // Going to a download: the navigation ends in the download, the page stays.
  await open();
  const download = page.waitForEvent('download');
  await leaveFor(`${BASE}/file.bin`);
  await download;
  await panelBack('after a download');
});

check('back to a page left while its panel was loading: restored from the back/forward cache, the panel comes back', async (t) => {
  const { b, page, cdp, notUsed } = await bfcacheEnv(t);
  // Hold the panel's frame before it commits (DevTools' wait-for-debugger on new frames):
  // the page is left while that frame is still loading, as when the user leaves at once.
  let held = null;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'iframe') held = e;
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  await page.goto(`${BASE}/nsez-403`);
  assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-403', 'panel');
  assert((await until(async () => held, { what: 'the panel frame to be held' })).waitingForDebugger, 'the panel frame is held loading');
  const tabId = await tabIdOf(b, page);
  const away = () => cdp.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: false });
  assert(await leaveAndComeBack(b, page, { away }), `the page came back from the back/forward cache (not restored: ${notUsed.join(', ') || 'no reason given'})`);
  assertEq(await until(() => panelCode(page), { what: 'the panel after going back' }), 'NSEZ-403', 'panel after going back');
  assertEq(await until(() => inPanelFrame(b, PANEL_VIEW), { what: 'the panel to show the diagnosis again' }), 'NSEZ-403', 'panel view after going back');
  await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge after going back' });
});

check('a proxy that refuses connections (fake VPN extension) is classified as PROXY', async () => {
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME, fixtureExtension('fake-vpn')], server });
  try {
    const page = await b.page();
    await page.waitForTimeout(500); // let the fake VPN apply its proxy
    const err = await page.goto(`${BASE}/`).then(() => null, (e) => e.message);
    assert(/ERR_PROXY|ERR_TUNNEL/.test(err ?? ''), `navigation should fail at the proxy, got ${err}`);
    const worker = await sw(b);
    // The failed tab shows an error page; find it by what the core stored for it.
    const tabId = await until(async () => {
      const all = await worker.evaluate(() => chrome.storage.session.get(null));
      const key = Object.keys(all).find((k) => all[k].url?.startsWith(`${'https://www.netflix.com'}/`));
      return key ? Number(key.slice(4)) : null;
    }, { what: 'a stored state for the failed tab' });
    assertEq(await until(() => storedCode(b, tabId), { what: 'the proxy diagnosis' }), 'PROXY', 'stored diagnosis');
    await until(async () => (await badgeText(b, tabId)) === '!', { what: 'the badge on the failed tab' });
  } finally {
    await b.close();
    await server.close();
  }
});

check('recovery: the panel and badge go away when the page is healthy again', async () => {
  const { b, server } = await env();
  let status = 503;
  server.setRoute('www.netflix.com', '/flaky', (req, res) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(status === 200 ? '<!doctype html><title>Netflix</title><p>Playing</p>' : '<!doctype html><title>Netflix</title><p>Service Unavailable</p>');
  });
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/flaky`);
    assertEq(await until(() => panelCode(page), { what: 'the 503 panel' }), 'HTTP-503', 'panel');
    const tabId = await tabIdOf(b, page);
    status = 200;
    await page.reload();
    await page.waitForTimeout(1200);
    assertEq(await panelCode(page), null, 'panel after recovery');
    assertEq(await badgeText(b, tabId), '', 'badge after recovery');
  } finally {
    await page.close();
  }
});

check('the diagnosis survives a service-worker restart', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    await b.stopServiceWorkers();
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      const s = await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      assertEq([s.state, s.code], ['error', 'NSEZ-403'], 'popup after the worker restarted');
    } finally {
      await popup.close();
    }
  } finally {
    await page.close();
  }
});

check('after leaving the streaming site, the popup shows no stale diagnosis', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-503`);
    await until(() => panelCode(page), { what: 'the panel' });
    await page.goto('https://example.org/');
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      const s = await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'ok' });
      assertEq([s.state, s.code], ['ok', ''], 'popup on the other site');
    } finally {
      await popup.close();
    }
  } finally {
    await page.close();
  }
});
