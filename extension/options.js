// Options: which services StreamFix watches, whether the panel opens by itself, the codes
// it stays closed for, and the keyboard shortcuts.
import { api, ask, el, t } from './ui.js';

const main = document.getElementById('main');

function render({ settings, services, muted: mutedCodes, remembered }) {
  const auto = el('input', { type: 'checkbox', id: 'auto-panel', checked: settings.auto_panel, 'data-setting': 'auto_panel' });
  auto.addEventListener('change', () => change({ kind: 'auto-panel', on: auto.checked }));
  // Each muted code with the service it was muted on (the core spells the entries out).
  const muted = mutedCodes.length
    ? el(
        'ul',
        { className: 'muted' },
        mutedCodes.map(({ key, code, service }) =>
          el(
            'li',
            { 'data-muted-code': code, 'data-muted-key': key },
            el('strong', {}, code),
            ' ',
            el('span', { className: 'weak' }, service ? t('mutedOn', service) : t('mutedEverywhere')),
            ' ',
            el('button', { type: 'button', 'data-action': 'unmute-code', 'data-code': code, onclick: () => change({ kind: 'unmute', key }) }, t('unmute')),
          ),
        ),
      )
    : el('p', { className: 'weak' }, t('noMutedCodes'));
  // One switch per service the core knows (data-service = its catalog id); all on by default.
  const serviceList = el(
    'ul',
    { className: 'services' },
    services.map((s) => {
      const box = el('input', { type: 'checkbox', id: `service-${s.id}`, checked: s.on, 'data-service': s.id });
      box.addEventListener('change', () => change({ kind: 'service', id: s.id, on: box.checked }));
      return el('li', {}, box, ' ', el('label', { for: `service-${s.id}` }, t('optionServiceOn', s.name)));
    }),
  );
  main.replaceChildren(
    el('h2', {}, t('optionsServices')),
    el('p', { className: 'weak' }, t('optionsServicesHint')),
    serviceList,
    el('h2', {}, t('optionsPanel')),
    el('p', { className: 'check' }, auto, ' ', el('label', { for: 'auto-panel' }, t('optionAutoPanel'))),
    el('h2', {}, t('optionsMuted')),
    muted,
    el('h2', {}, t('optionsWorked')),
    remembered
      ? el(
          'p',
          { 'data-remembered': String(remembered) },
          t('rememberedFixes', String(remembered)),
          ' ',
          el('button', { type: 'button', 'data-action': 'forget-fixes', onclick: forget }, t('forgetFixes')),
        )
      : el('p', { className: 'weak', 'data-remembered': '0' }, t('noRememberedFixes')),
    shortcuts,
    el('h2', {}, t('optionsPrivacy')),
    el('p', {}, t('privacyStatement')),
    el('p', {}, el('a', { href: 'privacy.html', target: '_blank', 'data-link': 'privacy' }, t('privacyFull'))),
  );
}

// One change at a time, each shown when saved. The core applies each change to the
// settings as stored, so a code muted in the panel meanwhile stays muted.
let saving = Promise.resolve();

// The keyboard shortcuts as the browser has them now (a suggested one it couldn't give,
// because those keys were taken, is unset), and the way to the browser's page to change
// them. Kept in its own section element: settings re-render around it.
const shortcuts = el('section', { className: 'shortcuts', 'aria-labelledby': 'sf-shortcuts' });
let shownKeys = null;
async function showShortcuts() {
  const commands = (await api.commands?.getAll().catch(() => null)) ?? [];
  // Unchanged: the section stays as it is (re-rendering would lose the keyboard's place).
  const keys = JSON.stringify(commands);
  if (keys === shownKeys) return;
  shownKeys = keys;
  // A browser without keyboard commands (Firefox for Android) gets no section.
  if (!commands.length) return shortcuts.replaceChildren();
  const change = el('button', { type: 'button', 'data-action': 'change-shortcuts' }, t('shortcutsChange'));
  change.addEventListener('click', () => {
    // Firefox opens its own page; Chrome and Edge have theirs at this address.
    if (api.commands.openShortcutSettings) api.commands.openShortcutSettings();
    else api.tabs.create({ url: 'chrome://extensions/shortcuts' });
  });
  shortcuts.replaceChildren(
    el('h2', { id: 'sf-shortcuts' }, t('optionsShortcuts')),
    el(
      'ul',
      { className: 'keys' },
      commands.map((c) =>
        el(
          'li',
          { 'data-command': c.name, 'data-shortcut': c.shortcut ?? '' },
          c.shortcut ? el('kbd', {}, c.shortcut) : el('span', { className: 'weak' }, t('shortcutNone')),
          ' ',
          c.name === '_execute_action' ? t('cmdOpenPopup') : c.description,
        ),
      ),
    ),
    el('p', { className: 'weak' }, t('shortcutsHint')),
    change,
  );
}
showShortcuts();
// Back from the browser's shortcuts page: show what the user set there.
window.addEventListener('focus', showShortcuts);
// One change at a time, each shown when saved; a failure is said above the page.
function save(job) {
  saving = saving
    .then(job)
    .catch((err) => main.prepend(el('p', { className: 'failure', role: 'alert' }, t('actionFailed', err.message))));
}

function change(setting) {
  save(async () => render(await ask({ type: 'ChangeSetting', change: setting })));
}

function forget() {
  save(async () => render(await ask({ type: 'ForgetFixes' })));
}

function load() {
  return ask({ type: 'GetSettings' })
    .then(render)
    .catch((err) => main.replaceChildren(el('p', { className: 'failure', role: 'alert' }, t('loadFailed', err.message))));
}

// Settings changed elsewhere (the panel's "don't open by itself", another options tab).
api.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && (changes.settings || changes.worked)) saving = saving.then(load);
});
load();
