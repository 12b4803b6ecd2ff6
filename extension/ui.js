// Renders the view the core decided (popup and inline panel share it). Builds DOM with
// textContent only; never markup from strings. Buttons carry the stable hooks from
// shared/notes/ui-hooks.md (data-action, data-step, data-step-state).
import { uiLang } from './lang.js';

export const api = globalThis.browser ?? globalThis.chrome;
// Locale keys allow only [A-Za-z0-9_]: hook names like `not-helped` map to `not_helped`.
export const t = (key, ...subs) => api.i18n.getMessage(key.replace(/-/g, '_'), subs) || key;
document.documentElement.lang = uiLang;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'type' || k === 'for' || k === 'list') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

// How long an open surface waits for the service worker before saying it isn't answering.
const ANSWER_TIMEOUT_MS = 8000;

/** The service worker did not answer (stopped, hung, or gone): `unresponsive` is set. */
function notAnswering(cause) {
  const err = new Error(t('notAnswering'));
  err.unresponsive = true;
  err.cause = cause;
  return err;
}

/**
 * Asks the core (through the service worker) and returns its reply, or throws: the
 * core's refusal as is, a missing or late answer as a "not answering" error.
 */
export function ask(msg) {
  return answer(api.runtime.sendMessage(msg));
}

/** The same checks for a message already sent (`sent`: runtime.sendMessage's promise). */
export async function answer(sent) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(notAnswering('timeout')), ANSWER_TIMEOUT_MS); });
  let reply;
  try {
    reply = await Promise.race([sent.catch((err) => { throw notAnswering(err); }), late]);
  } finally {
    clearTimeout(timer);
  }
  if (!reply) throw notAnswering('no answer');
  if (reply.type === 'Error') {
    const err = new Error(refusalText(reply.error));
    [err.key, err.arg = ''] = String(reply.error).split('\n');
    throw err;
  }
  return reply;
}

// A refused action comes as a key (and an argument line) to say in the user's language;
// anything else (a malformed call) as it is.
function refusalText(error) {
  const [key, arg = ''] = String(error).split('\n');
  return /^[a-z-]+$/.test(key) ? api.i18n.getMessage(`refused_${key.replace(/-/g, '_')}`, [arg]) || error : error;
}

// A figure and its unit never part at a line's end ("about 10.4" / "Mbps").
const keepUnits = (text) => text.replace(/(\d) (?=(?:Mbps|Kbps|KB|MB|GB|ms|s)\b)/g, '$1\u00a0');
// A line of a step's instructions: text between backticks is something to type (see
// data/steps.toml), shown as code that doesn't break at its hyphens. Text nodes only.
const howLine = (line) => el('li', {}, line.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : keepUnits(part))));

function stepItem(step, view) {
  const mark = (action, key) =>
    el('button', { type: 'button', className: 'mark', 'data-action': action, 'data-step': step.id }, t(key));
  return el(
    'li',
    { className: `step ${step.kind}${step.next ? ' next' : ''}`, 'data-step': step.id, 'data-step-state': step.state, 'data-worked': step.worked ? 'true' : null },
    el(
      'div',
      { className: 'step-head' },
      el('span', { className: 'step-title' }, step.title),
      el('span', { className: `badge s-${step.state}` }, step.next ? t('nextStep') : t(`state_${step.state}`)),
    ),
    step.worked ? el('p', { className: 'worked' }, t('workedBefore')) : null,
    step.how.length ? el('ul', { className: 'how' }, step.how.map(howLine)) : null,
    step.shows === 'extensions' ? renderExtensions(view) : null,
    step.shows === 'connection' ? renderConnection(view) : null,
    step.shows === 'cleared' && view.cleared
      ? el(
        'div',
        { className: 'outcome', 'data-cleared': view.cleared.removed.join(' '), 'data-skipped': view.cleared.skipped.join(' ') },
        el('p', {}, t('stepCleared', view.cleared.removed.map(kindLabel).join(', ') || '—')),
        view.cleared.failed.length ? el('p', {}, t('noticeClearFailed', view.cleared.failed.map(kindLabel).join(', '))) : null,
        view.cleared.skipped.length ? el('p', {}, t('noticeClearSkipped', view.cleared.skipped.map(kindLabel).join(', '))) : null,
      )
      : null,
    el(
      'div',
      { className: 'step-actions' },
      // A permission the action needs and the browser hasn't granted: asked for first.
      step.action && step.needs
        ? grantButton(step.needs, step.action)
        : step.action
        ? el('button', { type: 'button', className: 'primary', 'data-action': step.action, 'data-step': step.id, disabled: step.waiting }, t(step.again ? 'actionAgain' : `action_${step.action}`))
        : null,
      // The marks on a row of their own, under the step's action (one row of four
      // buttons doesn't fit the panel: the last one used to wrap alone).
      el(
        'div',
        { className: 'marks', role: 'group', 'aria-label': t('markStep') },
        mark('step-done', 'stepDone'),
        mark('step-helped', 'stepHelped'),
        mark('step-not-helped', 'stepNotHelped'),
      ),
    ),
  );
}

const KIND_KEYS = ['cookies', 'cache', 'cacheStorage', 'localStorage', 'indexedDB', 'serviceWorkers', 'fileSystems', 'webSQL'];
const kindLabel = (k) => (KIND_KEYS.includes(k) ? t(`data_${k}`) : k);

/** The outcome of the last action, if any. */
export function renderNotice(notice, stepTitle) {
  if (!notice) return null;
  const lines = [];
  switch (notice.kind) {
    case 'clearing': lines.push(t('noticeClearing')); break;
    case 'clear-interrupted': lines.push(t('noticeClearInterrupted')); break;
    case 'cleared':
      if (notice.removed.length) lines.push(t('noticeCleared', notice.removed.map(kindLabel).join(', ')));
      if (notice.failed.length) lines.push(t('noticeClearFailed', notice.failed.map(kindLabel).join(', ')));
      if (notice.skipped.length) lines.push(t('noticeClearSkipped', notice.skipped.map(kindLabel).join(', ')));
      break;
    case 'fixed': lines.push(t('noticeFixed', stepTitle ?? notice.step)); break;
    case 'not-fixed': lines.push(t('noticeNotFixed', stepTitle ?? notice.step)); break;
    case 'retry-gave-up': lines.push(t('noticeRetryGaveUp')); break;
    case 'culprit': lines.push(t('noticeCulprit', notice.name)); break;
    case 'not-extensions': lines.push(t('noticeNotExtensions')); break;
    case 'restored': lines.push(notice.names.length ? t('noticeRestored', notice.names.join(', ')) : t('noticeRestoredNone')); break;
    default: return null;
  }
  const bad = notice.kind === 'not-fixed' || notice.kind === 'retry-gave-up' || notice.kind === 'clear-interrupted' || notice.failed?.length;
  // Trying again asks for the confirmation again.
  const again = notice.kind === 'clear-interrupted'
    ? el('div', { className: 'step-actions' }, el('button', { type: 'button', className: 'primary', 'data-action': 'clear-site-data' }, t('clearAgain')))
    : null;
  return el('div', { className: `notice${bad ? ' bad' : ''}`, role: 'status', 'data-notice': notice.kind }, lines.map((l) => el('p', {}, l)), again);
}

/** The confirmation before clearing the site's data. */
function renderConfirm(c) {
  return el(
    'section',
    { className: 'confirm', role: 'alertdialog', 'aria-labelledby': 'sf-confirm', 'aria-describedby': 'sf-confirm-body' },
    el('h2', { id: 'sf-confirm' }, t('confirmClearTitle', c.site)),
    el(
      'div',
      { id: 'sf-confirm-body' },
      el('p', {}, t('confirmClearWhat', c.site)),
      el('ul', { className: 'kinds' }, c.types.map((k) => el('li', { 'data-clears': k }, kindLabel(k)))),
      el('p', {}, t('confirmClearSites', c.origins.map((o) => o.replace(/^https?:\/\//, '')).join(', '))),
      el('p', { className: 'warn' }, t('confirmClearSignOut', c.site)),
      c.note ? el('p', { className: 'warn', 'data-confirm-note': '' }, c.note) : null,
      c.skipped.length ? el('p', { className: 'weak' }, t('confirmClearSkipped', c.skipped.map(kindLabel).join(', '))) : null,
      c.this_store_only ? el('p', { className: 'weak', 'data-scope': 'this-store' }, t('confirmThisStoreOnly')) : null,
    ),
    el(
      'div',
      { className: 'step-actions' },
      el('button', { type: 'button', className: 'primary danger', 'data-action': 'confirm' }, t('confirmClearButton')),
      el('button', { type: 'button', 'data-action': 'cancel', autofocus: true }, t('cancel')),
    ),
  );
}

/** The wait-and-retry countdown; `data-countdown` holds the seconds left. */
function renderRetry(r) {
  const left = Math.max(0, Math.ceil((r.next_at - Date.now()) / 1000));
  return el(
    'section',
    { className: 'retry' },
    el(
      'p',
      { className: 'countdown', 'data-countdown': String(r.reloading ? 0 : left), 'data-next-at': String(r.next_at), role: 'timer', 'aria-live': 'off' },
      r.reloading ? t('retryReloading') : t('retryIn', String(left), String(r.attempt), String(r.max_attempts)),
    ),
    el(
      'div',
      { className: 'step-actions' },
      el('button', { type: 'button', className: 'primary', 'data-action': 'retry-now' }, t('action_retry_now')),
      el('button', { type: 'button', 'data-action': 'cancel-retry' }, t('cancelRetry')),
    ),
  );
}

let ticker = 0;
/**
 * Keeps the countdown's figure current; when it reaches zero, tells the core (the tab's
 * own timer may be throttled while the tab is in the background).
 */
export function tickCountdown(root, onDue) {
  clearInterval(ticker);
  const node = root.querySelector('[data-next-at]');
  if (!node || node.dataset.countdown === '0') return;
  let fired = false;
  ticker = setInterval(() => {
    const left = Math.max(0, Math.ceil((Number(node.dataset.nextAt) - Date.now()) / 1000));
    node.dataset.countdown = String(left);
    node.firstChild.data = left ? node.firstChild.data.replace(/\d+/, String(left)) : t('retryReloading');
    if (!left && !fired) {
      fired = true;
      clearInterval(ticker);
      onDue();
    }
  }, 250);
}

/** Extensions StreamFix turned off: shown on every tab until they are back on. */
export function renderRestore(view) {
  const names = view.extras?.restore ?? [];
  if (!names.length) return null;
  return el(
    'section',
    { className: 'restore', 'aria-labelledby': 'sf-restore' },
    el('h2', { id: 'sf-restore' }, t('restoreTitle')),
    el('p', {}, t('restoreText', names.join(', '))),
    el('button', { type: 'button', className: 'primary', 'data-action': 'restore-extensions' }, t('restoreButton')),
  );
}

const reasonText = (r) => t(`reason_${r.reason}`, r.permission ?? r.pattern ?? '');

/** Asks the browser for an optional permission the core found missing, then `then`. */
const grantButton = (permission, then) =>
  el('button', { type: 'button', className: 'primary', 'data-action': 'grant-permission', 'data-permission': permission, 'data-then': then }, t(`grant_${permission}`));

const EXT_ACTION_LABELS = { 'disable-suspects': 'disableSuspects', 'find-culprit': 'findCulprit' };

function renderExtensions(view) {
  const list = view.extensions;
  // Without the permission the section says why; the button asking for it is the step's
  // own (`step.needs`) or the one in "more".
  if (!list && view.extras?.missing?.includes('management')) {
    return el(
      'section',
      { className: 'extensions', 'aria-labelledby': 'sf-ext', 'data-missing': 'management' },
      el('h3', { id: 'sf-ext' }, t('extensionsTitle')),
      el('p', { className: 'hint' }, t('needs_management')),
    );
  }
  if (!list) return null;
  const offer = view.ext;
  return el(
    'section',
    { className: 'extensions', 'aria-labelledby': 'sf-ext' },
    el('h3', { id: 'sf-ext' }, t('extensionsTitle')),
    view.listed_at
      ? el('p', { className: 'weak', role: 'status', 'data-listed-at': String(view.listed_at) },
          t('extChecked', new Date(view.listed_at).toLocaleTimeString(uiLang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })))
      : null,
    offer.proxy_mode ? el('p', { className: 'proxy', 'data-proxy-mode': offer.proxy_mode }, t('proxyMode', t(`proxy_${offer.proxy_mode}`))) : null,
    offer.proxy_by ? el('p', { className: 'proxy' }, t('proxyBy', offer.proxy_by)) : null,
    view.proxy_outside_browser ? el('p', { className: 'hint' }, t('proxyOutside')) : null,
    list.length
      ? el(
          'ul',
          { className: 'ext-list' },
          list.map((x) =>
            el(
              'li',
              { 'data-ext-id': x.id, 'data-kind': x.kind, 'data-suspect': String(x.suspect), className: x.suspect ? 'suspect' : '' },
              el('div', { className: 'step-head' }, el('span', { className: 'step-title' }, x.name), el('span', { className: `badge k-${x.kind}` }, t(`kind_${x.kind}`))),
              x.reasons.length ? el('p', { className: 'weak' }, x.reasons.map(reasonText).join(' · ')) : null,
              !x.enabled ? el('p', { className: 'weak' }, t('extOff')) : null,
              offer.disable_each.includes(x.id)
                ? el('button', { type: 'button', 'data-action': 'disable-extension', 'data-ext-id': x.id }, t('disableOne'))
                : null,
            ),
          ),
        )
      : el('p', { className: 'weak' }, t('noExtensions')),
    offer.actions.length
      ? el(
          'div',
          { className: 'step-actions' },
          offer.actions.map((a, i) => el('button', { type: 'button', className: i ? null : 'primary', 'data-action': a }, t(EXT_ACTION_LABELS[a]))),
        )
      : null,
    offer.by_hand.length ? el('p', { className: 'hint' }, t('firefoxGuide', offer.by_hand.join(', '))) : null,
    view.extras?.bisect ? el('p', { className: 'hint', 'data-bisect-check': String(view.extras.bisect.check) }, t('bisecting', String(view.extras.bisect.check), String(view.extras.bisect.max_checks))) : null,
  );
}

function renderConnection(view) {
  const c = view.connection;
  if (!view.measuring && !c) return null;
  return el(
    'section',
    { className: 'connection', 'aria-labelledby': 'sf-conn', 'data-measuring': view.measuring ? '' : null },
    el('h3', { id: 'sf-conn' }, t('connectionTitle')),
    view.measuring
      ? el('p', { className: 'hint', role: 'status' }, t('measuring'))
      : [
          el('p', { className: 'verdict', 'data-mbps': c.mbps === null ? '' : String(c.mbps), 'data-verdict': c.verdict }, t(`verdict_${c.verdict}`)),
          el('ul', { className: 'how' }, c.explain.map(howLine)),
        ],
  );
}

/** The diagnosis and plan for an error view. */
// What the screen or the browser showed, quoted; nothing for screens without a code.
function renderShown(shown) {
  if (!shown) return null;
  const [label, value] = shown.kind === 'code' ? ['codeLabel', shown.value]
    : shown.kind === 'told' ? ['toldLabel', shown.value]
      : shown.kind === 'http' ? ['httpLabel', `HTTP ${shown.status}`]
        : ['netLabel', shown.error];
  return el('p', { className: 'code', 'data-shown': shown.kind }, `${t(label)}: `, el('strong', {}, value));
}

/** The always-there actions the core lists for this tab (`view.more`). */
function renderMore(view) {
  if (!view.more?.length) return null;
  const buttons = view.more.filter((m) => m.action !== 'enter-code');
  return el(
    'section',
    { className: 'more', 'aria-labelledby': 'sf-more' },
    el('h3', { id: 'sf-more' }, t('moreTitle')),
    el(
      'div',
      { className: 'step-actions' },
      buttons.map((m) => (m.needs ? grantButton(m.needs, m.action) : el('button', { type: 'button', 'data-action': m.action }, t(`action_${m.action}`)))),
    ),
    view.more.some((m) => m.action === 'enter-code') ? renderEnterCode(view) : null,
  );
}

/** "I see an error code": the code the user read, with the service's codes suggested. */
function renderEnterCode(view) {
  const list = 'sf-known-codes';
  return el(
    'div',
    { className: 'enter-code' },
    el('label', { htmlFor: 'sf-code' }, t('enterCodeLabel')),
    el(
      'div',
      { className: 'step-actions' },
      el('input', {
        id: 'sf-code', type: 'text', 'data-input': 'code', list, autocomplete: 'off', spellcheck: false,
        maxLength: 40, placeholder: t('enterCodeHint'),
      }),
      el('datalist', { id: list }, (view.known_codes ?? []).map((c) => el('option', { value: c }))),
      el('button', { type: 'button', 'data-action': 'enter-code' }, t('action_enter_code')),
    ),
  );
}

/** A tab with no error: what happened last, and what the user can still do. */
function renderOk(view, okText) {
  return [
    renderNotice(view.notice, view.notice_step),
    renderRestore(view),
    el('p', { className: view.service ? 'ok' : 'ok idle' }, okText(view)),
    view.confirm ? renderConfirm(view.confirm) : null,
    view.loose.includes('connection') ? renderConnection(view) : null,
    renderSlow(view),
    view.extensions && view.loose.includes('extensions') ? renderExtensions(view) : null,
    renderMore(view),
  ];
}

/** No error, but a line too slow for HD: what the core advises (meaning, cause, steps). */
function renderSlow(view) {
  if (!view.steps.length) return null;
  return el(
    'section',
    { className: 'plan slow', 'aria-labelledby': 'sf-slow' },
    el('h2', { id: 'sf-slow' }, t('slowTitle')),
    el('p', { className: 'meaning' }, view.meaning),
    el('p', { className: 'cause' }, view.cause),
    el('ol', { className: 'steps' }, view.steps.map((step) => stepItem(step, view))),
  );
}

export function renderError(view) {
  return [
    renderNotice(view.notice, view.notice_step),
    renderRestore(view),
    view.confirm ? renderConfirm(view.confirm) : null,
    view.retry ? renderRetry(view.retry) : null,
    el(
      'section',
      { className: 'diagnosis', 'aria-labelledby': 'sf-what' },
      el('h2', { id: 'sf-what' }, t('whatHappened')),
      renderShown(view.shown),
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
      el('ol', { className: 'steps' }, view.steps.map((step) => stepItem(step, view))),
    ),
    // The sections no plan step holds (the core lists them).
    view.loose.includes('connection') ? renderConnection(view) : null,
    view.loose.includes('extensions') ? renderExtensions(view) : null,
    renderMore(view),
    // Only services with guides for their apps on other devices have the section.
    !view.devices.length ? null : el(
      'section',
      { className: 'devices' },
      el(
        'details',
        {},
        el('summary', {}, t('devicesTitle')),
        view.devices.map((d) =>
          el('div', { className: 'device', 'data-device': d.id }, el('h3', {}, d.name), el('ol', {}, d.how.map(howLine))),
        ),
      ),
    ),
  ];
}

/** Translates a click on a hooked button into the message for the core. */
export function messageFor(button) {
  const action = button.dataset.action;
  const step = button.dataset.step;
  const marks = { 'step-done': 'done', 'step-helped': 'helped', 'step-not-helped': 'not-helped' };
  if (marks[action]) return { type: 'MarkStep', step, state: marks[action] };
  if (action === 'dismiss') return { type: 'Dismiss' };
  if (action === 'enter-code') {
    const input = button.closest('.enter-code')?.querySelector('[data-input="code"]');
    return { type: 'Run', action, code: input?.value ?? '' };
  }
  if (action === 'copy-report') {
    return { type: 'GetReport', lang: uiLang, browser: browserName(), os: osName(), now_iso: new Date().toISOString() };
  }
  return { type: 'Run', action, ...(button.dataset.extId ? { ext_id: button.dataset.extId } : {}) };
}

/**
 * One surface (popup or panel) showing the core's view of a tab: renders, forwards
 * clicks on hooked buttons, keeps the countdown going, copies the report.
 * `ask` sends a message; `base` is merged into every message (tab id and URL);
 * `hold(view)` true: that view is not shown (what was shown stays).
 * `seen()`: whether the browser saw this surface unobscured (the panel's proof).
 */
// User Timing marks (DevTools, ./build.sh bench): this document's first diagnosis in
// the DOM, and the first task after the frame that paints it.
function markFirstDiagnosis() {
  if (performance.getEntriesByName('streamfix:diagnosis').length) return;
  performance.mark('streamfix:diagnosis');
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => performance.mark('streamfix:diagnosis-painted');
    ch.port2.postMessage(0);
  });
}

export function surface({ main, base = {}, viewArgs = {}, okText, extra = () => [], hold = () => false, seen = null }) {
  let last = '';
  // Answers can come back out of order (a storage-triggered reload racing a click):
  // only the newest request's view is shown.
  let seq = 0;
  // After `enter-code`: the next error view puts the focus on its diagnosis.
  let toDiagnosis = false;
  // Asks again a little later: while the core says something is under way, and while
  // the service worker isn't answering.
  let again = 0;
  const askAgain = (ms) => {
    clearTimeout(again);
    again = setTimeout(() => load(), ms);
  };
  function show(view) {
    if (hold(view)) return;
    const json = JSON.stringify(view);
    main.querySelector('[data-failure="unresponsive"]')?.remove();
    if (view.busy) askAgain(2000);
    if (json === last) return;
    last = json;
    // Re-rendering must not lose the keyboard user's place.
    const focused = main.contains(document.activeElement) ? document.activeElement : null;
    const key = focused && `${focused.dataset.action}|${focused.dataset.step ?? ''}`;
    const hadConfirm = main.querySelector('.confirm') !== null;
    // Nor what the user is typing.
    const typing = main.querySelector('[data-input="code"]');
    document.body.dataset.state = view.state;
    document.body.dataset.code = view.code;
    // Green says "fine"; a tab of no streaming service gets a plain sentence.
    const body = view.state === 'error' ? renderError(view) : renderOk(view, okText);
    main.replaceChildren(...body.filter(Boolean), ...extra(view));
    if (view.state === 'error') markFirstDiagnosis();
    const again = key && [...main.querySelectorAll('button[data-action]')].find((b) => `${b.dataset.action}|${b.dataset.step ?? ''}` === key);
    const input = main.querySelector('[data-input="code"]');
    if (typing && input) {
      input.value = typing.value;
      if (typing === focused) input.focus();
    }
    const confirm = main.querySelector('.confirm');
    const heading = toDiagnosis && view.state === 'error' && main.querySelector('.diagnosis h2');
    if (heading) {
      toDiagnosis = false;
      if (input) input.value = '';
      heading.tabIndex = -1;
      heading.focus();
    } else if (confirm && !hadConfirm) {
      // A question just asked: bring it into view, on its safe answer.
      confirm.scrollIntoView({ block: 'nearest' });
      confirm.querySelector('[autofocus]')?.focus({ preventScroll: true });
    } else if (!confirm && hadConfirm && (!again || key?.startsWith('cancel|') || key?.startsWith('confirm|'))) {
      // Answered: back to the step it was about.
      main.querySelector('[data-action="clear-site-data"]')?.focus();
    } else {
      (again ?? main.querySelector('[autofocus]'))?.focus();
    }
    tickCountdown(main, () => ask({ type: 'RetryDue', ...base }).catch(() => {}));
  }

  // A failure is shown above what was last shown (never instead of it). When the worker
  // isn't answering, the surface keeps asking and clears the message once it answers.
  function fail(err, key = 'actionFailed', action = null) {
    const text = err.unresponsive ? err.message : t(key, err.message);
    const p = el('p', { className: 'failure', role: 'alert', 'data-failure': err.unresponsive ? 'unresponsive' : 'refused', 'data-refusal': err.key ?? '' }, text);
    // A permission the browser hasn't granted: offered right here, then the action again.
    if (err.key === 'needs-permission' && err.arg) {
      p.append(' ', grantButton(err.arg, action ?? ''));
    }
    main.querySelector('.failure')?.remove();
    main.prepend(p);
    if (err.unresponsive) askAgain(3000);
  }

  /** Shows the tab's view; `pending`: a GetView answer already asked for. */
  async function load(pending) {
    try {
      const mine = ++seq;
      const { view } = await (pending ?? ask({ type: 'GetView', lang: uiLang, ...base, ...viewArgs }));
      if (mine === seq) show(view);
      return view;
    } catch (err) {
      if (!last && !err.unresponsive) main.replaceChildren();
      fail(err, 'loadFailed');
      return null;
    }
  }

  // `msg` as this surface sends it: its tab, and for an action the panel's proof.
  const outgoing = (msg) => {
    const out = { ...msg, ...base };
    if (seen && out.type === 'Run') out.seen = seen();
    return out;
  };

  // The browser asks the user; only a click's own call may (so nothing is awaited first).
  // Granted, the action that needed it runs.
  async function grant(button) {
    if (typeof api.permissions?.request !== 'function') {
      throw Object.assign(new Error(t('refused_grant_from_toolbar')), { key: 'grant-from-toolbar' });
    }
    const asked = api.permissions.request({ permissions: [button.dataset.permission] });
    if (!(await asked)) throw Object.assign(new Error(t('refused_permission_denied')), { key: 'permission-denied' });
    const then = button.dataset.then;
    if (!then) return load();
    const reply = await ask(outgoing({ type: 'Run', action: then }));
    if (reply.type === 'View') show(reply.view);
    return reply;
  }

  // Enter in the code field asks as its button does.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !e.isTrusted || !e.target.matches?.('[data-input="code"]')) return;
    e.preventDefault();
    const button = e.target.closest('.enter-code')?.querySelector('[data-action="enter-code"]');
    if (button) act(button);
  });

  document.addEventListener('click', async (e) => {
    const button = e.target.closest('button[data-action]');
    // Destructive actions need a real click by the user, never a script's.
    if (!button || !e.isTrusted) return;
    if (button.dataset.action === 'grant-permission') {
      ++seq;
      await grant(button).catch((err) => fail(err));
      return;
    }
    await act(button);
  });

  // What a hooked button asks of the core, and its answer shown.
  async function act(button) {
    try {
      const mine = ++seq;
      // An entered code's diagnosis is read from its top, like a detected one's (it may
      // come with this reply or with a reload the stored change starts first).
      if (button.dataset.action === 'enter-code') toDiagnosis = true;
      const reply = await ask(outgoing(messageFor(button)));
      if (reply.type === 'View' && mine === seq) show(reply.view);
      if (reply.type === 'Report') {
        await copyText(reply.text);
        button.textContent = t('reportCopied');
        button.dataset.copied = 'true';
        // Back to its own label after a while, ready to copy again.
        setTimeout(() => {
          button.textContent = t('copyReport');
          delete button.dataset.copied;
        }, 4000);
      }
    } catch (err) {
      toDiagnosis = false;
      fail(err, 'actionFailed', button.dataset.action);
    }
  }

  // Other surfaces and the tab change the state too: follow it while open (`local`
  // holds what StreamFix turned off, shown on every tab).
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' || area === 'local') load();
  });
  // Firefox's panel frame gets no storage.session events; the worker tells it instead.
  api.runtime.onMessage?.addListener((msg, sender) => {
    if (sender.id === api.runtime.id && msg?.type === 'ViewChanged') load();
  });

  return { load, show };
}

function browserName() {
  const brands = navigator.userAgentData?.brands?.filter((b) => !/not.a.brand/i.test(b.brand)) ?? [];
  const b = brands.find((x) => x.brand !== 'Chromium') ?? brands[0];
  if (b) return `${b.brand} ${b.version}`;
  const m = navigator.userAgent.match(/(Firefox|Edg|Chrome)\/(\d+)/);
  return m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : 'unknown';
}

function osName() {
  return navigator.userAgentData?.platform || (navigator.userAgent.match(/\(([^;)]+)/)?.[1] ?? 'unknown');
}

// The clipboard API needs a focused document; the classic copy command works from the
// click itself. Page text never goes in: the report is the core's.
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const area = el('textarea', { value: text, readOnly: true, className: 'offscreen' });
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error(t('copyFailed'));
  }
}
