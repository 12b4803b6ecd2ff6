//! wasm32 only: the browser layer. It calls the extension APIs for the core and carries
//! out what the core decides; it decides nothing itself.
//! - `api`: typed bindings, and the one place Chrome and Firefox differ;
//! - `worker`: the service worker's queue, stores and effects;
//! - `measure`: the connection check's raw figures.

pub mod api;
mod measure;
pub mod worker;
