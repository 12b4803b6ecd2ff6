// The language of the locale file the browser picked (what i18n.getMessage answers in),
// asked of the core for its sentences too, so no surface mixes two languages (a browser
// language StreamFix has no file for gets English throughout).
const api = globalThis.browser ?? globalThis.chrome;
export const uiLang = api.i18n.getMessage('uiLocale') || api.i18n.getUILanguage();
