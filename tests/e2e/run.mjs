// The end-to-end suite: every spec under specs/ against the packed dist/chrome in headless
// Chromium. `node tests/e2e/run.mjs [--grep text]`. Prints one line per check and a final
// `N passed, M failed` line.
import { readdirSync } from 'node:fs';
import { run } from './lib/runner.mjs';

const dir = new URL('./specs/', import.meta.url);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
  await import(new URL(file, dir));
}
await run();
