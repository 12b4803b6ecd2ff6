//! The toolbar popup: the diagnosis and plan for the active tab, as the core decided it.
//! `popup.js` has already asked for the view (the worker decides while the wasm loads).

use js_sys::Promise;
use wasm_bindgen::JsValue;

use super::dom::{add, button, document, El, Result};
use super::surface::{Config, Surface};
use crate::browser::api::{field, t};
use crate::core::view::View;

/// Runs the popup for `tab` (the active tab, or undefined), showing `first_view` first.
pub async fn run(tab: JsValue, first_view: std::result::Result<Promise, JsValue>) -> Result<()> {
    let main = document()?
        .get_element_by_id("main")
        .ok_or_else(|| JsValue::from_str("no #main"))?;
    let tab_id = field(&tab, "id").as_f64().map(|id| id as i64);
    // tab.url is hidden by the browser on sites StreamFix has no access to.
    let url = field(&tab, "url").as_string().unwrap_or_default();
    let surface = Surface::new(Config {
        main,
        tab_id,
        url: Some(url),
        ok_text: Box::new(|view: &View| {
            if view.watched {
                t("allGoodWatched", &[&view.service])
            } else if !view.service.is_empty() {
                t("allGood", &[])
            } else {
                t("notWatched", &[])
            }
        }),
        extra: Box::new(|view: &View| {
            if view.state != "error" {
                return Ok(Vec::new());
            }
            let footer = El::new("div")?
                .class("footer")?
                .child(&button("copy-report", &t("copyReport", &[]))?.0)?;
            // The panel on the page, back if it was closed, with the keyboard focus in it.
            if view.panel_possible {
                add(&footer.0, &button("show-panel", &t("showPanel", &[]))?.0)?;
            }
            Ok(vec![footer.0])
        }),
        hold: Box::new(|_| false),
        seen: None,
    });
    surface.load(Some(first_view)).await;
    // The surface lives as long as the popup: its listeners with it.
    std::mem::forget(surface);
    Ok(())
}
