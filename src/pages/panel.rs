//! The inline panel (an extension-origin iframe inside the streaming tab): the same view
//! as the popup, for the tab it lives in. The page can't read or click into it.
//! `panel.js` has already asked for the view (the worker decides while the wasm loads).

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

use super::dom::{button, document, El, Result};
use super::surface::{Config, Surface};
use crate::browser::api::{field, object, t};
use crate::core::action::Action;
use crate::core::messages::Msg;
use crate::core::view::View;

/// How long the browser must have seen this frame whole and unobscured, without a pause
/// (IntersectionObserver v2), before a click here changes anything outside the page.
const SEEN_MS: f64 = 500.0;

/// Runs the panel, showing `first_view` first.
pub async fn run(first_view: std::result::Result<Promise, JsValue>) -> Result<()> {
    let doc = document()?;
    let main = doc
        .get_element_by_id("main")
        .ok_or_else(|| JsValue::from_str("no #main"))?;
    if let Some(dismiss) = doc.get_element_by_id("dismiss") {
        dismiss.set_text_content(Some("\u{d7}"));
        dismiss.set_attribute("aria-label", &t("dismiss", &[]))?;
        dismiss.set_attribute("title", &t("dismiss", &[]))?;
    }
    let seen = watch_seen();
    // The panel is there for an error. Once it has shown one, a view without it is not
    // this page's to show: the tab is loading the next page, or the page is healthy again
    // and the content script is taking the panel away. What it showed stays.
    let shown_error = Cell::new(false);
    let surface = Surface::new(Config {
        main: main.clone(),
        tab_id: None,
        url: None,
        ok_text: Box::new(|_| t("allGood", &[])),
        extra: Box::new(|view: &View| {
            if view.state != "error" {
                return Ok(Vec::new());
            }
            Ok(vec![
                El::new("div")?
                    .class("footer")?
                    .child(&button("copy-report", &t("copyReport", &[]))?.0)?
                    .child(&button("mute-code", &t("muteCode", &[]))?.0)?
                    .0,
            ])
        }),
        hold: Box::new(move |view: &View| {
            if view.state == "error" {
                shown_error.set(true);
            }
            shown_error.get() && view.state != "error"
        }),
        seen: Some(seen),
    });
    // Esc inside the panel: an open confirmation is cancelled first; otherwise the panel
    // closes. (Esc on the page itself is the page's.)
    let on_esc = {
        let surface = surface.clone();
        let main = main.clone();
        EventListener::new(&doc, "keydown", move |e| {
            let is_esc = e
                .dyn_ref::<web_sys::KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape");
            if !is_esc || !e.is_trusted() {
                return;
            }
            // The key press is the user's own (trusted): it stands for the Cancel button.
            let cancel = main
                .query_selector("[data-action=\"cancel\"]")
                .ok()
                .flatten();
            surface.send(match cancel {
                Some(_) => Msg::Run {
                    tab_id: None,
                    action: Action::Cancel,
                    ext_id: None,
                    seen: false,
                    code: None,
                },
                None => Msg::Dismiss { tab_id: None },
            });
        })
    };
    // After the click or key that gave the focus has placed it.
    let on_focus = {
        let main = main.clone();
        EventListener::new(
            &web_sys::window().ok_or("no window")?.into(),
            "focus",
            move |_| {
                let main = main.clone();
                Timeout::new(0, move || focus_content(&main)).forget();
            },
        )
    };
    surface.load(Some(first_view)).await;
    focus_content(&main);
    // They live as long as the panel.
    std::mem::forget((surface, on_esc, on_focus));
    Ok(())
}

/// The panel opens by itself, over a page the user may be typing or playing in: it takes
/// no focus. When the user asks for it, the content script moves the focus into this
/// frame: it lands on the content, so a screen reader reads it from the top.
fn focus_content(main: &Element) {
    let Ok(doc) = document() else {
        return;
    };
    let active = doc.active_element();
    let on_body = match (&active, doc.body()) {
        (None, _) => true,
        (Some(a), Some(b)) => a == b.unchecked_ref::<Element>(),
        _ => false,
    };
    if doc.has_focus().unwrap_or(false) && on_body {
        if let Some(m) = main.dyn_ref::<HtmlElement>() {
            m.set_tab_index(-1);
            let opts = object(&[("preventScroll", true.into())]);
            if let Ok(f) = Reflect::get(m, &"focus".into()) {
                if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                    let _ = f.call1(m, &opts);
                }
            }
        }
    }
}

/// Whether the browser saw this frame whole and unobscured, without a pause, for the last
/// `SEEN_MS` (IntersectionObserver v2). The page can cover, fade or move this frame; it
/// can't script it. Without v2 (Firefox) it is never so, and the core hands such actions
/// to the toolbar button. `data-seen` tells tests when a click here counts.
fn watch_seen() -> Rc<dyn Fn() -> bool> {
    let since: Rc<Cell<Option<f64>>> = Rc::new(Cell::new(None));
    let now = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let seen = {
        let since = since.clone();
        Rc::new(move || since.get().is_some_and(|s| now() - s >= SEEN_MS))
    };
    let mark = {
        let seen = seen.clone();
        Rc::new(move || {
            if let Some(body) = document().ok().and_then(|d| d.body()) {
                let _ = body.set_attribute("data-seen", if seen() { "true" } else { "false" });
            }
        })
    };
    let timer: Rc<Cell<Option<Timeout>>> = Rc::new(Cell::new(None));
    let observe = {
        let since = since.clone();
        let mark = mark.clone();
        Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            for e in entries.iter() {
                let visible = field(&e, "isVisible").as_bool() == Some(true);
                let time = field(&e, "time").as_f64().unwrap_or(0.0);
                since.set(if visible {
                    Some(since.get().unwrap_or(time))
                } else {
                    None
                });
            }
            mark();
            let later = since.get().map(|_| {
                let mark = mark.clone();
                Timeout::new(SEEN_MS as u32, move || mark())
            });
            if let Some(old) = timer.replace(later) {
                old.cancel();
            }
        })
    };
    let started = (|| -> std::result::Result<(), JsValue> {
        let ctor: js_sys::Function =
            Reflect::get(&js_sys::global(), &"IntersectionObserver".into())?.dyn_into()?;
        let opts = object(&[("trackVisibility", true.into()), ("delay", 100.into())]);
        let args: js_sys::Array = [observe.as_ref().clone(), opts].iter().collect();
        let observer = Reflect::construct(&ctor, &args)?;
        let root = document()?
            .document_element()
            .ok_or_else(|| JsValue::from_str("no root"))?;
        let f: js_sys::Function = Reflect::get(&observer, &"observe".into())?.dyn_into()?;
        f.call1(&observer, &root)?;
        Ok(())
    })();
    // No visibility tracking here: never seen (the toolbar button carries such actions).
    if started.is_ok() {
        observe.forget();
    }
    seen
}
