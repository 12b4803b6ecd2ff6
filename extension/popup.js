// Toolbar popup: the diagnosis and plan for the active tab, as the core decided it.
import { api, el, surface, t } from './ui.js';

const main = document.getElementById('main');

async function start() {
  let tab;
  try {
    [tab] = await api.tabs.query({ active: true, currentWindow: true });
  } catch {
    tab = undefined;
  }
  const ui = surface({
    main,
    base: { tab_id: tab?.id },
    // tab.url is hidden by the browser on sites StreamFix has no access to.
    viewArgs: { url: tab?.url ?? '' },
    okText: (view) => (view.watched ? t('allGoodWatched', view.service) : view.service ? t('allGood') : t('notWatched')),
    extra: (view) =>
      view.state === 'error'
        ? [el('div', { className: 'footer' }, el('button', { type: 'button', 'data-action': 'copy-report' }, t('copyReport')))]
        : [],
  });
  await ui.load();
}

start();
