// Toolbar popup: the diagnosis and plan for the active tab, as the core decided it.
import { api, ask, el, surface, t } from './ui.js';

const main = document.getElementById('main');

// Asked first, before anything else is set up: the active tab, then its view.
const tabQuery = api.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab, () => undefined);
// tab.url is hidden by the browser on sites StreamFix has no access to.
const args = (tab) => ({ base: { tab_id: tab?.id }, viewArgs: { url: tab?.url ?? '' } });
const firstView = tabQuery.then((tab) => {
  const { base, viewArgs } = args(tab);
  return ask({ type: 'GetView', lang: api.i18n.getUILanguage(), ...base, ...viewArgs });
});

async function start() {
  const tab = await tabQuery;
  const ui = surface({
    main,
    ...args(tab),
    okText: (view) => (view.watched ? t('allGoodWatched', view.service) : view.service ? t('allGood') : t('notWatched')),
    extra: (view) =>
      view.state === 'error'
        ? [el('div', { className: 'footer' }, el('button', { type: 'button', 'data-action': 'copy-report' }, t('copyReport')))]
        : [],
  });
  await ui.load(firstView);
}

start();
