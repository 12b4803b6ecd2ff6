// The privacy statement: filled in by the Rust pages layer (src/pages/privacy.rs) from
// the locale files. JavaScript only to start the wasm.
import { start } from './boot.js';

await start('privacy_page');
