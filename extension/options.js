// Options page: rendered by the Rust pages layer (src/pages/options.rs). JavaScript only
// to load the wasm, which a page can't start on its own, and to say so if it can't.
import init, { options_page } from './pkg/streamfix.js';

try {
  await init({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
  await options_page();
} catch (err) {
  const api = globalThis.browser ?? globalThis.chrome;
  const p = document.createElement('p');
  p.className = 'failure';
  p.setAttribute('role', 'alert');
  p.textContent = api.i18n.getMessage('loadFailed', [String(err?.message ?? err)]);
  document.getElementById('main').replaceChildren(p);
}
