// Renders the view the core decided (popup and inline panel share it). Builds DOM with
// textContent only; never markup from strings. Buttons carry the stable hooks from
// shared/notes/ui-hooks.md (data-action, data-step, data-step-state).
export const api = globalThis.browser ?? globalThis.chrome;
// Locale keys allow only [A-Za-z0-9_]: hook names like `not-helped` map to `not_helped`.
export const t = (key, ...subs) => api.i18n.getMessage(key.replace(/-/g, '_'), subs) || key;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'type' || k === 'for') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** Asks the core (through the service worker) and returns its reply, or throws. */
export async function ask(msg) {
  const reply = await api.runtime.sendMessage(msg);
  if (!reply) throw new Error('no answer from the service worker');
  if (reply.type === 'Error') throw new Error(reply.error);
  return reply;
}

function stepItem(step) {
  const mark = (action, key) =>
    el('button', { type: 'button', className: 'mark', 'data-action': action, 'data-step': step.id }, t(key));
  return el(
    'li',
    { className: `step ${step.kind}${step.next ? ' next' : ''}`, 'data-step': step.id, 'data-step-state': step.state },
    el(
      'div',
      { className: 'step-head' },
      el('span', { className: 'step-title' }, step.title),
      el('span', { className: `badge s-${step.state}` }, step.next ? t('nextStep') : t(`state_${step.state}`)),
    ),
    step.how.length ? el('ul', { className: 'how' }, step.how.map((h) => el('li', {}, h))) : null,
    el(
      'div',
      { className: 'step-actions' },
      step.action
        ? el('button', { type: 'button', className: 'primary', 'data-action': step.action, 'data-step': step.id }, t(`action_${step.action}`))
        : null,
      mark('step-done', 'stepDone'),
      mark('step-helped', 'stepHelped'),
      mark('step-not-helped', 'stepNotHelped'),
    ),
  );
}

/** The diagnosis and plan for an error view. */
export function renderError(view) {
  return [
    el(
      'section',
      { className: 'diagnosis', 'aria-labelledby': 'sf-what' },
      el('h2', { id: 'sf-what' }, t('whatHappened')),
      el('p', { className: 'code' }, `${t('codeLabel')}: `, el('strong', {}, view.code)),
      el('p', { className: 'meaning' }, view.meaning),
      el('h3', {}, t('likelyCause')),
      el('p', { className: 'cause' }, view.cause),
      view.causes.length
        ? el('details', {}, el('summary', {}, t('otherCauses')), el('ul', {}, view.causes.map((c) => el('li', {}, c))))
        : null,
      view.weak ? el('p', { className: 'weak' }, t('weakSource')) : null,
    ),
    el(
      'section',
      { className: 'plan', 'aria-labelledby': 'sf-plan' },
      el('h2', { id: 'sf-plan' }, t('planTitle')),
      el('ol', { className: 'steps' }, view.steps.map(stepItem)),
    ),
    el(
      'section',
      { className: 'devices' },
      el(
        'details',
        {},
        el('summary', {}, t('devicesTitle')),
        view.devices.map((d) =>
          el('div', { className: 'device', 'data-device': d.id }, el('h3', {}, d.name), el('ol', {}, d.how.map((h) => el('li', {}, h)))),
        ),
      ),
    ),
  ];
}

/** Translates a click on a hooked button into the message for the core. */
export function messageFor(button, tabId) {
  const action = button.dataset.action;
  const step = button.dataset.step;
  const marks = { 'step-done': 'done', 'step-helped': 'helped', 'step-not-helped': 'not-helped' };
  if (marks[action]) return { type: 'MarkStep', tab_id: tabId, step, state: marks[action] };
  if (action === 'dismiss') return { type: 'Dismiss', tab_id: tabId };
  return { type: 'Run', tab_id: tabId, action };
}
