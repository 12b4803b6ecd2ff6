// Inline panel (extension-origin iframe inside the streaming tab): the same view as the
// popup, for the tab it lives in. The page cannot read or click into it.
import { api, ask, el, messageFor, renderError, t } from './ui.js';

const main = document.getElementById('main');
const dismiss = document.getElementById('dismiss');
dismiss.textContent = '\u00d7';
dismiss.setAttribute('aria-label', t('dismiss'));
dismiss.title = t('dismiss');

function show(view) {
  document.body.dataset.state = view.state;
  document.body.dataset.code = view.code;
  main.replaceChildren(...(view.state === 'error' ? renderError(view) : [el('p', { className: 'ok' }, t('allGood'))]));
}

async function load() {
  try {
    const { view } = await ask({ type: 'GetView', lang: api.i18n.getUILanguage() });
    show(view);
    main.querySelector('.step.next button, .step button')?.focus({ preventScroll: true });
  } catch (err) {
    main.replaceChildren(el('p', { className: 'failure', role: 'alert' }, t('loadFailed', err.message)));
  }
}

document.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button || !e.isTrusted) return;
  try {
    const reply = await ask(messageFor(button));
    if (reply.type === 'View') show(reply.view);
  } catch (err) {
    main.prepend(el('p', { className: 'failure', role: 'alert' }, err.message));
  }
});

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && e.isTrusted) ask({ type: 'Dismiss' }).catch(() => {});
});

load();
