// StreamFix content script: watches the streaming page and forwards what it shows to the
// core (in the service worker), then shows or hides the inline panel as the core says.
// It never patches page APIs, never moves or removes the site's nodes, and never puts page
// text into markup. No wasm here: the page's CSP may forbid it.
//
// Cheap by design: the MutationObserver callback only notes whether something relevant
// changed (an error container, text shaped like a code, the title, or a block already
// reported); nothing is read or sent when nothing relevant changed, however busy the
// page is. A relevant change is read and reported in the same task, and when the core
// has decided ahead of time that a code in an error container gets the panel (`quick`),
// the panel host goes in at once, so it is painted in the frame that shows the error.
(() => {
  'use strict';
  const api = globalThis.browser ?? globalThis.chrome;
  const SKIP_SELECTOR = 'script,style,noscript,template,textarea,input,select,streamfix-panel';
  // Shaped like a service error code; only a hint for which added text to forward.
  const CODE_HINT = /\b[A-Z][A-Z0-9]{0,7}(?:[-\u2010-\u2013\u2212][A-Z0-9]{1,8}){1,3}\b/;
  const DASHES = /[\u2010-\u2013\u2212]/g;
  const NOT_CODE = /[^A-Z0-9-]+/;
  const MAX_TEXT_BLOCKS = 16;
  const ELEMENT = 1;
  const TEXT = 3;

  let spec = null;
  let selector = '';
  // Selectors with combinators can start matching when an ancestor changes.
  let deepSelectors = false;
  let quickCodes = new Set();
  let quickQuiet = new Set();
  let observer = null;
  let dirty = false;
  // Elements whose added text looked like a code, read again at each report while shown.
  const textBlocks = new Set();
  // The error containers of the last report: their removal or change matters.
  let reported = [];
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
  }

  // Visible text of an element, skipping scripts, styles, form fields and our own nodes.
  function textOf(root, max) {
    if (root.nodeType === TEXT) return root.data.slice(0, max);
    let out = '';
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeType === ELEMENT
          ? n.matches(SKIP_SELECTOR) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP
          : NodeFilter.FILTER_ACCEPT,
    });
    while (out.length < max && walker.nextNode()) out += walker.currentNode.data + ' ';
    return out.replace(/\s+/g, ' ').trim().slice(0, max);
  }

  const skipped = (el) => el.closest(SKIP_SELECTOR) !== null;

  function collect() {
    const max = spec.max_block_chars;
    const blocks = [];
    reported = [];
    if (selector) {
      for (const el of document.querySelectorAll(selector)) {
        if (el.hidden || skipped(el)) continue;
        reported.push(el);
        const text = textOf(el, max);
        if (text) blocks.push({ kind: 'container', text });
      }
    }
    if (document.title) blocks.push({ kind: 'title', text: document.title.slice(0, max) });
    for (const el of textBlocks) {
      if (!el.isConnected || blocks.length >= 48) {
        textBlocks.delete(el);
        continue;
      }
      const text = textOf(el, max);
      if (text && CODE_HINT.test(text)) blocks.push({ kind: 'text', text });
      else textBlocks.delete(el);
    }
    return blocks;
  }

  // Added text that looks like it carries a code: remember its block.
  function noteText(node, raw) {
    if (textBlocks.size >= MAX_TEXT_BLOCKS || !CODE_HINT.test(raw)) return false;
    const block = node.nodeType === TEXT ? node.parentElement : node;
    if (!block || skipped(block)) return false;
    textBlocks.add(block);
    return true;
  }

  // Inside an error container, or the title: memoised per target within one callback.
  let memoTarget = null;
  let memoInside = false;
  function inside(target) {
    if (target !== memoTarget) {
      memoTarget = target;
      const el = target.nodeType === ELEMENT ? target : target.parentElement;
      memoInside = !!el && (el.nodeName === 'TITLE' || (selector !== '' && el.closest(selector) !== null) || reported.includes(el));
    }
    return memoInside;
  }

  // Only notes whether anything relevant changed; reading waits for the report.
  function noteMutations(records) {
    memoTarget = null;
    let relevant = false;
    const watching = reported.length > 0 || textBlocks.size > 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const target = r.target;
      if (r.type === 'childList') {
        const added = r.addedNodes;
        if (added.length === 0) {
          // A removal matters only when something was reported from the page.
          if (watching) relevant = true;
          continue;
        }
        if (r.removedNodes.length && watching) relevant = true;
        if (inside(target)) {
          relevant = true;
          continue;
        }
        for (let j = 0; j < added.length; j++) {
          const n = added[j];
          if (n === host) continue;
          if (n.nodeType === ELEMENT) {
            if (selector && (n.matches(selector) || (n.firstElementChild !== null && n.querySelector(selector) !== null))) {
              relevant = true;
              continue;
            }
            const raw = n.textContent;
            if (raw.length > 2 && noteText(n, raw)) relevant = true;
          } else if (n.nodeType === TEXT) {
            if (n.data.length > 2 && noteText(n, n.data)) relevant = true;
          }
        }
      } else if (r.type === 'characterData') {
        if (inside(target) || noteText(target, target.data)) relevant = true;
      } else if (!relevant) {
        // class / hidden: an element may become (or stop being) an error container.
        relevant = selector !== '' && (target.matches(selector) || reported.includes(target) ||
          (deepSelectors && target.querySelector(selector) !== null));
      }
    }
    if (host && !host.isConnected && shownCode) document.documentElement.append(host);
    if (relevant) {
      dirty = true;
      // Reports from the page's own task: the observer already batched its mutations.
      flush();
    }
  }

  // The HTTP status the document came with (missing where the browser can't tell).
  function documentStatus() {
    const status = performance.getEntriesByType('navigation')[0]?.responseStatus;
    return status > 0 ? status : null;
  }

  // The core's verdict decided ahead of time: the first known code in the first error
  // container, read the way the detector reads codes. Only a lookup; the core decides.
  function quickPanel(blocks) {
    const first = blocks[0];
    if (!first || first.kind !== 'container' || quickCodes.size === 0) return null;
    for (const token of first.text.replace(DASHES, '-').split(NOT_CODE)) {
      const code = token.replace(/^-+|-+$/g, '');
      if (quickCodes.has(code)) return quickQuiet.has(code) ? null : code;
    }
    return null;
  }

  // One entry point per batch: read what the page shows, forward it if it changed (and
  // once more when the page has settled after loading).
  async function flush(settled = false, force = settled) {
    dirty = false;
    if (!spec) return;
    if (host && !host.isConnected && shownCode) document.documentElement.append(host);
    const blocks = collect();
    const key = JSON.stringify(blocks);
    if (key === lastSent && !force) return;
    lastSent = key;
    if (!host) {
      const code = quickPanel(blocks);
      if (code) showPanel(code);
    }
    const reply = await send({ type: 'PageReport', url: location.href, blocks, status: documentStatus(), settled });
    if (reply?.type === 'Verdict') {
      // Only the newest report's verdict stands.
      if (key === lastSent) showPanel(reply.panel);
      setQuick(reply.quick);
      scheduleRetry(reply.retry_at);
    }
  }

  function setQuick(quick) {
    quickCodes = new Set(quick?.codes ?? []);
    quickQuiet = new Set(quick?.quiet ?? []);
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

  // The host is a themed box at once (painted with the frame that shows the error); its
  // extension-origin iframe, which takes a few milliseconds to create, follows in the
  // next frame so it doesn't hold up that one (its content loads far later anyway).
  function showPanel(code) {
    if (!code) return hidePanel();
    if (code === shownCode && host?.isConnected) return;
    hidePanel();
    shownCode = code;
    const el = document.createElement('streamfix-panel');
    host = el;
    el.dataset.code = code;
    const shadow = el.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = `:host{all:initial;position:fixed;top:16px;right:16px;z-index:2147483647;display:block;
      width:min(400px,calc(100vw - 32px));height:min(620px,calc(100vh - 32px));border-radius:14px;overflow:hidden;
      box-shadow:0 12px 40px rgba(0,0,0,.45);color-scheme:light dark;background:Canvas}
      iframe{display:block;width:100%;height:100%;border:0;color-scheme:normal;background:transparent}`;
    shadow.append(style);
    document.documentElement.append(el);
    let attached = false;
    const attach = () => {
      if (host !== el || attached) return;
      attached = true;
      const frameEl = document.createElement('iframe');
      frameEl.src = api.runtime.getURL('panel.html');
      frameEl.title = 'StreamFix';
      frameEl.setAttribute('allow', 'clipboard-write');
      shadow.append(frameEl);
    };
    // After the next frame (a hidden tab runs no frames: a timer then).
    if (document.hidden) setTimeout(attach, 0);
    else {
      requestAnimationFrame(() => requestAnimationFrame(attach));
      setTimeout(attach, 100);
    }
  }

  function hidePanel() {
    host?.remove();
    host = null;
    shownCode = null;
  }

  // How long after `load` a page that shows no error counts as working.
  const SETTLE_MS = 2500;

  function start() {
    selector = spec.selectors.join(',');
    // Combinators outside attribute values: an ancestor's change can make a match.
    deepSelectors = spec.selectors.some((s) => /[\s>+~]/.test(s.replace(/\[[^\]]*\]/g, '')));
    setQuick(spec.quick);
    // Once at `load` (the browser may reset the tab's badge as loading ends), once settled.
    const settle = () => {
      if (alive) flush(false, true);
      setTimeout(() => alive && flush(true), SETTLE_MS);
    };
    if (document.readyState === 'complete') settle();
    else window.addEventListener('load', settle, { once: true });
    observer = new MutationObserver(noteMutations);
    observer.observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['class', 'hidden'],
    });
    flush();
  }

  api.runtime.onMessage.addListener((msg, sender) => {
    if (sender.id !== api.runtime.id || msg?.type !== 'ShowPanel') return;
    if (msg.code) {
      lastSent = null;
      flush();
    } else {
      hidePanel();
      // The user closed it: no panel ahead of the core's next verdict.
      setQuick(null);
      lastSent = null;
      flush();
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
