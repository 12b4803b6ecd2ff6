//! StreamFix: diagnoses streaming-service errors in the browser and fixes what an
//! extension can fix. `core` holds every decision and is plain Rust; `glue` (wasm32 only)
//! exposes it to the extension's JavaScript.
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod glue;
