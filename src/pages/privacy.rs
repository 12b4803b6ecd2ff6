//! The privacy statement: every sentence comes from the locale files, set as text.

use wasm_bindgen::JsCast;
use web_sys::Element;

use super::dom::{document, Result};
use crate::browser::api::{self, t};

pub fn run() -> Result<()> {
    let doc = document()?;
    if let Some(root) = doc.document_element() {
        root.set_attribute("lang", &api::ui_lang())?;
    }
    let nodes = doc.query_selector_all("[data-i18n]")?;
    for i in 0..nodes.length() {
        let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let key = el.get_attribute("data-i18n").unwrap_or_default();
        // A sentence the locale file lacks keeps the English the page was written with.
        if let Some(text) = api::message(&key) {
            el.set_text_content(Some(&text));
        }
    }
    doc.set_title(&format!("StreamFix — {}", t("privacyTitle", &[])));
    Ok(())
}
