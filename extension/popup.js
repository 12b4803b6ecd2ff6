// Toolbar popup: rendered by the Rust pages layer (src/pages/popup.rs). JavaScript to send
// the question first (the worker decides while the wasm compiles), then start the wasm.
import { start, uiLang as lang } from './boot.js';

const api = globalThis.browser ?? globalThis.chrome;
const tabQuery = api.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab, () => undefined);
const firstView = tabQuery.then((tab) => api.runtime.sendMessage({ type: 'GetView', lang, tab_id: tab?.id, url: tab?.url ?? '' }));
// Handled in Rust once the wasm is in; not an unhandled rejection meanwhile.
firstView.catch(() => {});
await start('popup_page', await tabQuery, firstView);
