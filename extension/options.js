// Options: which services StreamFix watches, whether the panel opens by itself, and the
// codes it stays closed for.
import { ask, el, t } from './ui.js';

const main = document.getElementById('main');

function render(settings, services) {
  const auto = el('input', { type: 'checkbox', id: 'auto-panel', checked: settings.auto_panel, 'data-setting': 'auto_panel' });
  auto.addEventListener('change', () => save({ ...settings, auto_panel: auto.checked }));
  const muted = settings.muted_codes.length
    ? el(
        'ul',
        { className: 'muted' },
        settings.muted_codes.map((code) =>
          el(
            'li',
            { 'data-muted-code': code },
            el('strong', {}, code),
            ' ',
            el('button', { type: 'button', 'data-action': 'unmute-code', 'data-code': code, onclick: () => save({ ...settings, muted_codes: settings.muted_codes.filter((c) => c !== code) }) }, t('unmute')),
          ),
        ),
      )
    : el('p', { className: 'weak' }, t('noMutedCodes'));
  // One switch per service the core knows (data-service = its catalog id); all on by default.
  const off = settings.off_services ?? [];
  const serviceList = el(
    'ul',
    { className: 'services' },
    services.map((s) => {
      const box = el('input', { type: 'checkbox', id: `service-${s.id}`, checked: !off.includes(s.id), 'data-service': s.id });
      box.addEventListener('change', () =>
        save({ ...settings, off_services: box.checked ? off.filter((id) => id !== s.id) : [...off, s.id] }),
      );
      return el('li', {}, box, ' ', el('label', { for: `service-${s.id}` }, t('optionServiceOn', s.name)));
    }),
  );
  main.replaceChildren(
    el('h2', {}, t('optionsServices')),
    el('p', { className: 'weak' }, t('optionsServicesHint')),
    serviceList,
    el('h2', {}, t('optionsPanel')),
    el('p', {}, auto, ' ', el('label', { for: 'auto-panel' }, t('optionAutoPanel'))),
    el('h2', {}, t('optionsMuted')),
    muted,
    el('h2', {}, t('optionsPrivacy')),
    el('p', {}, t('privacyStatement')),
    el('p', {}, el('a', { href: 'privacy.html', target: '_blank', 'data-link': 'privacy' }, t('privacyFull'))),
  );
}

async function save(settings) {
  try {
    const reply = await ask({ type: 'SetSettings', settings });
    render(reply.settings, reply.services);
  } catch (err) {
    main.prepend(el('p', { className: 'failure', role: 'alert' }, t('actionFailed', err.message)));
  }
}

ask({ type: 'GetSettings' })
  .then((reply) => render(reply.settings, reply.services))
  .catch((err) => main.replaceChildren(el('p', { className: 'failure', role: 'alert' }, t('loadFailed', err.message))));
