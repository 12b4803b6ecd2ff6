// A tiny sequential check runner.
//
//   check('name', async (t) => { const b = await launch(...); t.defer(() => b.close()); ... });
//   cleanup(() => server.close());          // run once, after every check
//   await run();                            // prints results, sets the exit code
//
// Output: `ok   - name` / `FAIL - name: message` per check, then `N passed, M failed`.
// `--grep substring` (or `--grep=substring`) runs only the checks whose name contains it (any case).

const checks = [];
const globalCleanups = [];

/** Registers a check. `fn(t)` gets `t.defer(fn)` (runs after this check, pass or fail) and `t.name`. */
export function check(name, fn, { timeout = 30_000 } = {}) {
  checks.push({ name, fn, timeout });
}

/** Registers a cleanup run once after all checks (also on failure, timeout or Ctrl-C). Last in, first out. */
export function cleanup(fn) {
  globalCleanups.push(fn);
}

function grepFromArgv(argv = process.argv.slice(2)) {
  const i = argv.findIndex((a) => a === '--grep' || a.startsWith('--grep='));
  if (i < 0) return null;
  return argv[i].includes('=') ? argv[i].slice('--grep='.length) : argv[i + 1] ?? '';
}

async function runCleanups(fns, label) {
  while (fns.length) {
    const fn = fns.pop();
    try {
      await withTimeout(Promise.resolve().then(fn), 15_000, `${label} cleanup`);
    } catch (err) {
      console.error(`warning: ${label} cleanup failed: ${err?.message ?? err}`);
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const oneLine = (err) => String(err?.message ?? err).split('\n')[0];

async function runOne({ name, fn, timeout }) {
  const deferred = [];
  const t = { name, defer: (f) => deferred.push(f) };
  try {
    await withTimeout(Promise.resolve().then(() => fn(t)), timeout, 'check');
    return null;
  } catch (err) {
    return err ?? new Error('failed');
  } finally {
    await runCleanups(deferred, name);
  }
}

/**
 * Runs the registered checks in order. Returns {passed, failed}; sets process.exitCode
 * and, unless `exit: false`, exits the process once cleanups are done (a timed-out
 * check may still hold handles).
 */
export async function run({ grep = grepFromArgv(), exit = true } = {}) {
  const selected = grep === null ? checks : checks.filter((c) => c.name.toLowerCase().includes(grep.toLowerCase()));
  let passed = 0;
  let failed = 0;

  const onSignal = async (sig) => {
    console.error(`\n${sig}: cleaning up`);
    await runCleanups(globalCleanups, 'global');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stray = (err) => console.error(`warning: unhandled error outside a check: ${oneLine(err)}`);
  process.on('unhandledRejection', stray);

  try {
    for (const c of selected) {
      const err = await runOne(c);
      if (err) {
        failed++;
        console.log(`FAIL - ${c.name}: ${oneLine(err)}`);
        if (process.env.E2E_VERBOSE && err.stack) console.error(err.stack.replace(/^/gm, '    '));
      } else {
        passed++;
        console.log(`ok   - ${c.name}`);
      }
    }
  } finally {
    await runCleanups(globalCleanups, 'global');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (selected.length === 0) console.error(`warning: no check matched --grep ${JSON.stringify(grep)}`);
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0 || selected.length === 0) process.exitCode = 1;
  if (exit) process.exit(process.exitCode ?? 0);
  return { passed, failed };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it resolves to something truthy; its last error goes in the timeout message. */
export async function until(fn, { timeout = 8000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn().catch((e) => ({ error: e }));
    if (last && !last.error) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last?.error ? ` (${String(last.error.message).split('\n')[0]})` : ''}`);
    }
    await sleep(interval);
  }
}
