#!/usr/bin/env node
// StreamFix benchmark suite (issue 9): loads the packed extension (dist/chrome) in
// headless Chromium through the e2e harness and measures what a user would notice,
// then writes BENCHMARKS.md. A report, not a test: exits 0 when targets are missed,
// non-zero only when a figure could not be measured.
//
//   node bench/run.mjs                 all figures, writes BENCHMARKS.md
//   node bench/run.mjs --only P1,P3    some figures (BENCHMARKS.md is not written)
//   node bench/run.mjs --no-write      do not write BENCHMARKS.md
//   BENCH_VERBOSE=1 node bench/run.mjs per-round detail on stderr
//   BENCH_DIST=/path/to/build node bench/run.mjs --no-write   measure another unpacked build
//
// Assumes dist/ is built (./build.sh). Needs /usr/bin/chromium (or STREAMFIX_CHROMIUM)
// and, for the native figure, cargo.

import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// BENCH_DIST: another unpacked Chrome build to measure (default: the packed dist/chrome).
const DIST = path.resolve(process.env.BENCH_DIST ?? path.join(ROOT, 'dist/chrome'));
if (!existsSync(path.join(DIST, 'manifest.json'))) {
  console.error(`bench: ${path.relative(ROOT, DIST) || DIST} is not built: run ./build.sh first`);
  process.exit(2);
}

const { startServer } = await import('../tests/e2e/lib/server.mjs');
const { launch, CHROMIUM } = await import('../tests/e2e/lib/browser.mjs');
const { BASE, panelCode, panelFrame, clickUntil, streamfix, sw, until, sleep } = await import('../tests/e2e/lib/streamfix.mjs');
const { addBenchRoutes } = await import('./pages.mjs');

const run = promisify(execFile);
const argv = process.argv.slice(2);
const argValue = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ONLY = argValue('--only')?.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean) ?? null;
const WRITE = !argv.includes('--no-write') && !ONLY;
const VERBOSE = Boolean(process.env.BENCH_VERBOSE);
const wanted = (id) => !ONLY || ONLY.includes(id.toLowerCase());
const log = (...a) => VERBOSE && console.error('  ·', ...a);

// Whole-run watchdog: a hung browser must not hang `./build.sh bench`.
const WATCHDOG_MS = Number(process.env.BENCH_WATCHDOG_MS ?? 12 * 60_000);
const watchdog = setTimeout(() => {
  console.error(`bench: gave up after ${WATCHDOG_MS / 1000} s`);
  process.exit(3);
}, WATCHDOG_MS);
watchdog.unref();

// ------------------------------------------------------------------ numbers

// Decimal units, the strict reading of the targets: 1 KB = 1000 B, 1 MB = 10^6 B.
const KB = 1000;
const MB = 1000 * 1000;
const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
function pct(xs, p) {
  const s = sorted(xs);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (xs) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

/** Races `promise` against a timer. */
function within(promise, timeout, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${timeout / 1000} s`)), timeout); }),
  ]);
}

// ------------------------------------------------------------------ figures

/**
 * Every figure: id, what, value shown, target shown, status PASS | MISS | INFO | ERROR,
 * and a detail line for BENCHMARKS.md.
 */
const figures = [];

function report(fig) {
  figures.push(fig);
  const line = `${fig.id.padEnd(6)} ${fig.what}: ${fig.value}` + (fig.target !== '—' ? ` — target ${fig.target}: ${fig.status}` : '');
  console.log(line);
  if (fig.detail) console.log(`       ${fig.detail}`);
}

async function measure(id, what, target, fn, { timeout = 120_000 } = {}) {
  if (!wanted(id)) return;
  const started = Date.now();
  try {
    const fig = await within(Promise.resolve().then(fn), timeout, id);
    report({ id, what, target, ...fig });
  } catch (err) {
    report({ id, what, target, value: 'not measured', status: 'ERROR', detail: String(err?.message ?? err).split('\n')[0] });
    if (VERBOSE) console.error(err);
  }
  log(`${id} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ------------------------------------------------------------------ P3: wasm size

// What a user downloads: the wasm and every script, each gzipped. A guard (the build fails
// above it too), not a goal.
const SIZE_GUARD = 250 * 1000;
function wasmSize() {
  const files = [
    ...readdirSync(path.join(DIST, 'pkg')).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => path.join('pkg', f)),
    ...readdirSync(DIST).filter((f) => f.endsWith('.js')),
  ];
  if (!files.some((f) => f.endsWith('.wasm'))) throw new Error('no .wasm in dist/chrome/pkg');
  let raw = 0;
  let gz = 0;
  const parts = [];
  for (const f of files) {
    const buf = readFileSync(path.join(DIST, f));
    const g = gzipSync(buf, { level: 9 }).length;
    raw += buf.length;
    gz += g;
    if (f.endsWith('.wasm')) parts.push(`${f} ${kb(buf.length)} raw, ${kb(g)} gzip`);
  }
  return {
    value: `${kb(gz)} gzip (${kb(raw)} raw)`,
    status: gz <= SIZE_GUARD ? 'PASS' : 'MISS',
    detail: `the wasm and ${files.length - 1} scripts; ${parts.join('; ')} (gzip -9, node:zlib; 1 KB = 1000 B)`,
  };
}

// ------------------------------------------------------------------ native

function nativeDetector() {
  return new Promise((resolve, reject) => {
    // A separate target dir: never waits on (or invalidates) the lock of a build in target/.
    console.log('native: cargo bench --bench detector (the first run compiles it, about a minute)');
    const child = spawn(process.env.CARGO ?? 'cargo', ['bench', '--quiet', '--bench', 'detector', '--', '--mb', '1', '--ms', '600'], {
      cwd: ROOT,
      env: { ...process.env, CARGO_TARGET_DIR: path.join(ROOT, 'target/bench') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), 190_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /^detector_mbps ([\d.]+)/m.exec(out);
      if (code !== 0 || !m) {
        const tail = err.trim().split('\n').filter((l) => /error|panicked/i.test(l)).slice(0, 2).join(' | ');
        return reject(new Error(`cargo bench --bench detector failed (exit ${code}): ${tail || err.trim().split('\n').pop()}`));
      }
      const lines = out.split('\n').filter((l) => l.startsWith('detector ')).map((l) => l.replace(/^detector /, ''));
      resolve({
        value: `${Number(m[1]).toFixed(1)} MB/s`,
        status: 'INFO',
        detail: `detect_page over 1 MB in 4 KB blocks, bench profile (= release: opt-level z, LTO). ${lines.join('; ')}`,
      });
    });
  });
}

// ------------------------------------------------------------------ R1: the real corpus

/** R1: the real-world corpus (tests/fixtures/real/) through its e2e spec, in its own browser. */
function realCorpus() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['tests/e2e/run.mjs', '--grep', 'real corpus'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', () => {
      const m = /real corpus: recall (\d+)\/(\d+) error screens, false alarms (\d+)\/(\d+) look-alikes/.exec(out);
      if (!m) return reject(new Error(`the corpus run printed no figures: ${out.trim().split('\n').slice(-2).join(' | ')}`));
      const [caught, errors, alarms, quiet] = m.slice(1).map(Number);
      const recall = caught / errors;
      // What it still gets wrong: the known misses (their why) and any failing case.
      const wrong = out.split('\n')
        .filter((l) => /^FAIL - real corpus: .*\.html/.test(l) || / is known not to be handled right yet /.test(l))
        .map((l) => l.replace(/^(ok  |FAIL) - real corpus: /, '').replace(' is known not to be handled right yet ', ' '));
      resolve({
        value: `recall ${caught}/${errors} (${(100 * recall).toFixed(0)} %), false alarms ${alarms}/${quiet}`,
        status: recall >= 0.95 && alarms === 0 ? 'PASS' : 'MISS',
        detail: `error screens diagnosed (a code or a known screen, and the badge) and look-alikes that raised anything; not handled right: ${wrong.join('; ') || 'none'}`,
      });
    });
  });
}

// ------------------------------------------------------------------ browser figures

/** P1: error inserted → panel host in the DOM and painted. */
async function detectionLatency(env) {
  const { b } = env;
  const WARMUP = 2;
  const N = 50;
  const TIMEOUT = 3000;
  const page = await b.newPage();
  const load = async () => {
    await page.goto(`${BASE}/bench-insert`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === '1');
    // Past the content script's "settled" report (2.5 s after load): errors that
    // matter come in the middle of playback, long after the page loaded.
    await page.waitForTimeout(3000);
  };
  try {
    const recs = [];
    let reloads = 0;
    let consecutive = 0;
    const deadline = Date.now() + 60_000;
    await load();
    // An insertion that goes wrong leaves the page in an unknown state: reload, go on,
    // and give up after 3 in a row (the figure is then a MISS over what was tried).
    const counted = () => recs.filter((r) => !r.lost).length;
    while (counted() < WARMUP + N && consecutive < 3 && Date.now() < deadline) {
      const got = await within(page.evaluate(([n, start, t]) => window.__streamfixBench.run(n, start, t), [WARMUP + N - counted(), recs.length, TIMEOUT]), 60_000, 'P1 insertions')
        .catch((err) => {
          // The tab navigated under the insertion (the extension's wait-and-retry reload).
          if (!/context was destroyed|navigat/i.test(err.message)) throw err;
          return [{ i: recs.length, code: '?', error: 'the page navigated during the insertion', lost: true }];
        });
      for (const r of got) {
        recs.push(r);
        consecutive = r.error ? consecutive + 1 : 0;
        log(`P1 #${r.i} ${r.code}: inDom ${r.inDom?.toFixed(1)} raf ${r.raf?.toFixed(1)} painted ${r.painted?.toFixed(1)} cleared ${r.cleared?.toFixed(1)} ${r.error ?? ''}`);
      }
      if (got.at(-1)?.error && consecutive < 3) {
        reloads++;
        await load();
      }
    }
    const wrongCode = recs.find((r) => !r.noPanel && !r.lost && r.shown !== r.code);
    if (wrongCode) throw new Error(`insertion #${wrongCode.i} of ${wrongCode.code} got a panel for ${wrongCode.shown}`);
    const lost = recs.filter((r) => r.lost).length;
    const all = recs.filter((r) => !r.lost);
    if (!all.length) throw new Error('no insertion could be made');
    const warm = all.slice(0, WARMUP);
    // When it stopped early, the figure is over every insertion tried.
    const early = all.length < WARMUP + N;
    const rest = early ? all : all.slice(WARMUP);
    // An insertion that got no panel counts as infinitely late.
    const painted = rest.map((r) => (r.noPanel ? Infinity : r.painted));
    const inDom = rest.filter((r) => !r.noPanel).map((r) => r.inDom);
    // The same insertions seen from the error's own paint: what the extension adds.
    const shown = rest.filter((r) => !r.noPanel);
    const ownPaint = shown.map((r) => r.errorPainted);
    const afterOwn = shown.map((r) => r.painted - r.errorPainted);
    const late = shown.map((r) => r.framesLate);
    const lateCounts = [...new Set(late)].sort((a, b) => a - b).map((f) => `${f}: ${late.filter((x) => x === f).length}`).join(', ');
    const cleared = rest.filter((r) => r.cleared != null).map((r) => r.cleared);
    const noPanel = rest.filter((r) => r.noPanel).length;
    const stayed = rest.filter((r) => !r.noPanel && r.cleared == null).length;
    // The floor: the same insertions in a profile without StreamFix.
    const floor = await bareInsertions(env, WARMUP, N);
    const show = (x) => (Number.isFinite(x) ? ms(x) : `> ${TIMEOUT} ms`);
    const p95 = pct(painted, 95);
    const problems = [
      noPanel && `${noPanel} got no panel within ${TIMEOUT} ms`,
      stayed && `${stayed} panels stayed after the error went`,
      lost && `${lost} lost to a reload of the tab`,
      consecutive >= 3 && `stopped after 3 failed insertions in a row`,
      early && `warm-ups included`,
    ].filter(Boolean);
    const value = noPanel === rest.length
      ? `no panel within ${TIMEOUT} ms for any of ${rest.length} insertions${problems.length > 1 ? ` (${problems.slice(1).join(', ')})` : ''}`
      : `p50 ${show(pct(painted, 50))}, p95 ${show(p95)}, max ${show(Math.max(...painted))} (${rest.length} insertions${problems.length ? `; ${problems.join(', ')}` : ''})`;
    return {
      value,
      status: p95 <= 16 && rest.length >= N && !problems.length ? 'PASS' : 'MISS',
      detail: `host in DOM p50 ${inDom.length ? ms(pct(inDom, 50)) : '—'} / p95 ${inDom.length ? ms(pct(inDom, 95)) : '—'}; ` +
        (shown.length
          ? `the error's own paint (same method: the frame that shows the inserted error) p50 ${ms(pct(ownPaint, 50))} / p95 ${ms(pct(ownPaint, 95))}; ` +
            `panel painted after the error's own paint p50 ${ms(pct(afterOwn, 50))} / p95 ${ms(pct(afterOwn, 95))} / max ${ms(Math.max(...afterOwn))}; ` +
            `frames late (panel's frame − error's frame → insertions) ${lateCounts}; `
          : '') +
        `without StreamFix (second profile, same page and method, ${floor.length} insertions) the error itself is painted p50 ${ms(pct(floor, 50))} / p95 ${ms(pct(floor, 95))} / max ${ms(Math.max(...floor))} after its insertion; ` +
        `panel removed after the error went p50 ${cleared.length ? ms(pct(cleared, 50)) : '—'}; page reloads after a failed insertion: ${reloads}; ` +
        `first ${WARMUP}${early ? '' : ' (not counted)'}: ${warm.map((r) => (r.noPanel ? 'no panel' : ms(r.painted))).join(', ')}; ` +
        `failures: ${[...new Set(recs.filter((r) => r.error).map((r) => r.error))].join('; ') || 'none'}`,
    };
  } finally {
    await page.close();
  }
}

/**
 * P1's floor: the error's own paint after its insertion in the profile without the
 * extension (nothing else can be painted there). Returns the counted times, ms.
 */
async function bareInsertions(env, warmup, n) {
  const page = await env.bare.newPage();
  try {
    await page.goto(`${BASE}/bench-insert`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === '1');
    await page.waitForTimeout(3000);
    const got = await within(page.evaluate((k) => window.__streamfixBench.bare(k), warmup + n), 60_000, 'P1 insertions without the extension');
    for (const r of got) log(`P1 bare #${r.i} ${r.code}: error painted ${r.errorPainted.toFixed(1)}`);
    return got.slice(warmup).map((r) => r.errorPainted);
  } finally {
    await page.close();
  }
}

/** P2: main-thread time of a fixed DOM-churn workload, with vs without the extension. */
const P2_ROUNDS = Number(process.env.BENCH_P2_ROUNDS ?? 32);
// Side by side (default): both profiles run their workload at the same time, so both see
// the same machine. One after the other (BENCH_P2_SEQUENTIAL=1, the method until
// 2026-11-30): a run varies by ±10 % and a whole set of rounds by ±5 % on this shared
// machine, more than the 2 % to be told apart.
const SEQUENTIAL = Boolean(process.env.BENCH_P2_SEQUENTIAL);
async function pageOverhead(env) {
  const ROUNDS = P2_ROUNDS;
  const workload = { steps: 120, interval: 16, burst: 40 };
  const one = async (b) => {
    const page = await b.newPage();
    try {
      await page.goto(`${BASE}/bench-churn`);
      await page.waitForFunction(() => document.documentElement.dataset.benchReady === '1');
      const session = await b.context.newCDPSession(page);
      // Thread time, not wall time: the machine may be busy with other work.
      await session.send('Performance.enable', { timeDomain: 'threadTicks' });
      // Both sides start from a collected heap: a major GC falling inside one side's
      // workload and not the other's is noise, not overhead.
      await session.send('HeapProfiler.collectGarbage');
      await page.waitForTimeout(300);
      const metric = async () => Object.fromEntries((await session.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const m0 = await metric();
      const res = await within(page.evaluate((w) => window.__streamfixChurn.start(w), workload), 30_000, 'P2 workload');
      await page.waitForTimeout(100); // the last frame's observers and rendering
      const m1 = await metric();
      await session.detach();
      const d = (k) => (m1[k] - m0[k]) * 1000;
      return { task: d('TaskDuration'), script: d('ScriptDuration'), ...res };
    } finally {
      await page.close();
    }
  };
  const runs = { with: [], without: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['without', 'with'] : ['with', 'without'];
    if (!SEQUENTIAL) {
      const [a, c] = await Promise.all(order.map((which) => one(which === 'with' ? env.b : env.bare)));
      const got = { [order[0]]: a, [order[1]]: c };
      for (const which of order) {
        runs[which].push(got[which]);
        log(`P2 round ${r} ${which}: task ${ms(got[which].task)} script ${ms(got[which].script)} steps ${ms(got[which].stepMs)}`);
      }
      continue;
    }
    for (const which of order) {
      const x = await one(which === 'with' ? env.b : env.bare);
      runs[which].push(x);
      log(`P2 round ${r} ${which}: task ${ms(x.task)} script ${ms(x.script)} steps ${ms(x.stepMs)} wall ${ms(x.wall)} mutations ${x.mutations}`);
    }
  }
  const task = (k) => median(runs[k].map((x) => x.task));
  const script = (k) => median(runs[k].map((x) => x.script));
  const ratio = task('with') / task('without');
  const perRound = runs.with.map((x, i) => x.task / runs.without[i].task);
  const spread = [Math.min(...perRound), Math.max(...perRound)];
  const rate = median(runs.with.map((x) => x.mutations / (x.wall / 1000)));
  return {
    value: `×${ratio.toFixed(3)} (${ms(task('with'))} vs ${ms(task('without'))} main-thread time)`,
    status: ratio <= 1.02 ? 'PASS' : 'MISS',
    detail: `${ROUNDS} rounds ${SEQUENTIAL ? 'one after the other, alternated' : 'side by side (both profiles at once, which starts first alternated)'}, ` +
      `medians of CDP TaskDuration (thread time) over ${workload.steps} steps of ${workload.burst} insertions + removals every ` +
      `${workload.interval} ms (~${Math.round(rate)} mutations/s); per-round ratios ${perRound.map((x) => x.toFixed(3)).join(', ')} ` +
      `(median ${median(perRound).toFixed(3)}, ${spread[0].toFixed(3)}–${spread[1].toFixed(3)}); ` +
      `script time ${ms(script('with'))} vs ${ms(script('without'))}`,
  };
}

/** P8: error shown → the panel iframe's diagnosis painted (its text, not only the host box). */
async function diagnosisPainted(env) {
  const { b } = env;
  const WARMUP = 2;
  const N = 20;
  const page = await b.newPage();
  try {
    await page.goto(`${BASE}/bench-insert`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === '1');
    // Past the content script's "settled" report, as in P1.
    await page.waitForTimeout(3000);
    const rows = [];
    for (let i = 0; i < WARMUP + N; i++) {
      const put = await page.evaluate((k) => window.__streamfixBench.insert(k), i);
      const frame = await panelFrame(b, page, { seen: false });
      const mark = await until(
        () => frame.evaluate(() => {
          const m = performance.getEntriesByName('streamfix:diagnosis-painted')[0];
          const nav = performance.getEntriesByType('navigation')[0];
          return m ? { at: performance.timeOrigin + m.startTime, code: document.body.dataset.code, start: performance.timeOrigin, loaded: nav?.domContentLoadedEventEnd ?? null, inDom: performance.getEntriesByName('streamfix:diagnosis')[0].startTime } : null;
        }),
        { timeout: 5000, what: 'the panel to paint its diagnosis' },
      );
      if (mark.code !== put.code) throw new Error(`round ${i}: the panel shows ${mark.code}, the page ${put.code}`);
      rows.push({ total: mark.at - put.at, afterOwn: mark.at - put.errorPainted, docStart: mark.start - put.at, loaded: mark.loaded, inDom: mark.inDom, docToPaint: mark.at - mark.start });
      log(`P8 #${i} ${put.code}: painted ${ms(mark.at - put.at)} (after the error's own paint ${ms(mark.at - put.errorPainted)})`);
      if (!(await page.evaluate(() => window.__streamfixBench.clear()))) throw new Error(`round ${i}: the panel stayed after the error went`);
      await sleep(50);
    }
    const rest = rows.slice(WARMUP);
    const total = rest.map((r) => r.total);
    const afterOwn = rest.map((r) => r.afterOwn);
    const p95 = pct(total, 95);
    return {
      value: `p50 ${ms(pct(total, 50))}, p95 ${ms(p95)}, max ${ms(Math.max(...total))} (${rest.length} errors)`,
      status: p95 <= 100 ? 'PASS' : 'MISS',
      detail: `after the error's own paint p50 ${ms(pct(afterOwn, 50))} / p95 ${ms(pct(afterOwn, 95))}; ` +
        `the panel's document starts p50 ${ms(pct(rest.map((r) => r.docStart), 50))} after the insertion, has its scripts run (DOMContentLoaded) at p50 ${ms(pct(rest.filter((r) => r.loaded !== null).map((r) => r.loaded), 50))}, ` +
        `its diagnosis in the DOM at p50 ${ms(pct(rest.map((r) => r.inDom), 50))} and painted at p50 ${ms(pct(rest.map((r) => r.docToPaint), 50))} of its own time; ` +
        `first ${WARMUP} (not counted): ${rows.slice(0, WARMUP).map((r) => ms(r.total)).join(', ')}`,
    };
  } finally {
    await page.close();
  }
}

/**
 * P4 rounds in browser `b`: chrome.action.openPopup() → the popup shows the diagnosis
 * with its steps, painted. Returns one row per open (times from the call, ms).
 */
async function popupRounds(b, rounds) {
  const id = streamfix(b).id;
  const errorPage = await b.newPage();
  // An extension page of StreamFix (options.html, in a background tab) watches the
  // popup: its runtime.onMessage sees the popup's first GetView (sent before the popup
  // can render anything), reaches the popup's window with extension.getViews() and
  // observes its DOM from there. Nothing of the product is changed.
  const watcher = await b.newPage();
  try {
    await errorPage.goto(`${BASE}/nsez-403`);
    await until(() => panelCode(errorPage), { what: 'the panel on /nsez-403' });
    await watcher.goto(`chrome-extension://${id}/options.html`);
    await watcher.evaluate(() => {
      const clock = () => performance.timeOrigin + performance.now();
      window.__bench = { round: -1, recs: {} };
      chrome.runtime.onMessage.addListener((msg, sender) => {
        const round = window.__bench.round;
        if (msg?.type !== 'GetView' || !sender.url?.includes('/popup.html') || window.__bench.recs[round]) return;
        const rec = { asked: clock() };
        window.__bench.recs[round] = rec;
        const [w] = chrome.extension.getViews({ type: 'popup' });
        if (!w) { rec.error = 'the popup view is not reachable'; return; }
        rec.navStart = w.performance.timeOrigin;
        const done = () => w.document.body?.dataset.state === 'error' && w.document.querySelector('[data-step-state]');
        if (done()) { rec.error = 'rendered before its first GetView was seen'; return; }
        const mo = new MutationObserver(() => {
          if (!done()) return;
          mo.disconnect();
          rec.dom = clock();
          rec.code = w.document.body.dataset.code;
          rec.steps = w.document.querySelectorAll('[data-step-state]').length;
          w.requestAnimationFrame(() => {
            rec.raf = clock();
            const ch = new w.MessageChannel();
            ch.port1.onmessage = () => {
              rec.painted = clock();
              // Where the popup document's own time went (for the detail line).
              const nav = w.performance.getEntriesByType('navigation')[0];
              rec.phases = nav && { response: nav.responseEnd, interactive: nav.domInteractive };
              rec.scripts = [...w.performance.getEntriesByType('mark'), ...w.performance.getEntriesByType('resource')].map((e) => [e.name.split('/').pop(), e.startTime, e.responseEnd ?? e.startTime]);
            };
            ch.port2.postMessage(0);
          });
        });
        mo.observe(w.document, { subtree: true, childList: true, attributes: true });
      });
    });
    const rows = [];
    for (let r = 0; r < rounds; r++) {
      await watcher.evaluate((round) => { window.__bench.round = round; }, r);
      // Time the harness's own chrome.action.openPopup() call, in the worker.
      await (await sw(b)).evaluate(() => {
        globalThis.__benchT0 = null;
        if (!globalThis.__benchWrapped) {
          const open = chrome.action.openPopup.bind(chrome.action);
          chrome.action.openPopup = (...args) => {
            globalThis.__benchT0 = performance.timeOrigin + performance.now();
            return open(...args);
          };
          globalThis.__benchWrapped = true;
        }
      });
      const popup = await b.openPopup(id, { page: errorPage });
      try {
        const rec = await until(async () => {
          const x = await watcher.evaluate((round) => window.__bench.recs[round] ?? null, r);
          if (x?.error) throw new Error(x.error);
          return x?.painted ? x : null;
        }, { timeout: 5000, interval: 20, what: 'the popup to paint its diagnosis' });
        const t0 = await (await sw(b)).evaluate(() => globalThis.__benchT0);
        if (!t0) throw new Error('the openPopup() call was not timed (worker restarted?)');
        if (rec.code !== 'NSEZ-403') throw new Error(`popup shows ${rec.code}, expected NSEZ-403`);
        rows.push({ painted: rec.painted - t0, dom: rec.dom - t0, nav: rec.navStart - t0, asked: rec.asked - t0 });
        const scripts = (rec.scripts ?? []).map(([n, s, e]) => `${n} ${s.toFixed(1)}–${e.toFixed(1)}`).join(', ');
        log(`P4 round ${r}: nav ${ms(rec.navStart - t0)} GetView ${ms(rec.asked - t0)} dom ${ms(rec.dom - t0)} painted ${ms(rec.painted - t0)} (${rec.steps} steps); ` +
          `in the popup: response ${rec.phases?.response.toFixed(1)}, interactive ${rec.phases?.interactive.toFixed(1)}, ${scripts}`);
      } finally {
        await popup.close();
      }
      await sleep(250);
    }
    return rows;
  } finally {
    await watcher.close();
    await errorPage.close();
  }
}

/**
 * P4: the popup of a pinned extension (judged; how a user who uses the toolbar button
 * has it) and, shown alongside, of an unpinned one (Chromium first animates its icon out
 * of the extensions menu).
 */
// The worker stopped (as the browser stops an idle one), then one message from an
// extension page: the time to its answer covers starting the worker, compiling and
// instantiating the wasm, and the core's answer.
async function coldStart(env) {
  const ROUNDS = 20;
  const { b } = env;
  const id = streamfix(b).id;
  const page = await b.newPage();
  await page.goto(`chrome-extension://${id}/privacy.html`);
  const times = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      await b.stopServiceWorkers(id);
      times.push(await page.evaluate(async () => {
        const t = performance.now();
        const r = await chrome.runtime.sendMessage({ type: 'CoreInfo' });
        if (r?.type !== 'Info') throw new Error(`no answer: ${JSON.stringify(r)}`);
        return performance.now() - t;
      }));
    }
  } finally {
    await page.close();
  }
  const warm = await (async () => {
    const p = await b.newPage();
    await p.goto(`chrome-extension://${id}/privacy.html`);
    const t = await p.evaluate(async () => {
      const xs = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await chrome.runtime.sendMessage({ type: 'CoreInfo' });
        xs.push(performance.now() - t0);
      }
      return xs;
    });
    await p.close();
    return t;
  })();
  const p95 = pct(times, 95);
  return {
    value: `p50 ${ms(pct(times, 50))}, p95 ${ms(p95)} (${ROUNDS} starts)`,
    status: p95 <= 30 ? 'PASS' : 'MISS',
    detail: `stopped → first answer of a CoreInfo message from an extension page, max ${ms(Math.max(...times))}; the same message to a running worker p50 ${ms(pct(warm, 50))}`,
  };
}

async function popupLatency(env) {
  const ROUNDS = 8;
  // A second profile, started only now (idle during the other figures): the same build,
  // pinned to the toolbar before launch.
  env.pinned = await launch({ extensions: [DIST], server: env.server, pinned: true });
  await sw(env.pinned);
  const pinnedOf = async (b) => (await (await sw(b)).evaluate(() => chrome.action.getUserSettings())).isOnToolbar;
  if (!(await pinnedOf(env.pinned))) throw new Error('the extension is not pinned in the pinned profile');
  if (await pinnedOf(env.b)) throw new Error('the extension is pinned in the unpinned profile');
  // Alternated, as P2: neither side gets the quieter half of the run.
  const rows = { pinned: [], unpinned: [] };
  for (let r = 0; r < 2; r++) {
    for (const which of r ? ['unpinned', 'pinned'] : ['pinned', 'unpinned']) {
      log(`P4 ${which}, ${ROUNDS / 2} opens`);
      rows[which].push(...await popupRounds(which === 'pinned' ? env.pinned : env.b, ROUNDS / 2));
    }
  }
  const sum = (xs) => {
    const painted = xs.map((x) => x.painted);
    return { p50: pct(painted, 50), max: Math.max(...painted), nav: median(xs.map((x) => x.nav)) };
  };
  const pinned = sum(rows.pinned);
  const unpinned = sum(rows.unpinned);
  const phases = (xs) => `the popup document starts p50 ${ms(median(xs.map((x) => x.nav)))} after the call (the browser's part), ` +
    `sends its GetView at p50 ${ms(median(xs.map((x) => x.asked)))}, has its steps in the DOM at p50 ${ms(median(xs.map((x) => x.dom)))}; ` +
    `from the popup document's start to painted: p50 ${ms(median(xs.map((x) => x.painted - x.nav)))}, max ${ms(Math.max(...xs.map((x) => x.painted - x.nav)))}`;
  return {
    value: `pinned: p50 ${ms(pinned.p50)}, max ${ms(pinned.max)} (${ROUNDS} opens); unpinned: p50 ${ms(unpinned.p50)}, max ${ms(unpinned.max)}`,
    status: pinned.max <= 100 ? 'PASS' : 'MISS',
    detail: `judged on the pinned extension; PASS needs every open ≤ 100 ms. Pinned: ${phases(rows.pinned)}. ` +
      `Unpinned (the extensions menu's icon animation comes first; what this figure measured until the pinned one was added): ${phases(rows.unpinned)}`,
  };
}

/** P5: clear site data, confirm click → the streaming cookie gone and the tab reloading. */
async function clearSiteData(env) {
  const { b } = env;
  const ROUNDS = 3;
  const rows = [];
  const hasCookie = async () => (await b.context.cookies(BASE)).some((c) => c.name === 'fixtureCookie');
  for (let r = 0; r < ROUNDS; r++) {
    const page = await b.newPage();
    try {
      await page.goto(`${BASE}/storage`);
      await page.waitForFunction(() => document.documentElement.dataset.storageReady || document.documentElement.dataset.storageError);
      const storageError = await page.evaluate(() => document.documentElement.dataset.storageError ?? null);
      if (storageError) throw new Error(`the storage fixture failed: ${storageError}`);
      await page.goto(`${BASE}/nsez-403`);
      await until(() => panelCode(page), { what: 'the panel on /nsez-403' });
      if (!(await hasCookie())) throw new Error('the streaming cookie was not set');
      const frame = await panelFrame(b, page);
      log(`P5 round ${r}: panel up, asking to clear`);
      await clickUntil(frame, '[data-action="clear-site-data"]', '[data-action="confirm"]');
      log(`P5 round ${r}: confirmation shown`);
      const [confirm] = await b.waitForPierced(page, '[data-action="confirm"]');
      const { centerX, centerY } = await confirm.box();
      let reload = null;
      let committed = null;
      const onRequest = (req) => {
        if (reload === null && req.isNavigationRequest() && req.frame() === page.mainFrame()) reload = Date.now();
      };
      const onNav = (f) => { if (committed === null && f === page.mainFrame()) committed = Date.now(); };
      page.on('request', onRequest);
      page.on('framenavigated', onNav);
      const t0 = Date.now();
      await page.mouse.click(centerX, centerY);
      let gone = null;
      const deadline = t0 + 5000;
      while (Date.now() < deadline && (gone === null || reload === null)) {
        if (gone === null && !(await hasCookie())) gone = Date.now();
        await sleep(5);
      }
      // Not part of the figure: when the reload commits.
      for (const end = Date.now() + 2000; committed === null && reload !== null && Date.now() < end;) await sleep(20);
      page.off('request', onRequest);
      page.off('framenavigated', onNav);
      if (gone === null) throw new Error('the streaming cookie was still there 5 s after confirming');
      if (reload === null) throw new Error('the tab did not start reloading within 5 s of confirming');
      rows.push({ total: Math.max(gone, reload) - t0, gone: gone - t0, reload: reload - t0, committed: committed === null ? NaN : committed - t0 });
      log(`P5 round ${r}: cookie gone ${gone - t0} ms, reload requested ${reload - t0} ms, committed ${committed === null ? '-' : committed - t0} ms`);
    } finally {
      await page.close();
    }
  }
  const totals = rows.map((x) => x.total);
  const max = Math.max(...totals);
  return {
    value: `p50 ${ms(median(totals))}, max ${ms(max)} (${ROUNDS} rounds)`,
    status: max <= 1000 ? 'PASS' : 'MISS',
    detail: `cookie gone p50 ${ms(median(rows.map((x) => x.gone)))}, reload request p50 ${ms(median(rows.map((x) => x.reload)))}, ` +
      `reload committed p50 ${ms(median(rows.map((x) => x.committed)))} (node clock, from the trusted click; cookies polled every ~5 ms)`,
  };
}

/** P6: JS heap of a healthy streaming page with vs without the extension, after GC. */
async function heapAdded(env) {
  const ROUNDS = 3;
  const one = async (b) => {
    const page = await b.newPage();
    try {
      await page.goto(`${BASE}/`);
      // Past the content script's settled report (2.5 s after load).
      await page.waitForTimeout(3000);
      const session = await b.context.newCDPSession(page);
      await session.send('HeapProfiler.enable');
      for (let i = 0; i < 3; i++) await session.send('HeapProfiler.collectGarbage');
      const { usedSize } = await session.send('Runtime.getHeapUsage');
      await session.detach();
      return usedSize;
    } finally {
      await page.close();
    }
  };
  const withExt = [];
  const without = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Both profiles at once: heap sizes do not depend on timing.
    const [a, c] = await Promise.all([one(env.b), one(env.bare)]);
    withExt.push(a);
    without.push(c);
    log(`P6 round ${r}: with ${kb(a)}, without ${kb(c)}`);
  }
  const added = median(withExt) - median(without);
  return {
    value: `${kb(added)} (${kb(median(withExt))} vs ${kb(median(without))})`,
    status: added <= MB ? 'PASS' : 'MISS',
    detail: `${ROUNDS} rounds on / (no error), 3 s after load, CDP HeapProfiler.collectGarbage ×3 then Runtime.getHeapUsage (the page's whole V8 isolate: ` +
      `page world + the content script's isolated world); with: ${withExt.map(kb).join(', ')}; without: ${without.map(kb).join(', ')}; 1 MB = 10^6 B`,
  };
}

// ------------------------------------------------------------------ machine

async function machine(browserVersion) {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = (await run('nproc').then((r) => r.stdout.trim(), () => String(os.availableParallelism())));
  let chromium = browserVersion ? `Chromium ${browserVersion}` : null;
  if (!chromium) {
    const out = await run(CHROMIUM, ['--version']).then((r) => r.stdout, (e) => e.stdout ?? '');
    chromium = /Chromium [\d.]+/.exec(out)?.[0] ?? 'unknown';
  }
  const mem = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const load = LOAD_AT_START;
  const git = async (...a) => (await run('git', a, { cwd: ROOT }).then((r) => r.stdout.trim(), () => ''));
  const head = await git('rev-parse', '--short', 'HEAD');
  const dirty = (await git('status', '--porcelain', '--', 'src', 'extension', 'data', 'manifest.json', 'Cargo.toml', 'build.rs')) ? ' + uncommitted changes in the sources' : '';
  const wasm = readdirSync(path.join(DIST, 'pkg')).find((f) => f.endsWith('.wasm'));
  const built = wasm ? statSync(path.join(DIST, 'pkg', wasm)).mtime.toISOString().replace(/\.\d+Z$/, 'Z') : 'unknown';
  const build = `${path.relative(ROOT, DIST) || DIST}, built ${built} (wasm mtime); sources at ${head || 'unknown'}${dirty}`;
  return { cpu, nproc, chromium, mem, load, build, node: process.version, kernel: `${os.type()} ${os.release()}` };
}

// ------------------------------------------------------------------ BENCHMARKS.md

function table(rows) {
  const head = ['figure', 'what', 'measured', 'target', 'result'];
  const lines = rows.map((f) => [f.id, f.what, f.value, f.target, f.status]);
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => cells.map((c, i) => String(c).padEnd(width[i])).join('  ');
  return [fmt(head), fmt(width.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

function markdown(m, date, secs) {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const rows = figures.map((f) => `| ${f.id} | ${esc(f.what)} | ${esc(f.value)} | ${esc(f.target)} | **${f.status}** |`);
  const details = figures.filter((f) => f.detail).map((f) => `- **${f.id}**: ${f.detail}`);
  return `# Benchmarks

Last results of \`node bench/run.mjs\` (\`./build.sh bench\`), written by the script itself.
The figures and targets come from issue 9. A missed target is reported as **MISS** and
stays a MISS until the product meets it; targets are never adjusted here.

## Machine

| | |
|---|---|
| date | ${date} |
| CPUs (\`nproc\`) | ${m.nproc} |
| CPU | ${m.cpu} |
| memory | ${m.mem} |
| load average at start (1, 5, 15 min) | ${m.load} |
| browser | ${m.chromium}, headless (\`--disable-gpu\`), through playwright-core |
| node | ${m.node} |
| OS | ${m.kernel} |
| build measured | ${m.build} |
| run time | ${secs} s |

The machine is shared: other builds and test runs may be going on at the same time (see
the load average). Browser figures are wall-clock unless said otherwise; P2 uses
main-thread *thread* time so that preemption by other processes does not count.

## Results

| figure | what | measured | target | result |
|---|---|---|---|---|
${rows.join('\n')}

${details.join('\n')}

## What is measured

All browser figures use the packed extension in \`dist/chrome\` (run \`./build.sh\` first),
loaded unpacked into a fresh Chromium profile by the e2e harness
(\`tests/e2e/lib/browser.mjs\`), with the fixture sites served over HTTPS under their real
host names (\`tests/e2e/lib/server.mjs\`, strict page CSP). The benchmark's own pages are
in \`bench/pages.mjs\`.

- **P1 detection latency.** A player page (\`/bench-insert\`) appends
  \`<div class="nf-error">Error Code: …</div>\` (an \`error_selectors\` container) and takes
  \`performance.now()\` just before. A MutationObserver on \`document\` (page world) sees the
  \`<streamfix-panel>\` host being added; "painted" is the first task after the next
  \`requestAnimationFrame\` (rAF callbacks run right before that frame's paint; a task
  posted from one runs after it). The page then removes the error and waits until the
  extension removes the panel (page healthy again) before the next insertion, which
  starts at a random point of the 16 ms frame interval. Insertions begin 3 s after the
  page loaded, past the content script's one-off "settled" report, as a player's error
  comes mid-playback. An insertion that gets no panel within 3 s counts as infinitely
  late; the page is then reloaded, and after 3 failed insertions in a row the run stops
  and the figure is over what was tried. Codes rotate NSEZ-503,
  NSEZ-403, NW-6-403, NSES-UHX so every insertion needs a fresh panel; every panel's
  \`data-code\` is checked against the inserted code. 2 warm-up insertions (service
  worker and wasm warm) are shown but not counted; 50 are counted. The figure is the
  host's box being painted: the panel's iframe content (panel.html rendering the
  diagnosis) loads after that and is not included. Because each insertion starts at a
  random point of the frame interval, the figure includes waiting for the next frame,
  which the error itself waits for too; so the detail line also gives, for the same
  insertions, the error's own paint (a rAF registered in the inserting task: the frame
  that shows the error, measured the same way), the panel's paint after it, and how
  many frames later the panel's frame came (rAF timestamps; 0 = the panel is painted in
  the very frame that shows the error). The same insertions are also made, by the same
  page code, in the second profile without the extension: there only the error can be
  painted, and its paint after insertion is the floor any change to the page meets (the
  wait for the browser's next 60 Hz frame plus rendering). The judged figure stays the
  issue's definition, insertion → panel painted.
- **P2 page overhead.** \`/bench-churn\`: a healthy player page whose script runs a fixed
  workload of 120 steps, one every 16 ms, each changing timecode, subtitle and stats
  text, a style, a class and data attributes, and inserting 40 list items while
  removing as many (thousands of mutations per second, no error). Main-thread time of
  the page's renderer during the workload is CDP \`Performance.getMetrics\`
  \`TaskDuration\` (with \`timeDomain: threadTicks\`), so it includes the content script's
  MutationObserver callbacks and the checks it leaves for later. Same workload in a
  second browser profile without the extension, same run, 32 rounds. Since 2026-11-30
  each round runs the two profiles side by side (both workloads at once; which starts
  first alternates), so both meet the same state of the machine: run one after the
  other (alternated, 6 to 16 rounds until then; still there as
  \`BENCH_P2_SEQUENTIAL=1\`), a single page run varied by ±10 % and a whole set of rounds
  by ±5 % on this shared machine, so the figure went from ×0.95 to ×1.04 between runs of
  the same build; side by side a round's ratio stays within about ±8 %, and three runs
  of the same build gave ×0.989, ×1.012 and ×1.010. Ratio of the medians; the detail
  also gives the median of the
  per-round ratios, their range, and the script time (V8) of both, where the
  extension's own cost shows.
- **P3 shipped size.** Every \`dist/chrome/pkg/*.wasm\` and every script of the build, raw
  and gzip level 9, summed. A guard, not a goal: \`./build.sh\` fails above 250 KB too.
  Sizes here are decimal (1 KB = 1000 B, 1 MB = 10^6 B), the strict reading of the targets.
- **P4 popup.** Judged on the popup of a *pinned* extension: a user who opens the popup
  from the toolbar has its button there (an unpinned extension's popup opens from the
  extensions menu, and Chromium first animates the icon out of it, ~260 ms before the
  popup document even starts). The bench starts a second fresh profile with the
  extension pinned before launch (\`extensions.pinned_extensions\` in the profile's
  Preferences, checked with \`chrome.action.getUserSettings().isOnToolbar\`), and shows
  the unpinned figure (the main profile, what P4 measured until 2026-11-29) alongside;
  4 + 4 opens each, alternated. On a tab showing NSEZ-403, the harness's \`openPopup()\` calls
  \`chrome.action.openPopup()\` in the service worker, timed there
  (\`performance.timeOrigin + performance.now()\`). The end is when the popup's body has
  \`data-state="error"\` and \`[data-step-state]\` items, plus the next frame (same rAF +
  task approximation as P1). It is observed from another StreamFix page (options.html
  in a background tab) that reaches the popup's window with
  \`chrome.extension.getViews({type: 'popup'})\` when the popup's first \`GetView\` message
  arrives, which is before the popup can render. Both ends use the extension process's
  clock. PASS needs every open within the target.
- **P5 clear site data.** \`/storage\` fills every kind of site data of www.netflix.com;
  the tab goes to \`/nsez-403\`; in the panel, *Clear site data*, then a trusted mouse
  click on *Confirm*. From just before that click (node clock) to both: the
  \`fixtureCookie\` cookie gone (\`context.cookies()\` polled every ~5 ms) and the tab's
  reload requested (the main frame's navigation request). PASS needs every round
  within the target.
- **P6 JS heap.** The healthy home page \`/\`, 3 s after load (past the content script's
  "settled" report), three forced GCs, then \`Runtime.getHeapUsage\` of the page's V8
  isolate — it holds the page's world and the content script's isolated world, so the
  difference with vs without the extension is what the content script (and its
  extension API bindings) adds. Median of each side.
- **P7 cold start.** The worker is stopped over CDP (\`ServiceWorker.stopAllWorkers\`), then
  an extension page sends one \`CoreInfo\` message: the time to its answer covers the
  worker's start, the wasm's compile and instantiation, and the core's answer. 20 starts.
- **P8 diagnosis painted.** The page of P1 puts up one error and leaves it; the time runs
  from its insertion to the first task after the frame that paints the panel's
  diagnosis *inside* the iframe (the panel's own \`streamfix:diagnosis-painted\` User
  Timing mark, on the clock all frames share: \`performance.timeOrigin\` + the mark).
  Then the error goes, the panel with it, and the next round starts. 2 warm-ups, 20
  rounds. The detail line also gives the time after the error's own paint.
- **P4 and P8 before the move to Rust rendering.** With the popup and the panel rendered
  by JavaScript (\`ui.js\`, commit 06722ee, this machine, 2026-12-05): P4 pinned p50
  79.0 ms, max 96.4 ms (PASS); P8 p50 89.9 ms, p95 105.4 ms (two runs: p95 105 and
  119 ms). Rendering from Rust adds the wasm's start to each popup and panel document.
- **R1 real corpus.** \`tests/fixtures/real/\`: error screens and look-alikes gathered from
  public sources (each file says where from), served under their real addresses with the
  packed extension by \`tests/e2e/specs/10-real-corpus.mjs\`. Recall: error screens that
  got a diagnosis and the badge; false alarms: look-alikes that got anything. The cases it
  still gets wrong are listed with why (\`known_miss\` in \`cases.toml\`).
- **Native.** \`cargo bench --bench detector\` (\`benches/detector.rs\`, plain \`std::time\`):
  \`streamfix::core::detector::detect_page\` over 1 MB of realistic page text in blocks
  of just under 4 KB (\`MAX_BLOCK_CHARS\`). The headline figure reads every block as an
  error container (the slowest path: tokens, lower-casing, phrases); the other lines
  are the free-text and title paths, and an error found after 1 MB of text. No
  target: information.
`;
}

// ------------------------------------------------------------------ main

/** mtimes and sizes of the build under test: a rebuild during the run voids the figures. */
function fingerprint(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else {
        const st = statSync(f);
        out.push(`${f}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort().join('\n');
}

const BUILD_AT_START = fingerprint(DIST);
const t0 = Date.now();
const LOAD_AT_START = os.loadavg().map((x) => x.toFixed(2)).join(' ');
let exitCode = 0;
console.log('StreamFix benchmarks (issue 9)');

await measure('P3', 'shipped wasm + JS size', '≤ 250 KB gzip (a guard)', async () => wasmSize());
// A cold compile of the bench (LTO) takes about a minute on 2 cores.
await measure('native', 'detector throughput', '—', nativeDetector, { timeout: 200_000 });
await measure('R1', 'real error screens diagnosed, look-alikes quiet', 'recall ≥ 95 %, 0 false alarms', realCorpus, { timeout: 400_000 });

const FIG = {
  P1: ['detection latency, error → panel painted', 'p95 ≤ 16 ms'],
  P2: ['page overhead (DOM churn)', '≤ ×1.02'],
  P4: ['popup open → diagnosis painted', '≤ 100 ms'],
  P5: ['clear site data → data gone, tab reloading', '≤ 1 s'],
  P6: ['JS heap added by the content script', '≤ 1 MB'],
  P7: ['service worker cold start, stopped → first answer', 'p95 ≤ 30 ms'],
  P8: ["error shown → the panel's diagnosis painted", 'p95 ≤ 100 ms'],
};
const browserIds = Object.keys(FIG);
let env = null;
let browserVersion = null;
if (browserIds.some(wanted)) {
  try {
    const server = await startServer();
    addBenchRoutes(server);
    const needBare = wanted('P1') || wanted('P2') || wanted('P6');
    const [b, bare] = await Promise.all([
      launch({ extensions: [DIST], server }),
      needBare ? launch({ extensions: [], server }) : null,
    ]);
    env = { server, b, bare, pinned: null };
    browserVersion = b.context.browser()?.version() ?? null;
    // The extension's worker is up before anything is timed.
    await sw(b);
  } catch (err) {
    console.error(`bench: could not start the browser: ${err.message}`);
    for (const id of browserIds.filter(wanted)) {
      report({ id, what: FIG[id][0], target: FIG[id][1], value: 'not measured', status: 'ERROR', detail: `browser did not start: ${err.message}` });
    }
  }
}

if (env) {
  try {
    await measure('P6', ...FIG.P6, () => heapAdded(env));
    // About 4 s a round (both profiles) on this machine.
    await measure('P2', ...FIG.P2, () => pageOverhead(env), { timeout: P2_ROUNDS * 8_000 + 30_000 });
    await measure('P1', ...FIG.P1, () => detectionLatency(env));
    await measure('P4', ...FIG.P4, () => popupLatency(env));
    await measure('P8', ...FIG.P8, () => diagnosisPainted(env));
    await measure('P7', ...FIG.P7, () => coldStart(env));
    // Last: it fills and clears the site's data.
    await measure('P5', ...FIG.P5, () => clearSiteData(env));
  } finally {
    await Promise.all([env.b.close(), env.bare?.close(), env.pinned?.close()]);
    await env.server.close();
  }
}

const order = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'R1', 'native'];
figures.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
const secs = ((Date.now() - t0) / 1000).toFixed(0);
console.log('');
console.log(table(figures));
const m = await machine(browserVersion);
console.log(`\n${m.nproc} CPUs, ${m.cpu}, ${m.chromium}, load ${m.load}, ${secs} s`);

if (figures.some((f) => f.status === 'ERROR')) exitCode = 1;
if (fingerprint(DIST) !== BUILD_AT_START) {
  console.error(`bench: ${path.relative(ROOT, DIST) || DIST} changed during the run (a build?): the browser figures are void`);
  process.exit(1);
}
if (WRITE) {
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), markdown(m, new Date().toISOString().replace(/\.\d+Z$/, 'Z'), secs));
  console.log('wrote BENCHMARKS.md');
}
process.exit(exitCode);
