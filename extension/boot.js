// What every extension page's few lines of JavaScript share: the UI language they ask the
// core in (the locale file the browser picked; Rust's is browser::api::ui_lang, the same
// rule), and starting the page's Rust (src/pages/), or saying it couldn't start.
const api = globalThis.browser ?? globalThis.chrome;
export const uiLang = api.i18n.getMessage('uiLocale') || api.i18n.getUILanguage();

/** Loads the wasm and runs its page entry `name` with `args`. */
export async function start(name, ...args) {
  try {
    const glue = await import('./pkg/streamfix.js');
    await glue.default({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
    await glue[name](...args);
  } catch (err) {
    const p = document.createElement('p');
    p.className = 'failure';
    p.setAttribute('role', 'alert');
    p.textContent = api.i18n.getMessage('loadFailed', [String(err?.message ?? err)]);
    (document.getElementById('main') ?? document.body).replaceChildren(p);
  }
}
