//! StreamFix: diagnoses streaming-service errors in the browser and fixes what an
//! extension can fix. `core` holds every decision and is plain Rust; `browser` (wasm32
//! only) calls the extension APIs for it; `pages` (wasm32 only) renders the extension
//! pages that are in Rust. `entry` holds the wasm's entry points.
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod pages;

#[cfg(target_arch = "wasm32")]
mod entry {
    use wasm_bindgen::prelude::*;

    /// Each instance (the worker, a page) runs on one thread; a free-list allocator
    /// behind a spin lock (never contended) is a fraction of std's dlmalloc in size.
    #[global_allocator]
    static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
        lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

    /// `runtime.onMessage`: the reply to `msg` from `sender`.
    #[wasm_bindgen]
    pub fn on_message(msg: JsValue, sender: JsValue) -> js_sys::Promise {
        crate::browser::worker::on_message(msg, sender)
    }

    /// A browser event by the name `background.js` gives it, with its details.
    #[wasm_bindgen]
    pub async fn on_event(name: JsValue, details: JsValue) {
        crate::browser::worker::on_event(name, details).await
    }

    /// The toolbar popup for `tab`; `first_view`: its `GetView`, already sent.
    #[wasm_bindgen]
    pub async fn popup_page(tab: JsValue, first_view: JsValue) -> Result<(), JsValue> {
        crate::pages::popup::run(tab, first_view.dyn_into::<js_sys::Promise>()).await
    }

    /// The inline panel; `first_view`: its `GetView`, already sent.
    #[wasm_bindgen]
    pub async fn panel_page(first_view: JsValue) -> Result<(), JsValue> {
        crate::pages::panel::run(first_view.dyn_into::<js_sys::Promise>()).await
    }

    /// The options page, for as long as it is open.
    #[wasm_bindgen]
    pub async fn options_page() -> Result<(), JsValue> {
        crate::pages::options::run().await
    }

    /// The privacy statement.
    #[wasm_bindgen]
    pub fn privacy_page() -> Result<(), JsValue> {
        crate::pages::privacy::run()
    }
}
