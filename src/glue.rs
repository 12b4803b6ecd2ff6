//! wasm32 only: the core's entry points exported to JavaScript. Conversions only, no
//! logic; every value crosses as JSON text so the decoding is the core's, tested natively.

use wasm_bindgen::prelude::*;

/// Handles one message (see `core::engine::dispatch_json`).
#[wasm_bindgen]
pub fn dispatch(msg_json: &str, ctx_json: &str) -> String {
    crate::core::engine::dispatch_json(msg_json, ctx_json)
}
