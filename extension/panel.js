// Inline panel (extension-origin iframe inside the streaming tab): rendered by the Rust
// pages layer (src/pages/panel.rs). JavaScript to load the wasm, and to send the question
// first: the worker decides while the wasm compiles. It decides nothing.
import { uiLang as lang } from './lang.js';

const api = globalThis.browser ?? globalThis.chrome;
const firstView = api.runtime.sendMessage({ type: 'GetView', lang });
// Handled in Rust once the wasm is in; not an unhandled rejection meanwhile.
firstView.catch(() => {});

// The wasm's glue comes after the question is sent (the page preloads it meanwhile).
const { default: init, panel_page } = await import('./pkg/streamfix.js');
try {
  await init({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
  await panel_page(firstView);
} catch (err) {
  const p = document.createElement('p');
  p.className = 'failure';
  p.setAttribute('role', 'alert');
  p.textContent = api.i18n.getMessage('loadFailed', [String(err?.message ?? err)]);
  document.getElementById('main').replaceChildren(p);
}
