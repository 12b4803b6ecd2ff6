//! Elements built from Rust: tag, attributes, text and children. Building can't fail on
//! the names used here, so each step always succeeds (inlined, its `?` costs nothing);
//! `Result` stays in the signatures so callers read like the DOM calls they make.

use wasm_bindgen::{JsValue, UnwrapThrowExt};
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
    /// A new element. Pages always have a document, and the tags are this crate's own.
    #[inline]
    pub fn new(tag: &str) -> Result<El> {
        let doc = web_sys::window().and_then(|w| w.document()).unwrap_throw();
        Ok(El(doc.create_element(tag).unwrap_throw()))
    }

    #[inline]
    pub fn attr(self, name: &str, value: &str) -> Result<El> {
        // Only an invalid attribute name fails, and the names are this crate's own.
        let _ = self.0.set_attribute(name, value);
        Ok(self)
    }

    #[inline]
    pub fn class(self, name: &str) -> Result<El> {
        self.attr("class", name)
    }

    /// Appends `text` as a text node (never parsed as markup).
    #[inline]
    pub fn text(self, text: &str) -> Result<El> {
        let _ = self.0.append_with_str_1(text);
        Ok(self)
    }

    #[inline]
    pub fn child(self, child: &Element) -> Result<El> {
        add(&self.0, child)?;
        Ok(self)
    }
}

/// `<tag class="...">text</tag>`, the most common shape.
#[inline]
pub fn text_el(tag: &str, class: &str, text: &str) -> Result<Element> {
    let e = El::new(tag)?;
    let e = if class.is_empty() { e } else { e.class(class)? };
    Ok(e.text(text)?.0)
}

/// A `<button type="button" data-action=...>`.
#[inline]
pub fn button(action: &str, label: &str) -> Result<El> {
    El::new("button")?
        .attr("type", "button")?
        .attr("data-action", action)?
        .text(label)
}

/// Appends `child` to `parent` (a new element: nothing the DOM refuses).
#[inline]
pub fn add(parent: &Element, child: &Element) -> Result<()> {
    let _ = parent.append_with_node_1(child);
    Ok(())
}
