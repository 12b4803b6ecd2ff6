//! Elements built from Rust: tag, attributes, text and children, each step able to fail
//! (the DOM refuses an invalid name) rather than panic.

use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

pub type Result<T> = std::result::Result<T, JsValue>;

pub fn document() -> Result<Document> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// An element under construction.
pub struct El(pub Element);

impl El {
    pub fn new(tag: &str) -> Result<El> {
        Ok(El(document()?.create_element(tag)?))
    }

    pub fn attr(self, name: &str, value: &str) -> Result<El> {
        self.0.set_attribute(name, value)?;
        Ok(self)
    }

    pub fn class(self, name: &str) -> Result<El> {
        self.attr("class", name)
    }

    /// Appends `text` as a text node (never parsed as markup).
    pub fn text(self, text: &str) -> Result<El> {
        self.0.append_with_str_1(text)?;
        Ok(self)
    }

    pub fn child(self, child: &Element) -> Result<El> {
        self.0.append_with_node_1(child)?;
        Ok(self)
    }
}

/// `<tag class="...">text</tag>`, the most common shape.
pub fn text_el(tag: &str, class: &str, text: &str) -> Result<Element> {
    let e = El::new(tag)?;
    let e = if class.is_empty() { e } else { e.class(class)? };
    Ok(e.text(text)?.0)
}

/// A `<button type="button" data-action=...>`.
pub fn button(action: &str, label: &str) -> Result<El> {
    El::new("button")?
        .attr("type", "button")?
        .attr("data-action", action)?
        .text(label)
}
