// The page is hostile: a streaming page whose own script (tests/fixtures/sites/
// www.netflix.com/static/hostile.js) tries to read the StreamFix panel (window.find with
// the panel's real words, the host's shadow root and light DOM, a patched attachShadow,
// window.frames, select-all, getHTML, caret lookup), to operate it (synthetic clicks on
// the host and over a grid of points where its buttons are, synthetic keys), to post
// forged StreamFix-shaped messages, to reach the extension through chrome.runtime, to
// load the panel by its static URL (fetch and an iframe of its own), and to evict the
// panel's host. Nothing may leak, nothing destructive may happen, and StreamFix must
// still work afterwards.
import { check } from '../lib/runner.mjs';
import { fixtureExtension } from '../lib/browser.mjs';
import {
  BASE, assert, assertEq, badgeSoon, badgeText, clickUntil, panelCode, panelFrame, sharedEnv, streamfix, surfaceState, sw, tabIdOf, until,
} from '../lib/streamfix.mjs';

// Other extensions, so the panel can show their names (what a page would most like to read).
const env = sharedEnv({ extensions: [fixtureExtension('fake-adblocker'), fixtureExtension('unrelated')] });

const CANARY = { name: 'hostileCanary', value: 'still-here' };

async function putCanary(b) {
  await b.context.addCookies([{
    ...CANARY, domain: 'www.netflix.com', path: '/', secure: true, sameSite: 'Lax', expires: Math.floor(Date.now() / 1000) + 3600,
  }]);
}

async function canary(b) {
  return (await b.context.cookies(BASE)).find((c) => c.name === CANARY.name)?.value ?? null;
}

async function stored(b) {
  const worker = await sw(b);
  return worker.evaluate(async () => ({ session: await chrome.storage.session.get(null), local: await chrome.storage.local.get(null) }));
}

/** Words the panel shows that the page itself does not: what the page will hunt for. */
async function panelWords(frame, page) {
  const own = await page.evaluate(() => document.body.innerText);
  const text = await frame.evaluate(() => document.body.innerText);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length >= 4 && l.length <= 60 && !own.includes(l));
  return [...new Set(lines)].slice(0, 24);
}

/**
 * Opens the hostile page, lets the panel render (and the extension list, if `extensions`
 * is set), then starts the attack with the panel's own words and waits for its report.
 */
async function attack(b, page, { evict = false, before } = {}) {
  const id = streamfix(b).id;
  await page.goto(`${BASE}/hostile?go=manual&wait=15000&ext=${id}${evict ? '&evict=1' : ''}`);
  assertEq(await until(() => panelCode(page), { what: 'the panel' }), 'NSEZ-403', 'panel code');
  const frame = await panelFrame(b, page);
  await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
  if (before) await before(frame);
  const words = await panelWords(frame, page);
  assert(words.length >= 5, `too few panel words to hunt for: ${JSON.stringify(words)}`);
  const navigations = [];
  page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
  await page.evaluate((w) => {
    document.documentElement.dataset.probes = w.join('\n');
    document.documentElement.dataset.go = '1';
  }, words);
  await until(() => page.evaluate(() => document.body.dataset.hostileDone === '1' || null), { timeout: 25_000, what: 'the hostile script to finish' });
  const leak = JSON.parse(await page.evaluate(() => document.body.dataset.leak));
  return { leak, words, navigations, frame };
}

/** Everything the page got must be empty-handed. */
function assertNothingLeaked(leak, page) {
  assert(leak.panel, 'the hostile script saw no panel');
  assertEq(leak.found, {}, `window.find hits inside the panel (hunted: ${leak.found && Object.keys(leak.found)})`);
  assertEq([leak.shadowRoot, leak.text, leak.innerHTML, leak.frames], [false, '', '', []], 'shadowRoot, host text, light DOM, readable frames');
  assertEq(leak.lightDom, { children: 0, descendants: 0, iframes: [] }, 'light DOM under the host');
  assert(/NotSupportedError/.test(leak.reattach), `a second shadow root on the host: ${leak.reattach}`);
  assertEq(leak.capturedRoots, [], 'shadow roots caught by a patched attachShadow');
  assertEq(leak.frameAccess, [], 'documents or URLs read through window.frames');
  assertEq([leak.selectionWords, leak.getHTMLWords], [[], []], 'panel words in select-all or getHTML');
  assert(!String(leak.caretNode).includes('outside the document'), `caret lookup reached inside: ${leak.caretNode}`);
  assertEq(leak.runtime.visible, false, `chrome.runtime visible to the page (${JSON.stringify(leak.runtime)})`);
  assert(leak.panelUrl.fetch?.error, `the page fetched the panel by its static URL: ${JSON.stringify(leak.panelUrl.fetch)}`);
  assertEq(leak.panelUrl.frameDocument, null, 'the page read its own panel iframe');
  assert(leak.clicks > 50 && leak.posted > 20, `the attack did not run fully: ${leak.clicks} clicks, ${leak.posted} messages`);
  assert(leak.panelAfterPoke, 'synthetic clicks, keys or forged messages closed the panel');
  void page;
}

/** The page's own iframe of the static panel URL must not render StreamFix's panel. */
async function assertPanelNotFramedByPage(page) {
  const theirs = page.frames().filter((f) => f.name() === 'hostile-frame');
  assertEq(theirs.length, 1, 'the page\'s iframe of the panel URL');
  const state = await theirs[0].evaluate(() => document.body?.dataset.state ?? null).catch(() => null);
  assertEq(state, null, `the panel rendered inside the page's own iframe (${theirs[0].url()})`);
}

/** No destructive step took effect: cookie kept, no pending or done clearing, nothing muted or dismissed. */
async function assertNothingDestroyed(b, page, navigations) {
  assertEq(await canary(b), CANARY.value, 'the streaming site\'s cookie');
  assertEq(navigations, [], 'the tab reloaded or navigated');
  const tabId = await tabIdOf(b, page);
  const { session, local } = await stored(b);
  const tab = session[`tab:${tabId}`];
  assert(tab, 'no stored state for the tab');
  for (const [key, t] of Object.entries(session).filter(([k]) => k.startsWith('tab:'))) {
    assertEq([t.cleared ?? null, t.pending ?? null], [null, null], `${key}: cleared / pending`);
    assert(!['clearing', 'cleared'].includes(t.notice?.kind), `${key}: notice ${JSON.stringify(t.notice)}`);
    assert(t.steps?.['clear-site-data'] === undefined, `${key}: clear-site-data step ${t.steps?.['clear-site-data']}`);
  }
  assertEq(tab.dismissed ?? [], [], 'codes dismissed on the tab');
  assertEq(local.settings?.muted_codes ?? [], [], 'muted codes');
  assertEq(local.ledger?.off ?? [], [], 'extensions turned off');
  const all = await (await sw(b)).evaluate(() => chrome.management.getAll());
  assertEq(all.filter((x) => !x.enabled).map((x) => x.name), [], 'disabled extensions');
}

check('hostile page: reads nothing of the panel, forges nothing, and StreamFix still works', async () => {
  const { b } = await env();
  await putCanary(b);
  const page = await b.newPage();
  try {
    // The user has listed the extensions: the panel now shows their names.
    const { leak, words, navigations } = await attack(b, page, {
      evict: true,
      before: async (frame) => {
        await clickUntil(frame, '[data-action="check-extensions"]', '[data-ext-id]');
        await until(() => frame.evaluate(() => document.body.innerText.includes('Unrelated Notes') || null), { what: 'the extension names' });
      },
    });
    assert(words.some((w) => w.includes('Unrelated Notes') || w.includes('Fake AdBlock')), `extension names not among the hunted words: ${words}`);
    assertNothingLeaked(leak, page);
    await assertPanelNotFramedByPage(page);
    assertEq([leak.evicted.removed, leak.evicted.back], [true, true], 'the host removed by the page, then back');
    await assertNothingDestroyed(b, page, navigations);
    // Still working: the panel is there with its diagnosis and answers a trusted click.
    assertEq(await panelCode(page), 'NSEZ-403', 'panel after the attack');
    const frame = await panelFrame(b, page);
    const s = await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
    assertEq(s.code, 'NSEZ-403', 'panel diagnosis after the attack');
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="cancel"]');
    await frame.click('[data-action="cancel"]');
    await frame.waitForSelector('[data-action="confirm"]', { state: 'detached' });
    const popup = await b.openPopup(streamfix(b).id, { page });
    try {
      const p = await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
      assertEq(p.code, 'NSEZ-403', 'popup diagnosis after the attack');
    } finally {
      await popup.close();
    }
    assertEq(await canary(b), CANARY.value, 'the streaming site\'s cookie at the end');
  } finally {
    await page.close();
  }
}, { timeout: 90_000 });

check('hostile page: a pending "clear site data" is not confirmed by synthetic clicks or forged messages', async () => {
  const { b } = await env();
  await putCanary(b);
  const page = await b.newPage();
  try {
    // The user opened the confirmation; the page then clicks all over the panel.
    const { leak, navigations } = await attack(b, page, {
      before: (frame) => clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]'),
    });
    assertNothingLeaked(leak, page);
    assertEq(await canary(b), CANARY.value, 'the streaming site\'s cookie');
    assertEq(navigations, [], 'the tab reloaded or navigated');
    const { session } = await stored(b);
    const tab = session[`tab:${await tabIdOf(b, page)}`];
    assertEq([tab.pending, tab.cleared ?? null, tab.steps?.['clear-site-data'] ?? null], ['clear-site-data', null, null], 'pending / cleared / step after the attack');
    // The user cancels: nothing was cleared at any point.
    const frame = await panelFrame(b, page);
    await frame.click('[data-action="cancel"]');
    await frame.waitForSelector('[data-action="confirm"]', { state: 'detached' });
    await assertNothingDestroyed(b, page, navigations);
  } finally {
    await page.close();
  }
}, { timeout: 90_000 });

check('a page that removes the panel each time it comes back stays responsive; the badge still tells', async () => {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    // The page's own observer removes every node of ours, at once, for good.
    await page.evaluate(() => {
      window.__removals = 0;
      const evict = () => document.querySelectorAll('streamfix-panel').forEach((n) => { n.remove(); window.__removals++; });
      new MutationObserver(evict).observe(document.documentElement, { childList: true, subtree: true });
      evict();
    });
    // Each putting back and removing would go on for ever in one task: the tab hangs.
    const answered = await Promise.race([
      page.evaluate(() => window.__removals),
      new Promise((r) => setTimeout(() => r(null), 5000)),
    ]);
    assert(answered !== null, 'the page stopped answering');
    assert(answered >= 2 && answered <= 10, `the panel was put back a few times, then left out (removals: ${answered})`);
    assertEq(await panelCode(page), null, 'panel');
    const tabId = await tabIdOf(b, page);
    assertEq(await badgeSoon(b, tabId, '!'), '!', 'badge');
  } finally {
    await page.close();
  }
});


/** An error page with its panel rendered and seen; `fn(page, frame)`, then the tab closes. */
async function onErrorPanel(fn) {
  const { b } = await env();
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(page), { what: 'the panel' });
    const frame = await panelFrame(b, page);
    await surfaceState((f) => frame.evaluate(f), { want: (s) => s.state === 'error' });
    await fn(page, frame, b);
  } finally {
    await page.close();
  }
}

/** The page's own top-layer box over everything, StreamFix's panel included: nearly
 * transparent, letting clicks through to what is under it. */
const coverAll = (page) =>
  page.evaluate(() => {
    const d = Object.assign(document.createElement('div'), { id: 'cover', popover: 'manual' });
    d.style.cssText = 'position:fixed;inset:0;margin:0;width:100vw;height:100vh;border:0;padding:0;background:rgba(255,255,255,.02);pointer-events:none';
    document.body.append(d);
    d.showPopover();
  });

check('a page that covers the panel gets nothing from the user\'s real clicks; fading or restyling can\'t hide it; seen unobscured, the same click clears', async () => {
  await putCanary((await env()).b);
  await onErrorPanel(async (page, frame, b) => {
    await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
    const tabId = await tabIdOf(b, page);
    const refused = async (what) => {
      await page.waitForTimeout(700);
      await frame.click('[data-action="confirm"]');
      await frame.waitForSelector('[data-refusal="use-toolbar"]', { timeout: 5000 });
      assertEq(await canary(b), CANARY.value, `the streaming site's cookie after a click ${what}`);
      const tab = (await stored(b)).session[`tab:${tabId}`];
      assertEq([tab.pending, tab.cleared ?? null], ['clear-site-data', null], `pending / cleared after a click ${what}`);
      await frame.evaluate(() => document.querySelector('.failure')?.remove());
    };
    await coverAll(page);
    await refused('through a cover');
    // Fading the whole page doesn't fade the panel: it is in the top layer, which the
    // root's filter doesn't reach, and the browser says it is seen whole.
    await page.evaluate(() => {
      document.getElementById('cover').remove();
      document.documentElement.style.filter = 'opacity(0.02)';
    });
    await page.waitForTimeout(300);
    const probe = () => frame.evaluate(() => new Promise((r) => {
      new IntersectionObserver((es) => r(es[0].isVisible), { trackVisibility: true, delay: 100 }).observe(document.documentElement);
    }));
    assertEq(await probe(), true, 'the panel seen whole on a faded page');
    // A stylesheet can't fade, hide or move the panel's host.
    await page.evaluate(() => {
      document.head.append(Object.assign(document.createElement('style'), {
        textContent: 'streamfix-panel{opacity:.001 !important;display:none !important;transform:translateX(-3000px) !important}',
      }));
    });
    const look = await page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('streamfix-panel'));
      return [s.opacity, s.display, s.transform];
    });
    assertEq(look, ['1', 'block', 'none'], 'the host\'s opacity, display and transform under the page\'s stylesheet');
    // Seen whole again: the same click clears.
    await page.waitForTimeout(700);
    await frame.click('[data-action="confirm"]');
    await until(async () => ((await canary(b)) === null ? true : null), { what: 'the streaming cookie to go' });
  });
}, { timeout: 60_000 });

check('under a page\'s cover, real clicks on the panel\'s "turn off" and culprit-search buttons turn nothing off', () =>
  onErrorPanel(async (page, frame, b) => {
    await clickUntil(frame, '[data-action="check-extensions"]', '[data-action="disable-extension"]');
    await coverAll(page);
    await page.waitForTimeout(700);
    for (const action of ['disable-extension', 'disable-suspects', 'find-culprit']) {
      const button = await frame.$(`[data-action="${action}"]`);
      if (!button) continue;
      await button.click();
      await frame.waitForSelector('[data-refusal="use-toolbar"]', { timeout: 5000 });
      await frame.evaluate(() => document.querySelector('.failure')?.remove());
    }
    await page.waitForTimeout(500);
    const all = await (await sw(b)).evaluate(() => chrome.management.getAll());
    assertEq(all.filter((x) => !x.enabled).map((x) => x.name), [], 'extensions turned off');
  }), { timeout: 60_000 });
