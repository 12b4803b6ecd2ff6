// Assembles dist/chrome and dist/firefox, and their test copies under dist/test/, from
// extension/, the wasm-bindgen output and the one source manifest.json. Usage: node tools/assemble.mjs <pkg-dir> <icons-dir> <dist-dir>
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';

const [pkgDir, iconsDir, distDir] = process.argv.slice(2);
if (!distDir) {
  console.error('usage: node tools/assemble.mjs <pkg-dir> <icons-dir> <dist-dir>');
  process.exit(2);
}

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = cargo.match(/^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) throw new Error('no version in Cargo.toml');

export const GECKO_ID = 'streamfix@streamfix.app';
const source = withHosts(JSON.parse(readFileSync('manifest.json', 'utf8')));

// The sites StreamFix reads, acts on and shows its panel in are the services' own domains
// (data/services.toml): derived here, so a service added there is watched everywhere.
function withHosts(m) {
  const { service } = parse(readFileSync('data/services.toml', 'utf8'));
  const hosts = service.flatMap((s) => s.domains).map((d) => `https://*.${d}/*`);
  for (const [what, list] of [['host_permissions', m.host_permissions], ['content_scripts', m.content_scripts[0].matches], ['web_accessible_resources', m.web_accessible_resources[0].matches]]) {
    if (list.length) throw new Error(`manifest.json: ${what} is derived from data/services.toml; leave it empty`);
  }
  return {
    ...m,
    host_permissions: hosts,
    content_scripts: m.content_scripts.map((c) => ({ ...c, matches: hosts })),
    web_accessible_resources: m.web_accessible_resources.map((r) => ({ ...r, matches: hosts })),
  };
}

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
  // Firefox warns at install for browsingData ("Clear recent browsing history…"), Chrome
  // doesn't: Firefox asks for it at the first clear instead.
  out.permissions = m.permissions.filter((p) => p !== 'browsingData');
  out.optional_permissions = [...m.optional_permissions, 'browsingData'];
  // Firefox has no dynamic resource URLs; its resource URLs are per-install already.
  out.web_accessible_resources = m.web_accessible_resources.map(({ use_dynamic_url, ...r }) => r);
  return out;
}

// The copy the test suites load: a headless browser can't accept the grant dialog, so
// there the optional permissions are required (shared/notes/ui-hooks.md).
function granted(m) {
  return { ...m, permissions: [...m.permissions, ...m.optional_permissions], optional_permissions: [] };
}

rmSync(join(distDir, 'test'), { recursive: true, force: true });
for (const [name, make] of [['chrome', chrome], ['firefox', firefox]]) {
  for (const [dir, manifest] of [[join(distDir, name), make(source)], [join(distDir, 'test', name), granted(make(source))]]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync('extension', dir, { recursive: true });
    cpSync(pkgDir, join(dir, 'pkg'), { recursive: true, filter: (p) => !/\.(d\.ts|gitignore)$|package\.json$/.test(p) });
    cpSync(iconsDir, join(dir, 'icons'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  }
}
console.log(version);
