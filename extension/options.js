// Options page: rendered by the Rust pages layer (src/pages/options.rs). JavaScript only
// to start the wasm, which a page can't do on its own.
import { start } from './boot.js';

await start('options_page');
