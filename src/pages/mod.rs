//! wasm32 only: the extension pages rendered from Rust. They show what the worker's core
//! answers and send what the user does; they decide nothing. Built with web-sys (elements
//! and text nodes, never markup from strings), listeners through gloo-events.
//! - `dom`: the element builder;
//! - `render`: the core's view as DOM (popup and panel);
//! - `surface`: a page showing a tab's view: asks, renders, forwards clicks;
//! - `popup`, `panel`, `options`, `privacy`: the pages.

pub mod dom;
pub mod options;
pub mod panel;
pub mod popup;
pub mod privacy;
pub mod render;
pub mod surface;

use std::pin::pin;

use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::browser::api::{self, field, t};
use crate::core::messages::Msg;

/// How long a page waits for the service worker before saying it isn't answering.
const ANSWER_TIMEOUT_MS: u32 = 8000;

/// Why a page got no answer it can show: the core's refusal (`key`, `arg`), or the
/// worker isn't answering (`unresponsive`). `text` says it in the user's language.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub text: String,
    pub unresponsive: bool,
    pub key: String,
    pub arg: String,
}

impl Failure {
    fn not_answering() -> Failure {
        Failure {
            text: t("notAnswering", &[]),
            unresponsive: true,
            ..Failure::default()
        }
    }

    pub fn refused(key: &str) -> Failure {
        Failure {
            text: t(&format!("refused_{}", key.replace('-', "_")), &[]),
            key: key.to_string(),
            ..Failure::default()
        }
    }

    pub fn other(text: String) -> Failure {
        Failure {
            text,
            ..Failure::default()
        }
    }
}

/// The core's reply to `msg` (a `Reply`, as the worker sent it: a page reads the part
/// it shows), or why there is none.
pub async fn ask(msg: &Msg) -> Result<JsValue, Failure> {
    let msg = api::to_js(msg);
    answer(api::send_to_worker_raw(&msg)).await
}

/// The same checks for a message already sent (`sent`: `runtime.sendMessage`'s promise).
pub async fn answer(sent: Result<Promise, JsValue>) -> Result<JsValue, Failure> {
    let Ok(sent) = sent else {
        return Err(Failure::not_answering());
    };
    let sent = pin!(JsFuture::from(sent));
    let reply = match select(sent, TimeoutFuture::new(ANSWER_TIMEOUT_MS)).await {
        Either::Left((Ok(v), _)) if !v.is_undefined() && !v.is_null() => v,
        _ => return Err(Failure::not_answering()),
    };
    // `Reply::Error`: decoding the whole `Reply` would bring every variant's decoder
    // into the wasm for this one field.
    if field(&reply, "type").as_string().as_deref() == Some("Error") {
        let error = field(&reply, "error").as_string().unwrap_or_default();
        return Err(refusal(&error));
    }
    Ok(reply)
}

/// A refusal comes as a key (and an argument line) to say in the user's language;
/// anything else (a malformed call) as it is.
fn refusal(error: &str) -> Failure {
    let (key, arg) = error.split_once('\n').unwrap_or((error, ""));
    let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let name = format!("refused_{}", key.replace('-', "_"));
    let text = match t(&name, &[arg]) {
        text if is_key && text != name => text,
        _ => error.to_string(),
    };
    Failure {
        text,
        unresponsive: false,
        key: key.to_string(),
        arg: arg.to_string(),
    }
}
