// Assembles dist/chrome and dist/firefox from extension/, the wasm-bindgen output and the
// one source manifest.json. Usage: node tools/assemble.mjs <pkg-dir> <icons-dir> <dist-dir>
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [pkgDir, iconsDir, distDir] = process.argv.slice(2);
if (!distDir) {
  console.error('usage: node tools/assemble.mjs <pkg-dir> <icons-dir> <dist-dir>');
  process.exit(2);
}

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = cargo.match(/^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) throw new Error('no version in Cargo.toml');

export const GECKO_ID = 'streamfix@streamfix.app';
const source = JSON.parse(readFileSync('manifest.json', 'utf8'));

function chrome(m) {
  return { ...m, version, background: { service_worker: 'background.js', type: 'module' } };
}

function firefox(m) {
  const out = { ...m, version, background: { scripts: ['background.js'], type: 'module' } };
  out.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      // data_collection_permissions is understood from Firefox 140 (142 on Android): the
      // floor web-ext lint accepts (139/141 warn). 140 ESR is also what the Firefox suite
      // runs on (tests/e2e-firefox: all checks pass on Debian's 140.10.2esr).
      strict_min_version: '140.0',
      data_collection_permissions: { required: ['none'] },
    },
    gecko_android: { strict_min_version: '142.0' },
  };
  // Firefox has no dynamic resource URLs; its resource URLs are per-install already.
  out.web_accessible_resources = m.web_accessible_resources.map(({ use_dynamic_url, ...r }) => r);
  return out;
}

for (const [name, make] of [['chrome', chrome], ['firefox', firefox]]) {
  const dir = join(distDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync('extension', dir, { recursive: true });
  cpSync(pkgDir, join(dir, 'pkg'), { recursive: true, filter: (p) => !/\.(d\.ts|gitignore)$|package\.json$/.test(p) });
  cpSync(iconsDir, join(dir, 'icons'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(make(source), null, 2) + '\n');
}
console.log(version);
