// Inline panel (extension-origin iframe inside the streaming tab): rendered by the Rust
// pages layer (src/pages/panel.rs). JavaScript to send the question first (the worker
// decides while the wasm compiles), then start the wasm.
import { start, uiLang as lang } from './boot.js';

const api = globalThis.browser ?? globalThis.chrome;
const firstView = api.runtime.sendMessage({ type: 'GetView', lang });
// Handled in Rust once the wasm is in; not an unhandled rejection meanwhile.
firstView.catch(() => {});
await start('panel_page', firstView);
