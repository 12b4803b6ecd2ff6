//! wasm32 only: the extension pages rendered from Rust. They show what the worker's core
//! answers and send what the user does; they decide nothing. Built with web-sys (elements
//! and text nodes, never markup from strings), listeners through gloo-events.
//! - `dom`: the element builder;
//! - `options`: the options page;
//! - `privacy`: the privacy statement.

pub mod dom;
pub mod options;
pub mod privacy;

use std::pin::pin;

use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;

use wasm_bindgen::JsValue;

use crate::browser::api::{self, field, t};
use crate::core::messages::Msg;

/// How long a page waits for the service worker before saying it isn't answering.
const ANSWER_TIMEOUT_MS: u32 = 8000;

/// The core's reply to `msg` (a `Reply`, as the worker sent it: a page reads the part
/// it shows), or what to tell the user: the core's refusal in their language, or that the
/// worker isn't answering.
pub async fn ask(msg: &Msg) -> Result<JsValue, String> {
    let msg = api::to_js(msg);
    let sent = pin!(api::send_to_worker(&msg));
    let reply = match select(sent, TimeoutFuture::new(ANSWER_TIMEOUT_MS)).await {
        Either::Left((Ok(v), _)) if !v.is_undefined() && !v.is_null() => v,
        _ => return Err(t("notAnswering", &[])),
    };
    // `Reply::Error`: decoding the whole `Reply` would bring every variant's decoder
    // (the view's too) into the wasm for this one field.
    if field(&reply, "type").as_string().as_deref() == Some("Error") {
        return Err(refusal_text(
            &field(&reply, "error").as_string().unwrap_or_default(),
        ));
    }
    Ok(reply)
}

/// A refusal comes as a key (and an argument line) to say in the user's language;
/// anything else (a malformed call) as it is.
fn refusal_text(error: &str) -> String {
    let (key, arg) = error.split_once('\n').unwrap_or((error, ""));
    let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let name = format!("refused_{}", key.replace('-', "_"));
    match t(&name, &[arg]) {
        text if is_key && text != name => text,
        _ => error.to_string(),
    }
}
