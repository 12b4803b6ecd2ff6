// Inline panel (extension-origin iframe inside the streaming tab): the same view as the
// popup, for the tab it lives in. The page cannot read or click into it.
// As in popup.js, the question goes out first (an async module; panel.html preloads the
// shared UI module meanwhile): the worker decides while the panel sets itself up.
import { uiLang } from './lang.js';

const firstView = (globalThis.browser ?? globalThis.chrome).runtime.sendMessage({ type: 'GetView', lang: uiLang });
// Handled below, once the UI module is in; not an unhandled rejection meanwhile.
firstView.catch(() => {});

const { answer, api, ask, el, messageFor, surface, t } = await import('./ui.js');
// The body may still be parsing when an async script runs.
if (document.readyState === 'loading') await new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }));

const main = document.getElementById('main');
const dismiss = document.getElementById('dismiss');
dismiss.textContent = '\u00d7';
dismiss.setAttribute('aria-label', t('dismiss'));
dismiss.title = t('dismiss');

// The panel is there for an error. Once it has shown one, a view without it is not this
// page's to show: the tab is already loading the next page (the old one stays on screen
// until then, and may be kept in the back/forward cache as it is), or the page is
// healthy again and the content script is taking the panel away. What it showed stays.
let shownError = false;

// Whether the browser saw this frame whole and unobscured, without a pause, for the last
// SEEN_MS (IntersectionObserver v2): only then does a click here change anything outside
// the page. The page can cover, fade or move this frame; it can't script it. Without v2
// (Firefox) it is never so, and the core hands such actions to the toolbar button.
const SEEN_MS = 500;
let seenSince = null;
let seenTimer = 0;
const seen = () => seenSince !== null && performance.now() - seenSince >= SEEN_MS;
// `data-seen` tells tests (and nothing else: the page can't read this frame) when a click
// here can change something outside the page.
const markSeen = () => {
  document.body.dataset.seen = String(seen());
};
try {
  new IntersectionObserver((entries) => {
    for (const e of entries) seenSince = e.isVisible === true ? (seenSince ?? e.time) : null;
    markSeen();
    clearTimeout(seenTimer);
    if (seenSince !== null) seenTimer = setTimeout(markSeen, SEEN_MS);
  }, { trackVisibility: true, delay: 100 }).observe(document.documentElement);
} catch {
  // No visibility tracking here.
}

const ui = surface({
  main,
  seen,
  hold: (view) => {
    if (view.state === 'error') shownError = true;
    return shownError && view.state !== 'error';
  },
  okText: () => t('allGood'),
  extra: (view) =>
    view.state === 'error'
      ? [
          el(
            'div',
            { className: 'footer' },
            el('button', { type: 'button', 'data-action': 'copy-report' }, t('copyReport')),
            el('button', { type: 'button', 'data-action': 'mute-code' }, t('muteCode')),
          ),
        ]
      : [],
});

// Esc inside the panel: an open confirmation is cancelled first; otherwise the panel
// closes. (Esc on the page itself is the page's: leaving full screen, closing its menus.)
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || !e.isTrusted) return;
  const cancel = main.querySelector('[data-action="cancel"]');
  // The key press is the user's own (trusted): it stands for the Cancel button.
  ask(cancel ? messageFor(cancel) : { type: 'Dismiss' }).catch(() => {});
});

// The panel opens by itself, over a page the user may be typing or playing in: it takes
// no focus (a key press meant for the player must not press one of its buttons). Tab
// reaches it; what it says is announced (its main is a live region). When the user
// asks for it (the popup's "Show on the page", the keyboard shortcut), the content
// script moves the focus into this frame: it lands on the content, so a screen reader
// reads it from the top and Tab goes on to its first button.
function focusContent() {
  if (document.hasFocus() && (document.activeElement === document.body || !document.activeElement)) {
    main.tabIndex = -1;
    main.focus({ preventScroll: true });
  }
}
// After the click or key that gave the focus has placed it (a click on a button focuses
// that button).
window.addEventListener('focus', () => setTimeout(focusContent, 0));
ui.load(answer(firstView)).then(focusContent);
