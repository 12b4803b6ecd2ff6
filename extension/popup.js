// Toolbar popup: the diagnosis and plan for the active tab, as the core decided it.
import { api, ask, el, messageFor, renderError, t } from './ui.js';

const main = document.getElementById('main');
let tabId;

async function show(view) {
  document.body.dataset.state = view.state;
  document.body.dataset.code = view.code;
  if (view.state === 'error') {
    main.replaceChildren(...renderError(view));
  } else {
    const text = view.watched ? t('allGoodWatched', view.service) : view.service ? t('allGood') : t('notWatched');
    main.replaceChildren(el('p', { className: 'ok' }, text));
  }
}

async function load() {
  try {
    const [tab] = await api.tabs.query({ active: true, currentWindow: true });
    tabId = tab?.id;
    // tab.url is hidden by the browser on sites StreamFix has no access to.
    const { view } = await ask({ type: 'GetView', tab_id: tabId, url: tab?.url ?? '', lang: api.i18n.getUILanguage() });
    await show(view);
  } catch (err) {
    main.replaceChildren(el('p', { className: 'failure', role: 'alert' }, t('loadFailed', err.message)));
  }
}

main.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button || !e.isTrusted) return;
  try {
    const reply = await ask(messageFor(button, tabId));
    if (reply.type === 'View') await show(reply.view);
  } catch (err) {
    main.prepend(el('p', { className: 'failure', role: 'alert' }, err.message));
  }
});

load();
