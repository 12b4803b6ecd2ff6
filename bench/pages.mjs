// Fixture pages of the benchmark, served by the e2e fixture server under
// https://www.netflix.com/ with its strict CSP (no inline script: every page loads
// its script from a second route).

import { STRICT_CSP } from '../tests/e2e/lib/server.mjs';

const html = (title, script, body) => `<!doctype html>
<html lang="en" data-page="watch">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="/static/nf.css">
  <script src="${script}" defer></script>
</head>
<body>
${body}
</body>
</html>
`;

const PLAYER = `<div id="appMountPoint">
  <div class="watch-video" data-uia="watch-video">
    <div class="watch-video--player-view" data-uia="player">
      <div class="nf-player-surface" aria-label="Video player"></div>
      <div class="subtitles" aria-live="off"></div>
      <ul class="buffer-log"></ul>
      <div class="player-controls">
        <div class="player-title">Blade Runner 2049</div>
        <div class="player-time">00:00:00</div>
        <div class="progress"><div class="progress__bar"></div></div>
        <div class="player-stats"></div>
      </div>
    </div>
  </div>
</div>`;

// ------------------------------------------------------------------ P1: insertions

/**
 * Inserts an error container, takes the time in the page just before, and watches the
 * document (MutationObserver) for StreamFix's <streamfix-panel> host. "Painted" is the
 * first task after the next animation frame that follows the host's insertion (rAF
 * callbacks run just before that frame's paint; a task posted from the rAF callback
 * runs after it). Then removes the error and waits for the panel to go before the
 * next insertion. Each insertion starts at a random point of the frame interval.
 */
const INSERT_JS = `'use strict';
const CODES = ['NSEZ-503', 'NSEZ-403', 'NW-6-403', 'NSES-UHX'];
const player = document.querySelector('.watch-video--player-view');
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const frame = () => new Promise((r) => requestAnimationFrame(r));
const hostPresent = () => document.querySelector('streamfix-panel') !== null;

// Resolves with the time the panel host appeared (present) or went (!present), or null.
function watchHost(present, timeout) {
  return new Promise((resolve) => {
    if (hostPresent() === present) return resolve(now());
    const mo = new MutationObserver(() => {
      if (hostPresent() !== present) return;
      const t = now();
      mo.disconnect();
      clearTimeout(timer);
      resolve(t);
    });
    mo.observe(document, { childList: true, subtree: true });
    const timer = setTimeout(() => { mo.disconnect(); resolve(null); }, timeout);
  });
}

// The frame a change made now is painted in: its rAF time (the frame's timestamp,
// shared by every callback of that frame) and the first task after it.
function nextPaint() {
  return new Promise((resolve) => requestAnimationFrame((frameTime) => {
    const raf = now();
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve({ raf, frameTime, after: now() });
    ch.port2.postMessage(0);
  }));
}

// The error container of insertion i, made at a random point of the frame interval.
async function errorFor(i) {
  const code = CODES[i % CODES.length];
  await frame();
  await sleep(Math.random() * 16);
  const div = document.createElement('div');
  div.className = 'nf-error';
  div.textContent = 'Error Code: ' + code;
  return { code, div };
}

async function once(i, timeout) {
  const { code, div } = await errorFor(i);
  const appeared = watchHost(true, timeout);
  const t0 = now();
  player.append(div);
  // The error's own paint: the frame that shows it, whatever the extension does.
  const errorPaint = nextPaint();
  const tIn = await appeared;
  const rec = { i, code };
  if (tIn === null) {
    div.remove();
    rec.error = 'no panel within ' + timeout + ' ms';
    rec.noPanel = true;
    return rec;
  }
  const paint = await nextPaint();
  const own = await errorPaint;
  rec.shown = document.querySelector('streamfix-panel')?.dataset.code ?? null;
  rec.inDom = tIn - t0;
  rec.raf = paint.raf - t0;
  rec.painted = paint.after - t0;
  rec.errorPainted = own.after - t0;
  // Frames between the one that showed the error and the one that showed the panel.
  rec.framesLate = Math.round((paint.frameTime - own.frameTime) / (1000 / 60));
  const gone = watchHost(false, timeout);
  const tRemove = now();
  div.remove();
  const tGone = await gone;
  rec.cleared = tGone === null ? null : tGone - tRemove;
  if (tGone === null) rec.error = 'the panel stayed ' + timeout + ' ms after the error went';
  await sleep(20);
  return rec;
}

// The reference: the same insertion in a browser without StreamFix, where nothing but
// the error can be painted; how long the page itself takes to show a change.
async function bare(i) {
  const { code, div } = await errorFor(i);
  const t0 = now();
  player.append(div);
  const own = await nextPaint();
  const rec = { i, code, errorPainted: own.after - t0 };
  div.remove();
  await sleep(20);
  return rec;
}

// Runs insertions i = start .. start + n - 1 and stops after the first one that went
// wrong (no panel, or a panel that stayed): the page has to be reloaded then.
window.__streamfixBench = {
  async bare(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await bare(i));
    return out;
  },
  // P8: puts up error i and leaves it; when it went in and when its own frame was
  // painted, on the clock every frame shares (performance.timeOrigin + now).
  async insert(i) {
    const { code, div } = await errorFor(i);
    const t0 = now();
    player.append(div);
    window.__streamfixShown = div;
    const own = await nextPaint();
    return { code, at: performance.timeOrigin + t0, errorPainted: performance.timeOrigin + own.after };
  },
  // P8: takes that error away; true once the panel went with it.
  async clear(timeout = 3000) {
    const gone = watchHost(false, timeout);
    window.__streamfixShown?.remove();
    return (await gone) !== null;
  },
  async run(n, start = 0, timeout = 3000) {
    const out = [];
    for (let i = start; i < start + n; i++) {
      const rec = await once(i, timeout);
      out.push(rec);
      if (rec.error) break;
    }
    return out;
  },
};
document.documentElement.dataset.benchReady = '1';
`;

// ------------------------------------------------------------------ P2: churn

/**
 * A healthy player that churns the DOM for a fixed number of steps, one per interval:
 * timecode, subtitles and stats text, progress style, class toggles, data attributes,
 * and \`burst\` list items inserted and as many removed. No error anywhere.
 * __streamfixChurn.start({steps, interval, burst}) resolves with {wall, mutations, stepMs}
 * (stepMs: time inside the page's own step function).
 */
const CHURN_JS = `'use strict';
const root = document.documentElement;
const view = document.querySelector('.watch-video--player-view');
const subtitles = document.querySelector('.subtitles');
const time = document.querySelector('.player-time');
const bar = document.querySelector('.progress__bar');
const stats = document.querySelector('.player-stats');
const log = document.querySelector('.buffer-log');
const LINES = [
  'More human than human.',
  'Cells. Interlinked.',
  "I have memories, but I can't tell if they're real.",
  'Sometimes to love someone, you got to be a stranger.',
  'Within cells interlinked, 2049.',
];
const pad = (n) => String(n).padStart(2, '0');

window.__streamfixChurn = {
  start({ steps = 120, interval = 16, burst = 40 } = {}) {
    return new Promise((resolve) => {
      let count = 0;
      let mutations = 0;
      let stepMs = 0;
      const started = performance.now();
      const step = () => {
        const s0 = performance.now();
        const secs = Math.floor((s0 - started) / 1000) + count;
        time.textContent = pad(Math.floor(secs / 3600)) + ':' + pad(Math.floor(secs / 60) % 60) + ':' + pad(secs % 60);
        subtitles.textContent = LINES[count % LINES.length];
        stats.textContent = 'bitrate ' + (5800 + (count % 7) * 100) + ' kbps · buffer ' + ((count % 30) + 10) + ' s · frame ' + count;
        bar.style.width = ((count * 0.37) % 100) + '%';
        view.classList.toggle('buffering', count % 3 === 0);
        view.dataset.frame = String(count);
        bar.setAttribute('aria-valuenow', String(count));
        mutations += 7;
        for (let i = 0; i < burst; i++) {
          const li = document.createElement('li');
          li.dataset.segment = String(count * burst + i);
          li.className = i % 2 ? 'seg odd' : 'seg';
          li.textContent = 'segment ' + (count * burst + i) + ' ok';
          log.append(li);
        }
        mutations += burst;
        while (log.childElementCount > 200) { log.firstElementChild.remove(); mutations++; }
        count++;
        stepMs += performance.now() - s0;
        if (count >= steps) {
          clearInterval(timer);
          resolve({ wall: performance.now() - started, mutations, stepMs, steps: count });
        }
      };
      const timer = setInterval(step, interval);
    });
  },
};
root.dataset.benchReady = '1';
`;

function send(res, type, body, headers = {}) {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** Registers the benchmark routes on the fixture server. */
export function addBenchRoutes(server) {
  const host = 'www.netflix.com';
  const page = (title, script) => (req, res) =>
    send(res, 'text/html; charset=utf-8', html(title, script, PLAYER), { 'content-security-policy': STRICT_CSP });
  const js = (src) => (req, res) => send(res, 'text/javascript; charset=utf-8', src);
  server.setRoute(host, '/bench-insert', page('Netflix', '/bench-insert.js'));
  server.setRoute(host, '/bench-insert.js', js(INSERT_JS));
  server.setRoute(host, '/bench-churn', page('Netflix', '/bench-churn.js'));
  server.setRoute(host, '/bench-churn.js', js(CHURN_JS));
}
