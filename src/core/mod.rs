//! The pure core: rule data, detection, plans, state transitions, views. No wasm crate
//! is imported here; everything is tested natively with `cargo test`.

pub mod action;
pub mod catalog;
pub mod conflicts;
pub mod connection;
pub mod detector;
pub mod engine;
pub mod json;
pub mod messages;
pub mod plan;
pub mod report;
pub mod retry;
pub mod sentences;
pub mod sitedata;
pub mod state;
pub mod util;
pub mod view;
