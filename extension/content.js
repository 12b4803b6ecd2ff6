// StreamFix content script: watches the streaming page and forwards what it shows to the
// core (in the service worker), then shows or hides the inline panel as the core says.
// It never patches page APIs, never moves or removes the site's nodes, and never puts page
// text into markup. No wasm here: the page's CSP may forbid it.
(() => {
  'use strict';
  const api = globalThis.browser ?? globalThis.chrome;
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'INPUT', 'SELECT', 'STREAMFIX-PANEL']);
  // Shaped like a service error code; only a hint for which added text to forward.
  const CODE_HINT = /\b[A-Z][A-Z0-9]{0,7}(?:[-\u2010-\u2013\u2212][A-Z0-9]{1,8}){1,3}\b/;
  const MAX_TEXT_BLOCKS = 16;

  let spec = null;
  let observer = null;
  let frame = 0;
  let pendingText = new Set();
  let lastSent = null;
  let host = null;
  let shownCode = null;
  let alive = true;

  function send(msg) {
    if (!alive) return Promise.resolve(null);
    return api.runtime.sendMessage(msg).catch((err) => {
      // The extension was updated or removed: this script is orphaned, stop quietly.
      if (!api.runtime?.id) stop();
      else console.warn('StreamFix:', err?.message ?? err);
      return null;
    });
  }

  function stop() {
    alive = false;
    observer?.disconnect();
    if (frame) cancelAnimationFrame(frame);
  }

  // Visible text of an element, skipping scripts, styles, form fields and our own nodes.
  function textOf(root, max) {
    let out = '';
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeType === Node.ELEMENT_NODE
          ? SKIP.has(n.nodeName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP
          : NodeFilter.FILTER_ACCEPT,
    });
    if (root.nodeType === Node.TEXT_NODE) return root.data.slice(0, max);
    while (out.length < max && walker.nextNode()) out += walker.currentNode.data + ' ';
    return out.replace(/\s+/g, ' ').trim().slice(0, max);
  }

  function skipped(node) {
    for (let n = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement; n; n = n.parentElement) {
      if (SKIP.has(n.nodeName)) return true;
    }
    return false;
  }

  function collect() {
    const max = spec.max_block_chars;
    const blocks = [];
    if (spec.selectors.length) {
      for (const el of document.querySelectorAll(spec.selectors.join(','))) {
        if (el.hidden || skipped(el)) continue;
        const text = textOf(el, max);
        if (text) blocks.push({ kind: 'container', text });
      }
    }
    if (document.title) blocks.push({ kind: 'title', text: document.title.slice(0, max) });
    for (const text of pendingText) {
      if (blocks.length >= 48) break;
      blocks.push({ kind: 'text', text });
    }
    pendingText = new Set();
    return blocks;
  }

  // Added or changed text that looks like it carries a code, read at its block's level.
  function noteMutations(records) {
    for (const r of records) {
      const nodes = r.type === 'characterData' ? [r.target] : r.addedNodes;
      for (const n of nodes) {
        if (pendingText.size >= MAX_TEXT_BLOCKS) return;
        if (n === host || skipped(n)) continue;
        const raw = n.nodeType === Node.TEXT_NODE ? n.data : n.nodeType === Node.ELEMENT_NODE ? n.textContent : '';
        if (!raw || !CODE_HINT.test(raw)) continue;
        const block = n.nodeType === Node.TEXT_NODE ? n.parentElement ?? n : n;
        const text = textOf(block, spec.max_block_chars);
        if (text) pendingText.add(text);
      }
    }
  }

  // The HTTP status the document came with (missing where the browser can't tell).
  function documentStatus() {
    const status = performance.getEntriesByType('navigation')[0]?.responseStatus;
    return status > 0 ? status : null;
  }

  function schedule() {
    if (!frame && alive) frame = requestAnimationFrame(() => flush());
  }

  // One entry point per batch: read what the page shows, forward it if it changed (and
  // once more when the page has settled after loading).
  async function flush(settled = false, force = settled) {
    frame = 0;
    if (host && !host.isConnected && shownCode) document.documentElement.append(host);
    const blocks = collect();
    const key = JSON.stringify(blocks);
    if (key === lastSent && !force) return;
    lastSent = key;
    const reply = await send({ type: 'PageReport', url: location.href, blocks, status: documentStatus(), settled });
    if (reply?.type === 'Verdict') {
      showPanel(reply.panel);
      scheduleRetry(reply.retry_at);
    }
  }

  // The core's countdown: tell it when the time is up; it decides whether to reload, and
  // says when to ask again (the reload may be lost if its service worker stops).
  let retryTimer = 0;
  function scheduleRetry(at) {
    clearTimeout(retryTimer);
    if (!at) return;
    retryTimer = setTimeout(async () => {
      const reply = await send({ type: 'RetryDue' });
      if (reply?.type === 'Verdict') scheduleRetry(reply.retry_at);
    }, Math.max(0, at - Date.now()));
  }

  function showPanel(code) {
    if (!code) return hidePanel();
    if (code === shownCode && host?.isConnected) return;
    hidePanel();
    shownCode = code;
    host = document.createElement('streamfix-panel');
    host.dataset.code = code;
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = `:host{all:initial;position:fixed;top:16px;right:16px;z-index:2147483647;display:block}
      iframe{display:block;width:min(400px,calc(100vw - 32px));height:min(620px,calc(100vh - 32px));border:0;border-radius:14px;
      box-shadow:0 12px 40px rgba(0,0,0,.45);color-scheme:normal;background:transparent}`;
    const frameEl = document.createElement('iframe');
    frameEl.src = api.runtime.getURL('panel.html');
    frameEl.title = 'StreamFix';
    frameEl.setAttribute('allow', 'clipboard-write');
    shadow.append(style, frameEl);
    document.documentElement.append(host);
  }

  function hidePanel() {
    host?.remove();
    host = null;
    shownCode = null;
  }

  // How long after `load` a page that shows no error counts as working.
  const SETTLE_MS = 2500;

  function start() {
    // Once at `load` (the browser may reset the tab's badge as loading ends), once settled.
    const settle = () => {
      if (alive) flush(false, true);
      setTimeout(() => alive && flush(true), SETTLE_MS);
    };
    if (document.readyState === 'complete') settle();
    else window.addEventListener('load', settle, { once: true });
    observer = new MutationObserver((records) => {
      noteMutations(records);
      schedule();
    });
    observer.observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['class', 'hidden'],
    });
    schedule();
  }

  api.runtime.onMessage.addListener((msg, sender) => {
    if (sender.id !== api.runtime.id || msg?.type !== 'ShowPanel') return;
    if (msg.code) {
      lastSent = null;
      schedule();
    } else {
      hidePanel();
    }
  });

  window.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Escape' && e.isTrusted && host) send({ type: 'Dismiss' });
    },
    true,
  );

  send({ type: 'Hello', url: location.href }).then((reply) => {
    if (reply?.type !== 'Watch' || !reply.watching) return stop();
    spec = reply;
    start();
  });
})();
