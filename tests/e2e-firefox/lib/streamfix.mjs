// StreamFix in Firefox: its extension pages, its stores, its panel — read through the UI
// hooks of shared/notes/ui-hooks.md and through StreamFix's own pages (which hold its
// permissions), never through wording.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { DIST_FIREFOX, geckoId, until, waitIn, withTimeout } from './firefox.mjs';

export const BASE = 'https://www.netflix.com';
export const OTHER = 'https://example.org';

export function streamfixId() {
  const id = geckoId(DIST_FIREFOX);
  if (!id) throw new Error('dist/firefox/manifest.json has no gecko id');
  return id;
}

export const distVersion = () => JSON.parse(readFileSync(path.join(DIST_FIREFOX, 'manifest.json'), 'utf8')).version;

/**
 * StreamFix's English UI string `key` from dist/firefox/_locales/en, placeholders filled
 * with `subs` (for the few checks that assert a message the product must show).
 */
export function message(key, ...subs) {
  const all = JSON.parse(readFileSync(path.join(DIST_FIREFOX, '_locales/en/messages.json'), 'utf8'));
  const m = all[key];
  if (!m) throw new Error(`no message ${key} in dist/firefox/_locales/en`);
  return m.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, name) => {
    const content = m.placeholders?.[name.toLowerCase()]?.content ?? '';
    return content.replace(/\$(\d)/g, (__, i) => subs[Number(i) - 1] ?? '');
  });
}

/**
 * A tab showing StreamFix's popup.html: a StreamFix page, so it can call `browser.*`
 * with StreamFix's permissions and talk to the background like the popup and panel do.
 */
export async function extensionPage(b) {
  const page = await b.openExtensionPage(b.extensionUrl(streamfixId(), 'popup.html'));
  return {
    page,
    /** Runs `fn(arg)` in the StreamFix page (browser.* available). */
    evaluate: (fn, arg) => withTimeout(page.evaluate(fn, arg), 10_000, 'evaluate in popup.html'),
    /** browser.runtime.sendMessage(msg) from a StreamFix page, as the popup does. */
    send: (msg) => withTimeout(page.evaluate((m) => browser.runtime.sendMessage(m), msg), 10_000, `message ${msg.type}`),
    async tabIdOf(url) {
      const ids = await this.evaluate(async (u) => (await browser.tabs.query({})).filter((t) => t.url === u).map((t) => t.id), url);
      if (ids.length !== 1) throw new Error(`expected one tab at ${url}, found ${ids.length}`);
      return ids[0];
    },
    badgeText: (tabId) => withTimeout(page.evaluate((id) => browser.action.getBadgeText({ tabId: id }), tabId), 5000, 'getBadgeText'),
    tabState: (tabId) => withTimeout(page.evaluate(async (id) => (await browser.storage.session.get(`tab:${id}`))[`tab:${id}`] ?? null, tabId), 5000, 'storage.session'),
    session: () => withTimeout(page.evaluate(() => browser.storage.session.get(null)), 5000, 'storage.session'),
    close: () => page.close().catch(() => {}),
  };
}

/**
 * StreamFix's toolbar popup (popup.html) for `page`'s tab: loaded in a background tab of
 * the same window while `page` stays the active tab, so popup.js's
 * `tabs.query({active: true, currentWindow: true})` finds `page`, as the real toolbar
 * popup does (BiDi can't reach the real popup panel, and Firefox only opens it on a user
 * gesture). Closed after the check by the caller.
 */
export async function popupFor(b, page) {
  await page.bringToFront();
  const popup = await b.browser.newPage({ background: true });
  try {
    await b.openExtensionPage(b.extensionUrl(streamfixId(), 'popup.html'), { page: popup });
  } catch (err) {
    await popup.close().catch(() => {});
    throw err;
  }
  return popup;
}

/** `data-code` of the inline panel host, or null when there is none. */
export function panelCode(page) {
  return page.evaluate(() => document.querySelector('streamfix-panel')?.dataset.code ?? null);
}

export async function waitPanel(page, code, { timeout = 10_000 } = {}) {
  return until(async () => ((await panelCode(page)) === code ? code : null), {
    timeout,
    what: `<streamfix-panel data-code="${code}">`,
  }).catch(async (err) => {
    throw new Error(`${err.message}; host now: ${JSON.stringify(await panelCode(page).catch(() => '?'))}`);
  });
}

/** The panel's moz-extension iframe inside the closed shadow root, as a puppeteer Frame. */
export function panelFrame(b, page, opts) {
  return b.frameByUrl(page, b.extensionUrl(streamfixId(), 'panel.html'), opts);
}

/** data-state / data-code of a surface's root once it has rendered. */
export async function surfaceState(frame, { timeout = 8000, want } = {}) {
  let last = null;
  return until(async () => {
    const s = last = await frame.evaluate(() => ({
      state: document.body.dataset.state,
      code: document.body.dataset.code,
      steps: document.querySelectorAll('[data-step-state]').length,
      failure: document.querySelector('.failure')?.textContent ?? null,
    }));
    if (s.failure) throw new Error(`surface shows a failure: ${s.failure}`);
    return !want || want(s) ? s : null;
  }, { timeout, what: 'the surface to render' }).catch((err) => {
    throw new Error(`${err.message}; last seen ${JSON.stringify(last)}`);
  });
}

/** Waits until `selector` matches in `frame` (or, with `hidden`, matches nothing visible). */
export function waitSelector(frame, selector, { hidden = false, timeout = 5000 } = {}) {
  return waitIn(frame, ([sel, hide]) => {
    const el = document.querySelector(sel);
    const visible = !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    return hide ? !visible : visible;
  }, [selector, hidden], { timeout, what: `${selector} to be ${hidden ? 'hidden' : 'visible'}` });
}

/**
 * A real pointer click (BiDi input.performActions on the tab's top-level context, as
 * puppeteer's page.mouse does) at the centre of `selector` in `frame`, which may be the
 * panel's iframe. Not `frame.click()`: puppeteer finds a frame's position through BiDi
 * `locateNodes` with a "context" locator, which Firefox 140 lacks, and the page's own DOM
 * can't reach the iframe (it is in a closed shadow root). So the offset comes from
 * Firefox's `mozInnerScreenX/Y` (the frame's and the tab's content origin on screen, CSS
 * pixels). Before clicking, checks that the point hits the element inside the frame.
 */
export async function clickIn(frame, selector) {
  const at = await frame.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return { error: 'no element' };
    el.scrollIntoView({ block: 'center', inline: 'center' });
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return { error: 'not visible' };
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return { error: `outside the frame's viewport (${x}, ${y})` };
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit))) return { error: `covered by ${hit?.outerHTML?.slice(0, 80)}` };
    return { x: x + mozInnerScreenX, y: y + mozInnerScreenY };
  }, selector);
  if (at.error) throw new Error(`cannot click ${selector}: ${at.error}`);
  const page = frame.page();
  const top = await page.evaluate(() => ({ x: mozInnerScreenX, y: mozInnerScreenY }));
  await page.mouse.click(at.x - top.x, at.y - top.y);
}

/**
 * Clicks a hooked button (a real pointer click, `clickIn`) until `then` appears, as a
 * person clicks again when nothing happened.
 */
export async function clickUntil(frame, selector, then, { tries = 3 } = {}) {
  for (let i = 1; ; i++) {
    await waitSelector(frame, selector, { timeout: 5000 });
    await clickIn(frame, selector);
    const ok = await waitSelector(frame, then, { timeout: 3000 }).then(() => true, () => false);
    if (ok) return;
    if (i >= tries) throw new Error(`clicking ${selector} did not bring ${then}`);
  }
}
