// The privacy statement: every sentence comes from the locale files, set as text.
import { uiLang } from './lang.js';

const api = globalThis.browser ?? globalThis.chrome;
document.documentElement.lang = uiLang;
for (const node of document.querySelectorAll('[data-i18n]')) {
  node.textContent = api.i18n.getMessage(node.dataset.i18n) || node.textContent;
}
document.title = `StreamFix — ${api.i18n.getMessage('privacyTitle')}`;
