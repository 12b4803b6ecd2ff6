// StreamFix content script: watches the streaming page and forwards what it shows to the
// core (in the service worker), then shows or hides the inline panel as the core says.
// It never patches page APIs, never moves or removes the site's nodes, and never puts page
// text into markup. No wasm here: the page's CSP may forbid it.
//
// Cheap by design: one MutationObserver only notes whether something relevant changed
// (an error container, the title, a block already reported, text shaped like a code);
// nothing is read or sent when nothing relevant changed, however busy the page is. Per
// record that costs a property read or two: added nodes are looked at one by one only
// for the first few records per parent in a batch, so a lone error container is found in
// its own task; a burst into one parent (a list, a log) is checked with one native query
// a little later, as is the free-text fallback (text shaped like a code outside any
// container). A page that churns has the observer pause (a quarter of a second, longer
// while it goes on churning: the browser's recording of every mutation is the real
// cost), then re-read. A relevant
// change is read and reported in the same task, and when the core has decided ahead of
// time that a code in an error container gets the panel (`quick`), the panel host goes
// in at once, so it is painted in the frame that shows the error.
//
// What is read: the service's error containers (a hint, not the gate), the title, and any
// text that carries something shaped like a code or words an error screen of the service
// shows (the core's hints), with a few layout facts (visible, in a dialog, in a box over
// the screen or the video, the whole page, in prose). Whether it is an error is the
// core's call.
(() => {
  'use strict';
  const api = globalThis.browser ?? globalThis.chrome;
  const SKIP_SELECTOR = 'script,style,noscript,template,textarea,input,select,streamfix-panel';
  // Shaped like a service error code; only a hint for which added text to forward.
  const CODE_HINT = /\b[A-Z][A-Z0-9]{0,7}(?:[-\u2010-\u2013\u2212][A-Z0-9]{1,8}){1,3}\b|\b[A-Z]{2,4}:\d{3,8}\b/;
  const DASHES = /[\u2010-\u2013\u2212]/g;
  const NOT_CODE = /[^A-Z0-9-]+/;
  const MAX_TEXT_BLOCKS = 16;
  // Most blocks one scan of the whole page notes (each costs a look at its box's style).
  const MAX_SCAN_NOTES = 64;
  // Where an error screen stands apart from the page (the words are the core's to judge).
  const DIALOG = '[role=dialog],[role=alertdialog],[role=alert],[aria-modal=true],dialog';
  // Text in these talks about things: an article, a comment, a list, a menu, a form.
  const PROSE = 'article,[role=article],[role=comment],[role=feed],[role=list],[role=listitem],li,nav,[role=navigation],aside,[role=complementary],footer,form,[role=search],blockquote';
  // A noted line widens to the dialog or positioned box around it when that box is about
  // this small, so the error's title, message and code are read together.
  const MAX_BOX_CHARS = 600;
  const MAX_BOX_LEVELS = 6;
  // A block with this share of the page's text or more is the page itself.
  const ALONE_SHARE = 0.8;
  // Content made of items (results, comments, episodes, an article): never one screen.
  // The page's content landmark, and what is not content: never shown, or the site's
  // header, menus and footer.
  const MAIN = 'main,[role=main]';
  const NOT_CONTENT = 'script,style,noscript,template,header,nav,footer,[role=banner],[role=navigation],[role=contentinfo]';
  // What a form asks for (buttons, and a player's range sliders, aside).
  const INPUTS = 'input:not([type=hidden],[type=button],[type=submit],[type=reset],[type=image],[type=range]),select,textarea,[role=checkbox],[role=radio],[role=textbox],[role=combobox]';
  const ITEMS = 'article,[role=article],[role=comment],[role=feed],[role=list],[role=listitem],li,aside,blockquote';
  // Per observer batch, records with the same parent that number more than this are a
  // burst (a list or a log filling up): the parent is looked at a little later (one native
  // query finds any error container among everything it received). Fewer are looked at
  // node by node at once, so a lone error container gets its panel in the same task.
  const RECORDS_PER_PARENT = 4;
  // How much later: bursts and the free-text fallback (text shaped like a code outside any
  // container) are checked at most this often, so a page that churns pays per interval,
  // not per mutation.
  const LATER_MS = 100;
  const MAX_LATER = 64;
  const ELEMENT = 1;
  const TEXT = 3;

  let spec = null;
  let selector = '';
  // Selectors with combinators can start matching when an ancestor changes.
  let deepSelectors = false;
  // The core's hints (lower-case words an error screen of this service shows), as one
  // pattern; null until the core has answered.
  let hintPattern = null;
  let quickCodes = new Set();
  let quickQuiet = new Set();
  // Elements whose added text looked like a code, read again at each report while shown.
  const textBlocks = new Set();
  // The error containers of the last report: their removal or change matters.
  let reported = [];
  // Every element matching the error selectors at the last report (hidden ones too): only
  // a match that isn't among them is news.
  let known = new Set();
  let lastSent = null;
  let host = null;
  let shownCode = null;
  // Whether the panel's iframe has finished loading (see `pagehide`).
  let frameLoaded = false;
  // The panel's iframe, once attached.
  let frame = null;
  // The user asked for the panel (until then, ms on the page's clock): focus goes into it
  // as soon as its frame is there. A request that found no panel in time lapses, so a
  // panel that opens by itself later never takes the focus.
  let focusWantedUntil = 0;
  const FOCUS_WAIT_MS = 3000;
  const focusWanted = () => performance.now() < focusWantedUntil;
  // What had the focus on the page before it went into the panel.
  let returnFocus = null;
  // The user is leaving the page: the panel is taken away until the page is back (see
  // `leave`); nothing is reported or shown meanwhile.
  let leaving = false;
  let alive = true;
  // This document, so the core tells its reports from another document's of the same tab:
  // a random id (the browser's documentId wins where it gives one), and when it last said
  // Hello, on the clock the browser stamps its request events with.
  const doc = { id: globalThis.crypto?.randomUUID?.() ?? `${Math.random()}`.slice(2), at: 0 };

  function send(msg) {
    if (!alive) return Promise.resolve(null);
    const failed = (err) => {
      // The extension was updated or removed: this script is orphaned, stop quietly.
      if (!api.runtime?.id) stop();
      else console.warn('StreamFix:', err?.message ?? err);
      return null;
    };
    try {
      return api.runtime.sendMessage(msg).catch(failed);
    } catch (err) {
      // Chrome throws at once from a script whose extension was reloaded or updated.
      return Promise.resolve(failed(err));
    }
  }

  // Everything stops, and our panel goes: nothing can answer it any more.
  function stop() {
    alive = false;
    observer?.disconnect();
    clearTimeout(laterTimer);
    clearTimeout(retryTimer);
    clearTimeout(pauseTimer);
    hidePanel();
  }

  // Visible text of an element, skipping scripts, styles, form fields, our own nodes and
  // what isn't shown (a player's hidden panels hold error sentences of their own).
  function textOf(root, max) {
    if (root.nodeType === TEXT) return root.data.slice(0, max);
    let out = '';
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        n.nodeType === ELEMENT
          ? n.matches(SKIP_SELECTOR) || (n !== root && n.checkVisibility?.(SHOWN) === false) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP
          : NodeFilter.FILTER_ACCEPT,
    });
    while (out.length < max && walker.nextNode()) out += walker.currentNode.data + ' ';
    return out.replace(/\s+/g, ' ').trim().slice(0, max);
  }

  const skipped = (el) => el.closest(SKIP_SELECTOR) !== null;
  const SHOWN = { opacityProperty: true, visibilityProperty: true };

  function collect() {
    const max = spec.max_block_chars;
    const blocks = [];
    reported = [];
    known = new Set();
    insideCache = new WeakMap();
    if (selector) {
      for (const el of document.querySelectorAll(selector)) {
        known.add(el);
        if (el.hidden || skipped(el)) continue;
        reported.push(el);
        const text = textOf(el, max);
        if (text) blocks.push({ kind: 'container', text, place: placement(el, null) });
      }
    }
    if (document.title) blocks.push({ kind: 'title', text: document.title.slice(0, max) });
    // The page's text, to tell a page that is only its error: one native read, and only
    // when a block it could decide is there.
    const chars = new Map();
    const pageChars = (el) => {
      const root = el.closest(MAIN) ?? document.body;
      // Inside the site's header or footer, that part is the block's own: not shared.
      if (el.closest(NOT_CONTENT)) return shownChars(root, el);
      if (!chars.has(root)) chars.set(root, shownChars(root, el));
      return chars.get(root);
    };
    const read = new Set();
    for (const el of textBlocks) {
      if (!el.isConnected || blocks.length >= 48) {
        textBlocks.delete(el);
        continue;
      }
      const text = textOf(el, max);
      if (!text || !signal(text)) {
        textBlocks.delete(el);
        continue;
      }
      const seen = { box: el };
      const place = placement(el, pageChars, seen);
      // A page of its own error is read whole (its title, message and code), once.
      if (read.has(seen.box)) continue;
      read.add(seen.box);
      blocks.push({ kind: 'text', text: seen.box === el ? text : textOf(seen.box, max), place });
    }
    return blocks;
  }

  // Text shaped like a code, or with words an error screen of this service shows.
  function signal(raw) {
    return CODE_HINT.test(raw) || (hintPattern !== null && hintPattern.test(raw.toLowerCase()));
  }

  // The text of the page's content (`root`: its main landmark, or the body), less what is
  // never shown (inline scripts and their JSON, styles) and the site's own header, menus
  // and footer, the same on every page; not those around `el`, which are its own.
  function shownChars(root, el) {
    if (!root) return 0;
    let n = root.textContent.trim().length;
    for (const x of root.querySelectorAll(NOT_CONTENT)) {
      const outer = x.parentElement?.closest(NOT_CONTENT);
      if ((outer && root.contains(outer)) || x.contains(el)) continue;
      n -= x.textContent.length;
    }
    return Math.max(0, n);
  }

  // Text that may be an error's: remember its block (the dialog or positioned box around
  // it, when that is small enough to be the error's own).
  function noteText(node, raw) {
    if (!signal(raw)) return false;
    const line = node.nodeType === TEXT ? node.parentElement : node;
    if (!line || skipped(line)) return false;
    const block = boxOf(line);
    if (textBlocks.has(block)) return false;
    // Full: the oldest goes, unless a panel shows (its error may be among them). Words
    // such as "error" fill the list on some pages (comments), and what appears now is
    // likelier the error than what stood before.
    if (textBlocks.size >= MAX_TEXT_BLOCKS) {
      if (host) return false;
      textBlocks.delete(textBlocks.values().next().value);
    }
    textBlocks.add(block);
    insideCache = new WeakMap();
    return true;
  }

  // A box that holds little else than the error: not the page, not an app shell.
  const small = (el) => el !== document.body && el !== document.documentElement && el.textContent.length <= MAX_BOX_CHARS;

  // The nearest positioned (fixed or absolute) box around `el`, `el` included (a subtitle
  // line is its own box), within a few levels; null when there is none.
  function positionedBox(el) {
    for (let i = 0; el && el !== document.body && i <= MAX_BOX_LEVELS; el = el.parentElement, i++) {
      const position = getComputedStyle(el).position;
      if (position === 'fixed' || position === 'absolute') return el;
    }
    return null;
  }

  function boxOf(line) {
    const dialog = line.closest(DIALOG);
    if (dialog && small(dialog)) return dialog;
    const box = positionedBox(line);
    return box && small(box) ? box : line;
  }

  // Layout facts about a block, for the core to weigh: shown at all, in a dialog, in a
  // positioned box over most of the viewport or over the video, nearly all of the page's
  // content's text, in prose (or a form).
  // `pageChars(el)` gives the length of the page content's text around `el` (null: not
  // asked, as for a container);
  // `seen.box` becomes the page's whole box when the block is a page of its own.
  function placement(el, pageChars, seen = {}) {
    const r = el.getBoundingClientRect();
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const visible = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < vh && r.left < vw &&
      (el.checkVisibility?.(SHOWN) ?? true);
    // Nothing else counts for a block the user can't see (an off-screen comment).
    if (!visible) return { visible, dialog: false, overlay: false, alone: false, prose: false, on_video: false, in_player: false };
    // The box the text sits in covers the screen or the video, and holds little else: an
    // error screen, not a subtitle line or a player's control bar, nor an app shell.
    const box = positionedBox(el);
    const videoShown = noteVideo();
    const boxRect = box !== null && small(box) ? box.getBoundingClientRect() : null;
    const inPlayer = (boxRect !== null && overVideo(boxRect)) || (!videoShown && inVideoPlace(el));
    const overlay = inPlayer || (boxRect !== null && area(boxRect) >= 0.25 * vw * vh);
    const dialog = el.closest(DIALOG) !== null;
    // A box that asks the user to tick, choose or type is a form (report a problem,
    // feedback), whatever its words; an error screen offers buttons only.
    const prose = el.closest(PROSE) !== null || asksInput(el.closest(DIALOG) ?? box ?? el);
    // Whether it is the whole page matters only where nothing else sets it apart; a page
    // that shows a video is not a page of its error (a watch page with few words).
    const alone = !dialog && !overlay && !prose && pageChars !== null && !videoShown &&
      pageOfItsOwn(el, box, pageChars, seen);
    // A small positioned box lying on the video: a toast or bar over the player (or a
    // subtitle line: the core reads it for a labelled code only).
    const onVideo = !overlay && boxRect !== null && videoShown && lyingOn(boxRect, videoPlace);
    return { visible, dialog, overlay, alone, prose, on_video: onVideo, in_player: inPlayer };
  }

  // `el` holds nearly all of the page's text, or the small box it shares with the rest of
  // its message does (a title line and a code line are siblings; read whole, in
  // `seen.box`). Not from inside a positioned box that is no overlay (a control bar, a
  // caption), nor across a list or an article.
  function pageOfItsOwn(el, box, pageChars, seen) {
    const most = (x) => x.textContent.trim().length >= ALONE_SHARE * Math.max(1, pageChars(el));
    if (most(el)) return true;
    if (box !== null) return false;
    let top = el;
    while (top.parentElement && top.parentElement !== document.body && small(top.parentElement) &&
      top.parentElement.querySelector(ITEMS) === null) top = top.parentElement;
    if (top === el || !most(top)) return false;
    seen.box = top;
    return true;
  }

  const asksInput = (scope) => scope.querySelector(INPUTS) !== null;
  // Most of box `b` lies within `place`.
  const lyingOn = (b, place) => place !== null && area(b) > 0 && overlap(b, place) >= 0.5 * area(b);

  // A box over half of a video or more (the videos `noteVideo` just measured).
  const overVideo = (b) => shownVideos.some((r) => overlap(b, r) >= 0.5 * area(r));

  const area = (x) => Math.max(0, x.right - x.left) * Math.max(0, x.bottom - x.top);
  // The area two boxes share.
  const overlap = (a, b) =>
    area({ left: Math.max(a.left, b.left), right: Math.min(a.right, b.right), top: Math.max(a.top, b.top), bottom: Math.min(a.bottom, b.bottom) });

  // Where the largest video was last seen: a player that drops its video for its error
  // shows the error in the video's own place, positioned or not.
  let videoPlace = null;
  // The videos on screen as of the last `noteVideo()`: measured once per block read.
  let shownVideos = [];
  function noteVideo() {
    let best = null;
    shownVideos = [];
    for (const v of document.getElementsByTagName('video')) {
      const r = v.getBoundingClientRect();
      if (r.width * r.height <= 0) continue;
      shownVideos.push(r);
      if (!best || r.width * r.height > best.width * best.height) best = r;
    }
    if (best) videoPlace = best;
    return best !== null;
  }

  // The text's own small box fills at least half of where the video was (the caller has
  // seen that no video shows any more): the error took the player's place.
  function inVideoPlace(el) {
    if (!videoPlace) return false;
    for (let i = 0; el && i <= MAX_BOX_LEVELS && small(el); el = el.parentElement, i++) {
      if (overlap(el.getBoundingClientRect(), videoPlace) >= 0.5 * area(videoPlace)) return true;
    }
    return false;
  }

  // The whole page once it has loaded and once settled: a static error page's text came
  // with the document, not as news the observer looks at closely. One native read of the
  // page's text; the walk only when it holds something worth a look.
  function scanDocument() {
    noteVideo();
    const body = document.body;
    if (!body || !signal(body.textContent)) return;
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let budget = MAX_SCAN_NOTES; budget > 0 && walker.nextNode();) {
      const node = walker.currentNode;
      if (node.data.length > 2 && signal(node.data) && noteText(node, node.data)) budget--;
    }
  }

  // Inside an error container, the title or a text block already noted. Kept until the
  // next report: whatever makes a new container or block also makes a report.
  let insideCache = new WeakMap();
  function inside(target) {
    let v = insideCache.get(target);
    if (v === undefined) {
      const el = target.nodeType === ELEMENT ? target : target.parentElement;
      v = !!el && (el.nodeName === 'TITLE' || (selector !== '' && el.closest(selector) !== null) ||
        reported.includes(el) || textBlocks.has(el));
      insideCache.set(target, v);
    }
    return v;
  }

  // An error container under `parent` that the last report didn't know: one native query
  // over the parent's subtree.
  function newContainerUnder(parent) {
    if (selector === '' || typeof parent.querySelector !== 'function') return false;
    if (known.size === 0) return parent.querySelector(selector) !== null;
    for (const el of parent.querySelectorAll(selector)) if (!known.has(el)) return true;
    return false;
  }

  // Something reported went away: an error container or a noted text block was removed.
  function lostReported() {
    if (reported.some((el) => !el.isConnected)) return true;
    for (const el of textBlocks) if (!el.isConnected) return true;
    return false;
  }

  // The observer only notes whether anything relevant changed; reading waits for the
  // report. A record costs a property read or two (its type, its target) unless it is
  // among the few looked at closer.
  function changed(relevant) {
    if (!relevant) return;
    // Reports from the page's own task: the observer already batched its mutations.
    flush();
  }

  // Looked at a little later (LATER_MS): parents that received a burst, and elements whose
  // new text may carry a code (the free-text fallback).
  const laterParents = new Set();
  const laterText = new Set();
  let laterTimer = 0;
  function later(set, el) {
    if (set.size < MAX_LATER) set.add(el);
    if (!laterTimer) laterTimer = setTimeout(checkLater, LATER_MS);
  }
  function checkLater() {
    laterTimer = 0;
    let relevant = false;
    for (const p of laterParents) {
      if (p.isConnected && (inside(p) || newContainerUnder(p))) {
        relevant = true;
        break;
      }
    }
    laterParents.clear();
    for (const el of laterText) {
      if (!el.isConnected) continue;
      if (inside(el)) relevant = true;
      else {
        // A block with elements inside (a text node added next to them): capped reading.
        const raw = el.firstElementChild === null ? el.textContent : textOf(el, spec.max_block_chars);
        if (raw.length > 2 && noteText(el, raw)) relevant = true;
      }
    }
    laterText.clear();
    changed(relevant);
  }

  // Nodes added or removed: per run of records with the same parent, node by node (a few
  // records: an added error container is found at once) or the parent later (a burst).
  function noteChildList(records) {
    const n = records.length;
    let relevant = false;
    for (let i = 0, end; i < n; i = end) {
      const parent = records[i].target;
      for (end = i + 1; end < n && records[end].target === parent; end++);
      if (relevant) continue;
      if (inside(parent)) {
        relevant = true;
      } else if (end - i > RECORDS_PER_PARENT) {
        later(laterParents, parent);
      } else {
        for (let k = i; k < end && !relevant; k++) {
          const added = records[k].addedNodes;
          for (let j = 0; j < added.length; j++) {
            const node = added[j];
            if (node === host) continue;
            const t = node.nodeType;
            if (t === ELEMENT) {
              if (selector && (node.matches(selector) || (node.firstElementChild !== null && node.querySelector(selector) !== null))) {
                relevant = true;
                break;
              }
              later(laterText, node);
            } else if (t === TEXT && parent.nodeType === ELEMENT) {
              later(laterText, parent);
            }
          }
        }
      }
    }
    // A removal matters only when something was reported from the page.
    if (!relevant && (reported.length > 0 || textBlocks.size > 0)) relevant = lostReported();
    return relevant;
  }

  // Text changed in place: inside a container, the title or a block at once; elsewhere
  // the free-text fallback reads it later.
  function noteCharacterData(records) {
    let relevant = false;
    let last = null;
    for (let i = 0; i < records.length && !relevant; i++) {
      const target = records[i].target;
      if (target === last) continue;
      last = target;
      if (inside(target)) relevant = true;
      else {
        const el = target.parentElement;
        if (el) later(laterText, el);
      }
    }
    return relevant;
  }

  // class / hidden: an element may become (or stop being) an error container.
  function noteAttributes(records) {
    if (selector === '') return false;
    let relevant = false;
    let last = null;
    for (let i = 0; i < records.length && !relevant; i++) {
      const target = records[i].target;
      if (target === last) continue;
      last = target;
      relevant = target.matches(selector) || known.has(target) || (deepSelectors && newContainerUnder(target));
    }
    return relevant;
  }

  // One observer for the three kinds of record (one callback per batch: each costs the
  // page a call into this script); each kind goes to its own note function.
  function noteBatch(records) {
    let nodes = null;
    let texts = null;
    let attrs = null;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const t = r.type;
      if (t === 'childList') (nodes ??= []).push(r);
      else if (t === 'characterData') (texts ??= []).push(r);
      else (attrs ??= []).push(r);
    }
    const relevant = (nodes !== null && noteChildList(nodes)) ||
      (texts !== null && noteCharacterData(texts)) ||
      (attrs !== null && noteAttributes(attrs));
    keepHost();
    changed(relevant);
    if (records.length > BURST_RECORDS) pause();
    else pauseMs = PAUSE_MS;
  }

  // A page that churns (a log filling up, a list re-rendered: more than BURST_RECORDS
  // records in one batch) would have the browser record every one of its mutations for
  // us, which costs the page more than anything we do with them. After such a batch the
  // observer pauses for PAUSE_MS; on resuming, one re-read of what the page shows (its
  // error containers, title and noted blocks, as for any report) catches up. A page that
  // goes on churning gets a pause twice as long each time, up to MAX_PAUSE_MS (an error
  // it shows then is read within about a second); a calm batch or a re-read that finds
  // something new starts again from PAUSE_MS. Text shaped like a code added or changed
  // outside any container during a pause isn't seen.
  const BURST_RECORDS = 32;
  const PAUSE_MS = 250;
  const MAX_PAUSE_MS = 1000;
  const OBSERVE = { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class', 'hidden'] };
  let observer = null;
  let pauseTimer = 0;
  let pauseMs = PAUSE_MS;
  function pause() {
    if (pauseTimer || !observer) return;
    observer.disconnect();
    pauseTimer = setTimeout(() => {
      pauseTimer = 0;
      if (!alive) return;
      observer.observe(document, OBSERVE);
      flush();
    }, pauseMs);
    pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS);
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
    if (!spec || leaving) return;
    keepHost();
    const blocks = collect();
    const key = JSON.stringify(blocks);
    if (key === lastSent && !force) return;
    if (key !== lastSent) pauseMs = PAUSE_MS;
    lastSent = key;
    if (!host) {
      const code = quickPanel(blocks);
      if (code) showPanel(code);
    }
    const reply = await send({ type: 'PageReport', url: location.href, blocks, status: documentStatus(), settled, doc });
    // The user left meanwhile: the panel stays away until the page is back.
    if (leaving) return;
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
  function showOnTop(el) {
    try {
      if (el.isConnected && !el.matches(':popover-open')) el.showPopover?.();
    } catch {
      // No popover here, or not now: it stays a fixed box.
    }
  }

  function showPanel(code) {
    if (!code || code === evicted) {
      focusWantedUntil = 0;
      return hidePanel();
    }
    if (code === shownCode && host?.isConnected) {
      if (focusWanted()) focusPanel();
      return;
    }
    hidePanel();
    shownCode = code;
    watchOrphaned();
    if (LEAVE_FIRST) window.addEventListener('beforeunload', leave);
    frameLoaded = false;
    frame = null;
    const el = document.createElement('streamfix-panel');
    host = el;
    el.dataset.code = code;
    const shadow = el.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    // Important declarations of the shadow tree beat the page's, even its !important ones:
    // the page can't fade, hide, shrink or move the host with a stylesheet.
    const important = (css) => css.replace(/;/g, ' !important;');
    style.textContent = `:host{${important(`all:initial;position:fixed;inset:16px 16px auto auto;margin:0;padding:0;border:0;
      z-index:2147483647;display:block;opacity:1;visibility:visible;transform:none;filter:none;clip-path:none;
      pointer-events:auto;width:min(400px,calc(100vw - 32px));height:min(620px,calc(100vh - 32px));border-radius:14px;
      overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.45);color-scheme:light dark;background:Canvas;`)}}
      iframe{display:block;width:100%;height:100%;border:0;color-scheme:normal;background:transparent}`;
    shadow.append(style);
    // In the top layer, above anything the page stacks, where the browser allows.
    el.popover = 'manual';
    document.documentElement.append(el);
    showOnTop(el);
    el.addEventListener('toggle', (e) => {
      if (e.newState === 'closed' && host === el) showOnTop(el);
    });
    let attached = false;
    const attach = () => {
      if (host !== el || attached) return;
      attached = true;
      const frameEl = document.createElement('iframe');
      frameEl.src = api.runtime.getURL('panel.html');
      frameEl.title = 'StreamFix';
      frameEl.setAttribute('allow', 'clipboard-write');
      // Fired again after each reload (a host put back reloads its frame).
      frameEl.addEventListener('load', () => {
        if (host === el) frameLoaded = true;
      });
      shadow.append(frameEl);
      frame = frameEl;
      if (focusWanted()) focusPanel();
    };
    // After the next frame (a hidden tab runs no frames: a timer then).
    if (document.hidden) setTimeout(attach, 0);
    else {
      requestAnimationFrame(() => requestAnimationFrame(attach));
      setTimeout(attach, 100);
    }
  }

  // The page may drop our host with its own nodes (a re-render): put it back while shown,
  // a few times a second. A page that removes it each time wins (each would undo the
  // other for ever, and the tab would hang): the panel stays away for that code; the
  // badge and the popup still tell.
  const MAX_PUT_BACK = 3;
  let putBack = 0;
  let putBackAt = 0;
  let evicted = null;
  function keepHost() {
    if (!host || host.isConnected || !shownCode) return;
    const now = performance.now();
    if (now - putBackAt > 1000) putBack = 0;
    putBackAt = now;
    if (putBack++ < MAX_PUT_BACK) {
      // Put back, its frame loads again.
      frameLoaded = false;
      document.documentElement.append(host);
      showOnTop(host);
    } else {
      evicted = shownCode;
      hidePanel();
    }
  }

  // While a panel shows: an extension that was reloaded or updated can't answer it (and
  // this script hears nothing of it), so look now and then, and take the panel away.
  let aliveCheck = 0;
  function watchOrphaned() {
    clearInterval(aliveCheck);
    aliveCheck = setInterval(() => {
      if (!host) clearInterval(aliveCheck);
      else if (!api.runtime?.id) stop();
    }, 2000);
  }

  // Moves the keyboard focus into the panel's frame (panel.js then focuses its content),
  // remembering where it was on the page: closing the panel puts it back there.
  function focusPanel() {
    if (!frame || !host?.isConnected) return;
    focusWantedUntil = 0;
    const before = document.activeElement;
    if (before && before !== host) returnFocus = before;
    frame.focus();
    // The toolbar popup may hold the focus now (and the page can't always tell): when the
    // page gets it back (the popup closes), it goes on into the panel. Not once the user
    // has clicked the page.
    window.addEventListener('focus', refocus);
    window.addEventListener('pointerdown', disarmRefocus, { once: true, capture: true });
  }

  // Just after the page's focus event: the browser is still giving the page its focus
  // back as it fires, and a frame focused then doesn't get it. The page only hears that
  // event when the focus isn't in the panel's frame already.
  function refocus(e) {
    if (!e.isTrusted) return;
    disarmRefocus();
    setTimeout(() => {
      if (!frame || document.activeElement !== host) return;
      frame.blur();
      frame.focus();
    }, 0);
  }

  function disarmRefocus() {
    window.removeEventListener('focus', refocus);
    window.removeEventListener('pointerdown', disarmRefocus, { capture: true });
  }

  function hidePanel() {
    // The focus was in the panel: back to where the user was on the page.
    if (host && document.activeElement === host && returnFocus?.isConnected) returnFocus.focus({ preventScroll: true });
    returnFocus = null;
    frame = null;
    disarmRefocus();
    host?.remove();
    host = null;
    shownCode = null;
    clearInterval(aliveCheck);
    window.removeEventListener('beforeunload', leave);
  }

  // Chromium (from 156) keeps no page in the back/forward cache that embeds an extension
  // frame ("EmbedderExtensionFrame"; "BrowsingInstanceNotSwapped" for the same site),
  // decided before `pagehide`. `beforeunload` comes before the navigation starts: the
  // panel goes then, and the page can be kept (`pageshow` brings the panel back as the
  // core says). Listened to only while a panel shows. Not in Firefox: it keeps the page
  // with its panel as it is.
  const LEAVE_FIRST = api.runtime.getURL('').startsWith('chrome-extension:');
  // A navigation that doesn't happen after all (a download, a 204 answer, Stop, the page's
  // own "Leave site?" answered Stay) leaves the document live: it reports again once it
  // has stayed this long, and the panel comes back as the core says. (While the next page
  // is still loading, the core knows the report is the old page's: no panel, nothing
  // judged by it.)
  const STAY_MS = 2000;
  let stayTimer = 0;
  function leave(e) {
    // Only the browser's own (a page can dispatch one to silence this script).
    if (!e.isTrusted) return;
    // The page (a listener of its own that came first) asks the user whether to leave, and
    // may (the user has used it): the panel stays for the answer (the page isn't kept if
    // the answer is Leave).
    if ((e.defaultPrevented || e.returnValue) && navigator.userActivation?.hasBeenActive) return;
    leaving = true;
    focusWantedUntil = 0;
    // No retry reload from a page being left (or, frozen, once it is back).
    clearTimeout(retryTimer);
    hidePanel();
    clearTimeout(stayTimer);
    stayTimer = setTimeout(() => {
      leaving = false;
      if (alive) flush(false, true);
    }, STAY_MS);
  }

  // How long after `load` a page that shows no error counts as working.
  const SETTLE_MS = 2500;

  // Reports what the page shows now, and once more when it has settled: at `load` (the
  // browser may reset the tab's badge as loading ends) and on a back/forward-cache restore.
  function settle() {
    if (!alive) return;
    scanDocument();
    flush(false, true);
    setTimeout(() => {
      if (!alive) return;
      scanDocument();
      flush(true);
    }, SETTLE_MS);
  }

  function start() {
    selector = spec.selectors.join(',');
    // A hint's apostrophe matches the typographic ones too (`can’t`).
    const hints = (spec.hints ?? []).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['\u2018\u2019\u02bc]"));
    hintPattern = hints.length ? new RegExp(hints.join('|')) : null;
    // Combinators outside attribute values: an ancestor's change can make a match.
    deepSelectors = spec.selectors.some((s) => /[\s>+~]/.test(s.replace(/\[[^\]]*\]/g, '')));
    setQuick(spec.quick);
    if (document.readyState === 'complete') settle();
    else window.addEventListener('load', settle, { once: true });
    observer = new MutationObserver(noteBatch);
    observer.observe(document, OBSERVE);
    flush();
  }

  api.runtime.onMessage.addListener((msg, sender) => {
    if (sender.id !== api.runtime.id || msg?.type !== 'ShowPanel') return;
    if (!msg.code) {
      hidePanel();
      // The user closed it: no panel ahead of the core's next verdict.
      setQuick(null);
    } else if (msg.focus) {
      // The user asked for it (popup button, keyboard shortcut): even one this page
      // removed comes back, and the keyboard focus goes into it.
      evicted = null;
      focusWantedUntil = performance.now() + FOCUS_WAIT_MS;
      if (host?.isConnected) focusPanel();
    }
    // Report again; the core's verdict says what shows.
    lastSent = null;
    flush();
  });

  // Asks the core whether this page is watched; `then(reply)` when it is, else all stops.
  function hello(then) {
    doc.at = Date.now();
    send({ type: 'Hello', url: location.href, doc }).then((reply) => {
      if (reply?.type !== 'Watch' || !reply.watching) return stop();
      then(reply);
    });
  }

  hello((reply) => {
    spec = reply;
    start();
  });

  // Leaving for the back/forward cache: Chromium doesn't keep a page one of whose frames
  // is still loading ("Loading", "SubframeIsNavigating"), and our panel's frame is, in
  // the first moments after the panel appears (or after the host was put back). Take our
  // panel away then; `pageshow` below brings it back as the core says. A loaded frame is
  // decided on before this event ("EmbedderExtensionFrame"): `leave` takes that panel
  // away earlier.
  window.addEventListener('pagehide', (e) => {
    if (!e.isTrusted) return;
    clearTimeout(stayTimer);
    if (e.persisted && host && !frameLoaded) hidePanel();
  });

  // Back to this page from the back/forward cache: the core has moved on with the tab
  // (and the browser cleared its badge), but nothing on the page changed. Say Hello
  // again and report what the page shows.
  window.addEventListener('pageshow', (e) => {
    if (!e.isTrusted || !e.persisted) return;
    leaving = false;
    if (!alive || !spec) return;
    hello((reply) => {
      setQuick(reply.quick);
      settle();
    });
  });
})();
