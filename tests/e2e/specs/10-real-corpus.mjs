// The real-world corpus (tests/fixtures/real/): pages gathered from public sources, each
// served under its real address with the packed extension. Look-alikes stay quiet; error
// screens get a diagnosis and the badge (and the code they show), except those marked
// `known_miss` in cases.toml (with what is still wrong): a case handled right while so
// marked fails too, so the list stays true. The last check prints recall and false alarms.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { check } from '../lib/runner.mjs';
import { sharedEnv, ROOT, assert, badgeText, panelCode, sleep, sw, tabIdOf, tabState, until } from '../lib/streamfix.mjs';

// STREAMFIX_CORPUS_DIR: another set in the same layout (a held-out set, measured once).
const DIR = process.env.STREAMFIX_CORPUS_DIR ?? path.join(ROOT, 'tests/fixtures/real');
const { case: cases } = parse(readFileSync(path.join(DIR, 'cases.toml'), 'utf8'));
const env = sharedEnv();
const results = new Map();
// STREAMFIX_RECORD_CORPUS=1: what the content script reported on each page is written to
// tests/fixtures/real/reports.json, which the native detector test replays (record again
// when the content script changes what it gathers).
const RECORD = Boolean(process.env.STREAMFIX_RECORD_CORPUS);
const recorded = {};

/** Every PageReport the worker gets from now on, seen by a second listener of its own. */
async function listen(b) {
  await (await sw(b)).evaluate(() => {
    globalThis.__corpusReports ??= [];
    if (globalThis.__corpusListening) return;
    globalThis.__corpusListening = true;
    chrome.runtime.onMessage.addListener((m, sender) => {
      if (m?.type === 'PageReport') globalThis.__corpusReports.push({ tab: sender.tab?.id, blocks: m.blocks });
    });
  });
}

/** Opens the case's page under its address; what the user then sees, and what was stored. */
async function visit(c) {
  const { b, server } = await env();
  const url = new URL(c.url);
  const html = readFileSync(path.join(DIR, c.file));
  server.setRoute(url.hostname, url.pathname, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  if (RECORD) await listen(b);
  const page = await b.newPage();
  try {
    await page.goto(c.url);
    const tabId = await tabIdOf(b, page);
    // StreamFix is alive on the page: the page's Hello reached its worker.
    await until(async () => ((await tabState(b, tabId))?.url ? true : null), { what: `StreamFix to see ${c.file}` });
    // An error gets its panel within moments; a look-alike has had its settled report
    // (2.5 s after load), after which a healthy page is judged.
    let panel;
    if (c.expect === 'error') panel = await until(() => panelCode(page), { timeout: 4000 }).catch(() => null);
    else {
      await sleep(3200);
      panel = await panelCode(page);
    }
    // The worker answers the page before it stores what it decided: a panel can be up a
    // moment before the tab's stored diagnosis.
    const s = panel === null
      ? await tabState(b, tabId)
      : await until(async () => { const t = await tabState(b, tabId); return t?.detection ? t : null; }, { timeout: 2000 })
        .catch(() => tabState(b, tabId));
    if (RECORD) {
      const reports = await (await sw(b)).evaluate((id) => globalThis.__corpusReports.filter((r) => r.tab === id).map((r) => r.blocks), tabId);
      // Each different set of blocks once, in the order they came.
      recorded[c.file] = [...new Map(reports.map((r) => [JSON.stringify(r), r])).values()];
    }
    // The badge comes with the worker's effects, after its stores.
    const badge = s?.detection
      ? await until(async () => ((await badgeText(b, tabId)) === '!' ? '!' : null), { timeout: 2000 }).catch(() => badgeText(b, tabId))
      : await badgeText(b, tabId);
    return { panel, code: s?.detection?.code ?? null, badge };
  } finally {
    server.removeRoute(url.hostname, url.pathname);
    await page.close();
  }
}

for (const c of cases) {
  const what = c.expect === 'quiet' ? 'stays quiet' : c.known_miss ? `is known not to be handled right yet (${c.known_miss})` : `is diagnosed${c.code ? ` as ${c.code}` : ''}`;
  check(`real corpus: ${c.file} ${what}`, async () => {
    const seen = await visit(c);
    results.set(c.file, seen);
    // Caught: a diagnosis and the badge (an error nothing on the user's side fixes gets no panel).
    const caught = seen.code !== null && seen.badge === '!';
    if (c.expect === 'quiet') {
      assert(seen.panel === null && seen.code === null && seen.badge === '', `a false alarm: ${JSON.stringify(seen)}`);
    } else if (c.known_miss) {
      assert(!caught || (c.code && seen.code !== c.code), `handled right now (${JSON.stringify(seen)}): take known_miss off the case`);
    } else {
      assert(caught, `missed: ${JSON.stringify(seen)}`);
      if (c.code) assert(seen.code === c.code, `the wrong code: ${JSON.stringify(seen)}, the screen shows ${c.code}`);
    }
  }, { timeout: 30_000 });
}

check('real corpus: recall and false alarms', async () => {
  const errors = cases.filter((c) => c.expect === 'error');
  const quiet = cases.filter((c) => c.expect === 'quiet');
  const caught = errors.filter((c) => results.get(c.file)?.code);
  const alarms = quiet.filter((c) => results.get(c.file)?.code || results.get(c.file)?.panel);
  assert(results.size === cases.length, `${cases.length - results.size} cases did not run`);
  if (RECORD) writeFileSync(path.join(DIR, 'reports.json'), `${JSON.stringify(recorded, null, 1)}\n`);
  console.log(`real corpus: recall ${caught.length}/${errors.length} error screens, false alarms ${alarms.length}/${quiet.length} look-alikes`);
});
