// The demo: opens Chromium with the packed extension on a replayed Netflix error page
// served locally under its real host name. Headed when a display exists (close the
// browser to end); otherwise headless, saving screenshots under dist/demo/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/e2e/lib/server.mjs';
import { launch } from '../tests/e2e/lib/browser.mjs';
import { BASE, STORE_CHROME, ROOT, panelCode, panelFrame, streamfix, surfaceState, until } from '../tests/e2e/lib/streamfix.mjs';

const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !process.env.CI;
const out = path.join(ROOT, 'dist/demo');
mkdirSync(out, { recursive: true });

const server = await startServer();
// The store build: what a user installs, with its optional permissions not granted.
const b = await launch({ extensions: [STORE_CHROME], server, headless: !headed });
try {
  const page = await b.page();
  await page.setViewportSize?.({ width: 1280, height: 760 });
  const url = `${BASE}/nsez-503`;
  console.log(`demo: opening ${url} (replayed locally)`);
  await page.goto(url);
  const code = await until(() => panelCode(page), { what: 'the StreamFix panel' });
  const frame = await panelFrame(b, page);
  await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
  console.log(`demo: StreamFix detected ${code} and opened its panel`);
  await page.screenshot({ path: path.join(out, 'panel.png') });
  const popup = await b.openPopup(streamfix(b).id, { page });
  await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
  await popup.screenshot(path.join(out, 'popup.png'));
  console.log(`demo: screenshots saved: ${path.relative(ROOT, out)}/panel.png, popup.png`);
  if (headed) {
    console.log('demo: the browser stays open; close it to end the demo');
    await new Promise((resolve) => b.context.on('close', resolve));
  }
} finally {
  await b.close();
  await server.close();
}
