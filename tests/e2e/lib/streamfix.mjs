// StreamFix-specific helpers for the end-to-end specs: the packed extension, its panel
// and popup, read only through the UI hooks in shared/notes/ui-hooks.md.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS_DIR, launch } from './browser.mjs';
import { cleanup, sleep, until } from './runner.mjs';
import { startServer } from './server.mjs';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The test copy: optional permissions required (tools/assemble.mjs); the store build is
// dist/chrome.
export const DIST_CHROME = path.join(ROOT, 'dist/test/chrome');
export const STORE_CHROME = path.join(ROOT, 'dist/chrome');
export const BASE = 'https://www.netflix.com';

if (!existsSync(path.join(DIST_CHROME, 'manifest.json'))) {
  throw new Error('dist/test/chrome is not built: run ./build.sh first');
}

export { sleep, until };

/** Opens `path` of the streaming site in `page`, waits for the panel, returns its frame. */
export async function openPanel(b, page, path) {
  await page.goto(`${BASE}${path}`);
  await until(() => panelCode(page), { what: 'the panel' });
  return panelFrame(b, page);
}

/** The StreamFix entry among the loaded extensions. */
export function streamfix(b) {
  const ext = b.extensions.find((e) => e.dir === DIST_CHROME || e.manifest.short_name === 'StreamFix');
  if (!ext) throw new Error('StreamFix is not loaded');
  return ext;
}

export const sw = (b) => b.serviceWorker(streamfix(b).id);

/** The tab id of a page, asked from StreamFix's worker (it has host access to the streaming site). */
export async function tabIdOf(b, page) {
  const url = page.url();
  const worker = await sw(b);
  const ids = await worker.evaluate(async (u) => (await chrome.tabs.query({})).filter((t) => t.url === u).map((t) => t.id), url);
  if (ids.length !== 1) throw new Error(`expected one tab at ${url}, found ${ids.length}`);
  return ids[0];
}

/** The tab's state as StreamFix stored it (`tab:<id>` in storage.session), or null. */
export async function tabState(b, tabId) {
  const all = await (await sw(b)).evaluate(() => chrome.storage.session.get(null));
  return all[`tab:${tabId}`] ?? null;
}

export async function badgeText(b, tabId) {
  return (await sw(b)).evaluate((tabId) => chrome.action.getBadgeText({ tabId }), tabId);
}

/**
 * The badge once it says `want`, or what it says after `timeout`: the worker sets it with
 * its effects, after it has answered the page (whose panel may already be up).
 */
export async function badgeSoon(b, tabId, want, { timeout = 3000 } = {}) {
  return until(async () => ((await badgeText(b, tabId)) === want ? want : null), { timeout, what: `the badge "${want}"` })
    .catch(() => badgeText(b, tabId));
}

/** `data-code` of the inline panel host, or null when there is none. */
export function panelCode(page) {
  return page.evaluate(() => document.querySelector('streamfix-panel')?.dataset.code ?? null);
}

/** The panel's extension-origin iframe (Playwright lists out-of-process frames). */
export async function panelFrame(b, page, { timeout = 8000, seen = true } = {}) {
  const prefix = `chrome-extension://${streamfix(b).id}/panel.html`;
  const frame = await until(async () => page.frames().find((f) => f.url().startsWith(prefix)), { timeout, what: 'the panel iframe' });
  // A click in the panel changes something outside the page only once the browser has
  // seen the panel unobscured for a moment (panel.js): wait for that, as a user's eyes do.
  if (seen) await frame.waitForSelector('body[data-seen="true"]', { timeout });
  return frame;
}

/** data-state / data-code of a surface's root once it has rendered a diagnosis. */
export async function surfaceState(evaluate, { timeout = 8000, want } = {}) {
  return until(
    async () => {
      const s = await evaluate(() => ({ state: document.body.dataset.state, code: document.body.dataset.code, steps: document.querySelectorAll('[data-step-state]').length, failure: document.querySelector('.failure')?.textContent ?? null }));
      if (s.failure) throw new Error(`surface shows a failure: ${s.failure}`);
      return (!want || want(s)) ? s : null;
    },
    { timeout, what: 'the surface to render' },
  );
}

export function artifact(name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEq(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/**
 * Clicks a hooked button in a frame until `then` appears, as a person clicks again when
 * nothing happened (a click that lands while the surface re-renders is lost).
 */
export async function clickUntil(frame, selector, then, { tries = 3 } = {}) {
  for (let i = 1; ; i++) {
    await frame.click(selector);
    const ok = await frame.waitForSelector(then, { timeout: 3000 }).then(() => true, () => false);
    if (ok || i >= tries) {
      if (!ok) throw new Error(`clicking ${selector} did not bring ${then}`);
      return;
    }
  }
}

/**
 * One server and one browser with the packed extension, shared by a spec's checks:
 * `const env = sharedEnv(); ... const { b, server } = await env();`. Launched on first use,
 * closed after the run. `options` go to `launch` (extra extensions, host rules).
 */
export function sharedEnv(options = {}) {
  let shared;
  return async () => {
    if (!shared) {
      const server = await startServer();
      const b = await launch({ ...options, extensions: [DIST_CHROME, ...(options.extensions ?? [])], server });
      shared = { server, b };
      cleanup(async () => {
        await b.close();
        await server.close();
      });
    }
    return shared;
  };
}
