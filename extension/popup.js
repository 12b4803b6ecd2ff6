// Toolbar popup: the diagnosis and plan for the active tab, as the core decided it.
// The question goes out first: the script is an async module (it runs as soon as it is
// fetched, without waiting for the stylesheet or the end of parsing), and the shared UI
// module, which popup.html preloads meanwhile, is evaluated after the message is sent.
// The worker decides while the popup sets itself up.
import { uiLang } from './lang.js';

const api = globalThis.browser ?? globalThis.chrome;

// The active tab, then its view.
const tabQuery = api.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab, () => undefined);
// tab.url is hidden by the browser on sites StreamFix has no access to.
const args = (tab) => ({ base: { tab_id: tab?.id }, viewArgs: { url: tab?.url ?? '' } });
const firstView = tabQuery.then((tab) => {
  const { base, viewArgs } = args(tab);
  return api.runtime.sendMessage({ type: 'GetView', lang: uiLang, ...base, ...viewArgs });
});
// Handled below, once the UI module is in; not an unhandled rejection meanwhile.
firstView.catch(() => {});

const { answer, el, surface, t } = await import('./ui.js');
// The body may still be parsing when an async script runs.
if (document.readyState === 'loading') await new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }));
const tab = await tabQuery;
const ui = surface({
  main: document.getElementById('main'),
  ...args(tab),
  okText: (view) => (view.watched ? t('allGoodWatched', view.service) : view.service ? t('allGood') : t('notWatched')),
  extra: (view) =>
    view.state === 'error'
      ? [
          el(
            'div',
            { className: 'footer' },
            el('button', { type: 'button', 'data-action': 'copy-report' }, t('copyReport')),
            // The panel on the page, back if it was closed, with the keyboard focus in it.
            view.panel_possible ? el('button', { type: 'button', 'data-action': 'show-panel' }, t('showPanel')) : null,
          ),
        ]
      : [],
});
await ui.load(answer(firstView));
