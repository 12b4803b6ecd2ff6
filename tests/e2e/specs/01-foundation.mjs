// The packed extension loads, its wasm core answers, the content script runs under a
// strict page CSP, and the popup opens.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { check } from '../lib/runner.mjs';
import { sharedEnv, BASE, DIST_CHROME, STORE_CHROME, ROOT, artifact, assert, assertEq, badgeSoon, badgeText, panelCode, panelFrame, streamfix, surfaceState, sw, tabIdOf, until } from '../lib/streamfix.mjs';

const env = sharedEnv();

const version = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)[1];

check('dist holds a Chrome and a Firefox build from the one manifest, and both store zips', async () => {
  const chrome = JSON.parse(readFileSync(path.join(ROOT, 'dist/chrome/manifest.json'), 'utf8'));
  const firefox = JSON.parse(readFileSync(path.join(ROOT, 'dist/firefox/manifest.json'), 'utf8'));
  assertEq(chrome.background, { service_worker: 'background.js', type: 'module' }, 'chrome background');
  assertEq(firefox.background, { scripts: ['background.js'], type: 'module' }, 'firefox background');
  assert(firefox.browser_specific_settings?.gecko?.id, 'firefox gecko id');
  assertEq(firefox.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] }, 'data collection');
  assertEq([chrome.version, firefox.version], [version, version], 'versions follow Cargo.toml');
  // Install warnings: site access only. What warns is asked for when first needed.
  assertEq(chrome.optional_permissions, ['management'], 'chrome optional');
  assertEq(firefox.optional_permissions, ['management', 'browsingData'], 'firefox optional');
  for (const [b, m] of [['chrome', chrome], ['firefox', firefox]]) {
    assert(!m.permissions.some((p) => m.optional_permissions.includes(p)), `${b}: optional and required at once`);
  }
  // The suites' copies: the same, with the optional ones required.
  for (const b of ['chrome', 'firefox']) {
    const store = b === 'chrome' ? chrome : firefox;
    const test = JSON.parse(readFileSync(path.join(ROOT, `dist/test/${b}/manifest.json`), 'utf8'));
    assertEq([...test.permissions].sort(), [...store.permissions, ...store.optional_permissions].sort(), `${b} test copy`);
  }
  for (const b of ['chrome', 'firefox']) {
    const zip = path.join(ROOT, `dist/streamfix-${b}-${version}.zip`);
    const list = execFileSync('python3', ['-m', 'zipfile', '-l', zip], { encoding: 'utf8' });
    for (const f of ['manifest.json', 'background.js', 'content.js', 'pkg/streamfix_bg.wasm', 'icons/128.png', '_locales/es/messages.json']) {
      assert(new RegExp(`^${f.replace('.', '\\.')}\\s`, 'm').test(list), `${b} zip lacks ${f} at its root`);
    }
  }
});

check('the wasm core answers in the service worker', async () => {
  const { b } = await env();
  const page = await b.newPage();
  await page.goto(`chrome-extension://${streamfix(b).id}/popup.html`);
  const info = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'CoreInfo' }));
  await page.close();
  assertEq(info.type, 'Info', 'reply type');
  assertEq(info.version, version, 'core version');
  assert(info.errors >= 10 && info.services >= 1, `catalog too small: ${JSON.stringify(info)}`);
});

check('content script runs on the real host name under a CSP that forbids wasm and inline script', async () => {
  const { b } = await env();
  const page = await b.page();
  const response = await page.goto(`${BASE}/nsez-503`);
  const csp = response.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.match(/script-src[^;]*/)?.[0] ?? '';
  assert(scriptSrc === "script-src 'self'", `fixture CSP is not strict: ${csp}`);
  const code = await until(() => panelCode(page), { what: 'the inline panel host' });
  assertEq(code, 'NSEZ-503', 'panel data-code');
  const frame = await panelFrame(b, page);
  const s = await surfaceState((fn) => frame.evaluate(fn), { want: (s) => s.state === 'error' });
  assertEq([s.state, s.code], ['error', 'NSEZ-503'], 'panel diagnosis');
  assert(s.steps >= 5, `panel shows ${s.steps} plan steps`);
  assertEq(await badgeSoon(b, await tabIdOf(b, page), '!'), '!', 'badge on the error tab');
  await page.screenshot({ path: artifact('panel-nsez-503.png') });
});

check('the toolbar popup opens and shows the same diagnosis for the active tab', async () => {
  const { b } = await env();
  const page = await b.page();
  if (!page.url().endsWith('/nsez-503')) await page.goto(`${BASE}/nsez-503`);
  await until(() => panelCode(page), { what: 'the inline panel host' });
  const popup = await b.openPopup(streamfix(b).id, { page });
  try {
    const s = await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'error' });
    assertEq([s.state, s.code], ['error', 'NSEZ-503'], 'popup root');
    await popup.screenshot(artifact('popup-nsez-503.png'));
  } finally {
    await popup.close?.();
  }
});

check('a healthy streaming page gets no panel, no badge, and an "ok" popup', async () => {
  const { b } = await env();
  const page = await b.newPage();
  await page.goto(`${BASE}/`);
  await page.waitForTimeout(1200);
  assertEq(await panelCode(page), null, 'panel on a healthy page');
  assertEq(await badgeText(b, await tabIdOf(b, page)), '', 'badge');
  const popup = await b.openPopup(streamfix(b).id, { page });
  try {
    const s = await surfaceState((fn) => popup.evaluate(fn), { want: (s) => s.state === 'ok' });
    assertEq([s.state, s.code], ['ok', ''], 'popup root');
  } finally {
    await popup.close?.();
    await page.close();
  }
});

// The store build: `management` is optional (asked for when first needed), so the one
// warning left is site access.
check('install-time warnings of the store build: the site-access one only', async () => {
  const { b } = await env();
  const manifest = readFileSync(path.join(STORE_CHROME, 'manifest.json'), 'utf8');
  const page = await b.newPage();
  await page.goto(`chrome-extension://${streamfix(b).id}/options.html`);
  const warnings = await page.evaluate((m) => {
    const parsed = JSON.parse(m);
    // Localized names are resolved at install; the API wants plain strings.
    parsed.name = 'StreamFix';
    parsed.description = 'StreamFix';
    delete parsed.default_locale;
    return chrome.management.getPermissionWarningsByManifest(JSON.stringify(parsed));
  }, manifest);
  await page.close();
  console.log(`      warnings: ${JSON.stringify(warnings)}`);
  assert(!warnings.some((w) => /all websites|browsing history/i.test(w)), `broad warning: ${warnings}`);
  assertEq(warnings.length, 1, 'number of warnings');
  // Six host patterns: Chrome words them as "a number of websites" and lists the sites in
  // the install dialog's details; the patterns themselves are the services' own domains.
  assert(warnings.some((w) => /^Read and change your data on a number of websites$/.test(w)), `site access warning: ${warnings}`);
  const hosts = JSON.parse(manifest).host_permissions;
  assertEq(hosts, ['netflix.com', 'youtube.com', 'disneyplus.com', 'primevideo.com', 'max.com', 'hbomax.com'].map((d) => `https://*.${d}/*`), 'host permissions');
});

// The stores cut or refuse longer listings: Chrome takes a name up to 75 characters and a
// description up to 132; addons.mozilla.org a name up to 50.
check('every locale\'s name and description fit both stores\' limits', async () => {
  const dir = path.join(DIST_CHROME, '_locales');
  const { readdirSync } = await import('node:fs');
  const too = [];
  for (const lang of readdirSync(dir)) {
    const m = JSON.parse(readFileSync(path.join(dir, lang, 'messages.json'), 'utf8'));
    const name = m.extName?.message ?? '';
    const desc = m.extDescription?.message ?? '';
    assert(name && desc, `${lang}: name and description present`);
    if ([...name].length > 50) too.push(`${lang} name ${[...name].length}`);
    if ([...desc].length > 132) too.push(`${lang} description ${[...desc].length}`);
  }
  assertEq(too, [], 'listing fields over the limit');
});

check('the store listing justifies every permission and carries the shipped name and summary', async () => {
  const store = readFileSync(path.join(ROOT, 'STORE.md'), 'utf8');
  const manifest = JSON.parse(readFileSync(path.join(STORE_CHROME, 'manifest.json'), 'utf8'));
  const justified = store.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.split('|')[1].trim());
  // An optional one's row says so: "`management` (optional)".
  const missing = [...manifest.permissions, ...manifest.optional_permissions]
    .filter((p) => !justified.includes(`\`${p}\``) && !justified.includes(`\`${p}\` (optional)`));
  assertEq(missing, [], 'permissions without a justification row in STORE.md');
  assert(justified.some((j) => j.startsWith('host permissions')) === manifest.host_permissions.length > 0, 'host permissions row');
  const rows = Object.fromEntries(store.split('\n').filter((l) => l.startsWith('| name |') || l.startsWith('| summary')).map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    return [cells[1].split(' ')[0], [cells[2], cells[3]]];
  }));
  for (const [i, lang] of ['en', 'es'].entries()) {
    const m = JSON.parse(readFileSync(path.join(DIST_CHROME, '_locales', lang, 'messages.json'), 'utf8'));
    assertEq(rows.name?.[i], m.extName.message, `${lang} name in STORE.md`);
    assertEq(rows.summary?.[i], m.extDescription.message, `${lang} summary in STORE.md`);
  }
});

// The names a `json_unit!(Name { V "name", … })` or `json_tagged!(Name, …, { V "name" {…}, … })`
// gives its variants on the wire, read from the Rust source.
function wireNames(file, name) {
  const src = readFileSync(path.join(ROOT, 'src/core', file), 'utf8');
  const at = src.search(new RegExp(`json_(unit|tagged)!\\(${name}\\b`));
  assert(at >= 0, `${name} in ${file}`);
  const body = src.slice(at, src.indexOf(');', at));
  return [...body.matchAll(/\b[A-Z][A-Za-z]*\s+"([a-z0-9-]+)"/g)].map((m) => m[1]);
}

check('both locales carry every message the UI asks for, with the same placeholders', async () => {
  const read = (lang) => JSON.parse(readFileSync(path.join(ROOT, 'extension/_locales', lang, 'messages.json'), 'utf8'));
  const en = read('en');
  const slots = (m) => [...new Set([...m.message.matchAll(/\$([A-Za-z_]+)\$/g)].map((x) => x[1].toLowerCase()))].sort();
  // Every locale the extension ships (adding one is adding its file), against English.
  const { readdirSync: dirs } = await import('node:fs');
  const others = dirs(path.join(ROOT, 'extension/_locales')).filter((l) => l !== 'en');
  assert(others.includes('es'), `locales: ${others}`);
  for (const lang of others) {
    const es = read(lang);
    assertEq(Object.keys(es).filter((k) => !(k in en)).sort(), [], `keys only in ${lang}`);
    assertEq(Object.keys(en).filter((k) => !(k in es)).sort(), [], `keys missing in ${lang}`);
    const differ = Object.keys(en).filter((k) => JSON.stringify(slots(en[k])) !== JSON.stringify(slots(es[k])) ||
      JSON.stringify(Object.keys(en[k].placeholders ?? {}).sort()) !== JSON.stringify(Object.keys(es[k].placeholders ?? {}).sort()));
    assertEq(differ, [], `messages whose placeholders differ between en and ${lang}`);
  }
  const undeclared = Object.keys(en).filter((k) => slots(en[k]).some((s) => !(s in (en[k].placeholders ?? {}))));
  assertEq(undeclared, [], 'messages using a placeholder they do not declare');
  // What the UI asks for: literal keys in the scripts and pages, and the families it
  // builds from the core's values (actions, refusals, states, kinds, reasons, verdicts).
  const dir = path.join(ROOT, 'extension');
  const { readdirSync } = await import('node:fs');
  const wanted = new Set();
  for (const f of readdirSync(dir).filter((x) => /\.(js|html)$/.test(x))) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    if (f.endsWith('.js')) for (const m of text.matchAll(/\b(?:t|getMessage)\('([A-Za-z_]+)'/g)) wanted.add(m[1]);
    if (f.endsWith('.html')) for (const m of text.matchAll(/data-i18n="([A-Za-z_]+)"/g)) wanted.add(m[1]);
  }
  // The pages rendered from Rust ask with `t("key", ...)`.
  const pages = path.join(ROOT, 'src/pages');
  for (const f of readdirSync(pages).filter((x) => x.endsWith('.rs'))) {
    for (const m of readFileSync(path.join(pages, f), 'utf8').matchAll(/\bt\("([A-Za-z_]+)"/g)) wanted.add(m[1]);
  }
  for (const m of readFileSync(path.join(ROOT, 'manifest.json'), 'utf8').matchAll(/__MSG_([A-Za-z_]+)__/g)) wanted.add(m[1]);
  const rust = (file, re) => [...readFileSync(path.join(ROOT, 'src/core', file), 'utf8').matchAll(re)].map((m) => m[1]);
  const family = (prefix, names) => names.forEach((n) => wanted.add(`${prefix}${n.replace(/-/g, '_')}`));
  family('action_', rust('view.rs', /^\s+"([a-z-]+)",$/gm));
  family('refused_', rust('messages.rs', /pub const [A-Z_]+: &str = "([a-z-]+)";/g));
  family('state_', wireNames('plan.rs', 'StepState'));
  family('kind_', wireNames('catalog.rs', 'ExtKind'));
  family('reason_', wireNames('conflicts.rs', 'Reason'));
  family('verdict_', wireNames('connection.rs', 'Verdict'));
  assert(wanted.size > 100, `keys found in the UI: ${wanted.size}`);
  assertEq([...wanted].filter((k) => !(k in en)).sort(), [], 'keys the UI asks for that no locale has');
});

check('keyboard shortcuts: Alt+Shift+F opens the toolbar popup, Alt+Shift+J shows the panel (suggested; described in the user\'s language)', async () => {
  const { b } = await env();
  const commands = await (await sw(b)).evaluate(() => chrome.commands.getAll());
  const open = commands.find((c) => c.name === '_execute_action');
  assert(open, `commands: ${JSON.stringify(commands)}`);
  assertEq(open.shortcut.replace(/\s/g, ''), 'Alt+Shift+F', 'shortcut');
  const show = commands.find((c) => c.name === 'show-panel');
  assert(show, `commands: ${JSON.stringify(commands)}`);
  assertEq(show.shortcut.replace(/\s/g, ''), 'Alt+Shift+J', 'panel shortcut');
  const en = JSON.parse(readFileSync(path.join(ROOT, 'extension/_locales/en/messages.json'), 'utf8'));
  assertEq(show.description, en.cmdShowPanel.message, 'panel shortcut description');
  // The worker listens for it (what the command does is the core's, tested natively).
  assert(await (await sw(b)).evaluate(() => chrome.commands.onCommand.hasListeners()), 'no commands.onCommand listener in the worker');
});
