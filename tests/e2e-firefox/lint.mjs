// `web-ext lint` (addons-linter, the checks addons.mozilla.org runs) on the built Firefox
// add-on. Prints every error, warning and notice with its file, then
// `lint: N errors, M warnings, K notices`. Exits 1 on any error (or on any warning with
// --warnings-as-errors), 2 when the linter could not run.
//
//   node tests/e2e-firefox/lint.mjs [--source dist/firefox] [--warnings-as-errors]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return null;
  return argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
};
const source = path.resolve(ROOT, opt('--source') ?? 'dist/firefox');
const strict = argv.includes('--warnings-as-errors');
const webExt = path.join(ROOT, 'node_modules/.bin/web-ext');

if (!existsSync(path.join(source, 'manifest.json'))) {
  console.error(`lint: ${source}/manifest.json missing (run ./build.sh first)`);
  process.exit(2);
}
if (!existsSync(webExt)) {
  console.error('lint: node_modules/.bin/web-ext missing (run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci`)');
  process.exit(2);
}

// --no-config-discovery: no web-ext-config from $HOME or package.json changes the result.
const child = spawn(webExt, ['lint', '--source-dir', source, '--output', 'json', '--no-config-discovery'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
});
let out = '';
let err = '';
child.stdout.on('data', (d) => { out += d; });
child.stderr.on('data', (d) => { err += d; });
const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
const code = await new Promise((resolve) => child.on('close', resolve));
clearTimeout(killer);

let report;
try {
  report = JSON.parse(out.slice(out.indexOf('{')));
} catch {
  console.error(`lint: web-ext lint gave no JSON report (exit ${code})\n${err}${out}`);
  process.exit(2);
}

const rel = (f) => path.relative(ROOT, f ? path.join(source, f) : source);
for (const kind of ['errors', 'warnings', 'notices']) {
  for (const m of report[kind] ?? []) {
    const where = `${rel(m.file)}${m.line ? `:${m.line}${m.column ? `:${m.column}` : ''}` : ''}`;
    const desc = [].concat(m.description ?? []).join(' ').replace(/\s+/g, ' ').trim();
    console.log(`${kind.slice(0, -1).toUpperCase()} ${m.code} ${where}: ${m.message}${desc && desc !== m.message ? ` — ${desc}` : ''}`);
  }
}
const n = (k) => report[k]?.length ?? 0;
console.log(`lint: ${n('errors')} errors, ${n('warnings')} warnings, ${n('notices')} notices (${path.relative(ROOT, source)})`);
process.exit(n('errors') > 0 || (strict && n('warnings') > 0) ? 1 : 0);
