// The privacy statement: filled in by the Rust pages layer (src/pages/privacy.rs) from
// the locale files. JavaScript only to load the wasm.
import init, { privacy_page } from './pkg/streamfix.js';

await init({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
privacy_page();
