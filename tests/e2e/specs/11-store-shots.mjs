// The store listings' screenshot set, from the real extension on replayed pages: the
// panel on an error page, and the popup with an error, with none, and with a code the
// user entered; in light and dark, in English and Spanish. Written to dist/store/<lang>/
// at 1280×800, the size both stores take.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { check } from '../lib/runner.mjs';
import { sharedEnv, BASE, ROOT, DIST_CHROME, assertEq, openPanel, streamfix, surfaceState, tabIdOf, tabState, until } from '../lib/streamfix.mjs';

const env = sharedEnv();
const THEMES = ['light', 'dark'];

function pngSize(buf) {
  assertEq(buf.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

const dark = (theme) => ({ features: [{ name: 'prefers-color-scheme', value: theme }] });

/** The popup for `page`, in `theme`, once it shows `state`. */
async function popupFor(b, page, theme, state) {
  for (let attempt = 1; ; attempt++) {
    await page.bringToFront();
    const popup = await b.openPopup(streamfix(b).id, { page });
    await popup.session.send('Emulation.setEmulatedMedia', dark(theme));
    const s = await surfaceState((fn) => popup.evaluate(fn), { want: (x) => x.state === state });
    // The popup is the window's active tab's: another tab in front gives another view.
    const ours = state === 'error' || (await popup.evaluate(() => document.querySelector('[data-input="code"]') !== null));
    if (s && ours) return popup;
    await popup.close();
    if (attempt === 3) throw new Error('the popup never showed this tab\'s view');
  }
}

/** The narrow popup set on a plain 1280×800 canvas, as the toolbar shows it. */
async function onCanvas(b, png, theme, file) {
  const canvas = await b.newPage();
  try {
    await canvas.setViewportSize({ width: 1280, height: 800 });
    const bg = theme === 'dark' ? '#20242a' : '#e8ebef';
    await canvas.setContent(`<!doctype html><body style="margin:0;height:800px;display:flex;align-items:center;justify-content:center;background:${bg}">
      <img alt="" style="box-shadow:0 12px 40px rgba(0,0,0,.35);border-radius:10px" src="data:image/png;base64,${png.toString('base64')}"></body>`);
    await canvas.waitForFunction(() => document.images[0]?.complete);
    await canvas.screenshot({ path: file });
  } finally {
    await canvas.close();
  }
}

/** Every shot of one language in browser `b`; returns the files written. */
async function shots(b, lang) {
  const dir = path.join(ROOT, 'dist/store', lang);
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (const theme of THEMES) {
    const name = (what) => path.join(dir, `${theme}-${what}.png`);
    // An error: the panel on the page, then the popup for it.
    const page = await b.newPage();
    try {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: theme });
      const frame = await openPanel(b, page, '/nsez-503');
      await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
      await page.waitForTimeout(300);
      await page.screenshot({ path: name('error-panel') });
      files.push(name('error-panel'));
      // A new page takes the focus and closes the popup: shots first, canvases after.
      const popup = await popupFor(b, page, theme, 'error');
      let png;
      try {
        png = await popup.screenshot();
      } finally {
        await popup.close();
      }
      await onCanvas(b, png, theme, name('error-popup'));
      files.push(name('error-popup'));
    } finally {
      await page.close();
    }
    // No error: what the popup offers; then the code the user read off the screen.
    const healthy = await b.newPage();
    try {
      await healthy.goto(`${BASE}/`);
      const tabId = await tabIdOf(b, healthy);
      await until(async () => ((await tabState(b, tabId))?.service ? true : null), { what: 'StreamFix to see the page' });
      const popup = await popupFor(b, healthy, theme, 'ok');
      const pngs = {};
      try {
        pngs['ok-popup'] = await popup.screenshot();
        await popup.click('[data-input="code"]');
        await popup.session.send('Input.insertText', { text: 'NSEZ-403' });
        await popup.click('[data-action="enter-code"]');
        await popup.waitFor('document.querySelector(\'[data-shown="told"]\') !== null', { timeout: 8000 });
        // Back to the top, where the diagnosis starts.
        await popup.evaluate(() => window.scrollTo(0, 0));
        pngs['told-popup'] = await popup.screenshot();
      } finally {
        await popup.close();
      }
      for (const [what, png] of Object.entries(pngs)) {
        await onCanvas(b, png, theme, name(what));
        files.push(name(what));
      }
    } finally {
      await healthy.close();
    }
  }
  for (const f of files) assertEq(pngSize(readFileSync(f)), [1280, 800], path.relative(ROOT, f));
  return files;
}

check('store screenshot set: error, no error and an entered code, light and dark, in English', async () => {
  const { b } = await env();
  assertEq((await shots(b, 'en')).length, 8, 'shots written');
}, { timeout: 90_000 });

check('store screenshot set in Spanish', async () => {
  const { launch } = await import('../lib/browser.mjs');
  const { startServer } = await import('../lib/server.mjs');
  const server = await startServer();
  const b = await launch({ extensions: [DIST_CHROME], server, args: ['--lang=es'] });
  try {
    assertEq((await shots(b, 'es')).length, 8, 'shots written');
  } finally {
    await b.close();
    await server.close();
  }
}, { timeout: 120_000 });
