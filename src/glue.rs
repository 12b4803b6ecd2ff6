//! wasm32 only: the core's entry points exported to JavaScript. Conversions only, no
//! logic; every value crosses as JSON text so the decoding is the core's, tested natively.

use wasm_bindgen::prelude::*;

/// The worker's wasm runs one call at a time; a free-list allocator behind a spin lock
/// (never contended) is a fraction of std's dlmalloc in size.
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Handles one message (see `core::engine::dispatch_json`).
#[wasm_bindgen]
pub fn dispatch(msg_json: &str, ctx_json: &str) -> String {
    crate::core::engine::dispatch_json(msg_json, ctx_json)
}
