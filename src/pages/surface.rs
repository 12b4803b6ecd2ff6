//! One surface (the popup or the inline panel) showing the core's view of a tab: renders
//! it, forwards clicks on hooked buttons, keeps the countdown going, copies the report,
//! and follows changes made elsewhere. It decides nothing the core hasn't.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, HtmlElement, HtmlInputElement};

use super::dom::{add, document, El, Result};
use super::render::{grant_button, render_error, render_ok, seconds_left};
use super::{answer, ask, Failure};
use crate::browser::api::{self, field, t, Watch};
use crate::core::action::Action;
use crate::core::messages::{Msg, Permission};
use crate::core::plan::StepState;
use crate::core::view::View;

/// The elements a surface adds after the view.
pub type Extra = Box<dyn Fn(&View) -> Result<Vec<Element>>>;

/// What makes one surface differ from the other.
pub struct Config {
    pub main: Element,
    /// The tab it shows (the popup's active tab); the panel's comes from its sender.
    pub tab_id: Option<i64>,
    /// The tab's URL as the popup sees it (a stored diagnosis for another site isn't shown).
    pub url: Option<String>,
    /// The sentence for a tab with no error.
    pub ok_text: Box<dyn Fn(&View) -> String>,
    /// What follows the view (the footers).
    pub extra: Extra,
    /// A view not to show (the panel keeps what it showed once the error is gone).
    pub hold: Box<dyn FnMut(&View) -> bool>,
    /// Whether the browser saw this frame unobscured (the panel's proof for a `Run`).
    pub seen: Option<Rc<dyn Fn() -> bool>>,
}

struct State {
    cfg: Config,
    /// The view's JSON as last shown: the same view isn't rendered again.
    last: String,
    /// Answers can come back out of order: only the newest request's view is shown.
    seq: u64,
    /// After `enter-code`: the next error view puts the focus on its diagnosis.
    to_diagnosis: bool,
    /// Asks again a little later (something under way; the worker not answering).
    again: Option<Timeout>,
    ticker: Option<Interval>,
    marked: bool,
    /// The page-wide listeners, kept as long as the surface.
    listeners: Vec<EventListener>,
    watches: Vec<Watch>,
}

/// A surface; clones share it.
#[derive(Clone)]
pub struct Surface(Rc<RefCell<State>>);

impl Surface {
    pub fn new(cfg: Config) -> Surface {
        if let Some(root) = document().ok().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", &api::ui_lang());
        }
        let s = Surface(Rc::new(RefCell::new(State {
            cfg,
            last: String::new(),
            seq: 0,
            to_diagnosis: false,
            again: None,
            ticker: None,
            marked: false,
            listeners: Vec::new(),
            watches: Vec::new(),
        })));
        s.listen();
        s
    }

    fn main(&self) -> Element {
        self.0.borrow().cfg.main.clone()
    }

    fn next_seq(&self) -> u64 {
        let mut st = self.0.borrow_mut();
        st.seq += 1;
        st.seq
    }

    fn ask_again(&self, ms: u32) {
        let me = self.clone();
        let timer = Timeout::new(ms, move || spawn_local(async move { me.load(None).await }));
        self.0.borrow_mut().again = Some(timer);
    }

    /// Shows the tab's view; `pending`: a `GetView` already sent (its promise).
    pub async fn load(&self, pending: Option<std::result::Result<Promise, JsValue>>) {
        let mine = self.next_seq();
        let reply = match pending {
            Some(p) => answer(p).await,
            None => {
                let (tab_id, url) = {
                    let st = self.0.borrow();
                    (st.cfg.tab_id, st.cfg.url.clone())
                };
                ask(&Msg::GetView {
                    tab_id,
                    lang: api::ui_lang(),
                    url,
                })
                .await
            }
        };
        match reply {
            Ok(reply) => {
                if mine == self.0.borrow().seq {
                    self.show_reply(&reply);
                }
            }
            Err(f) => {
                if self.0.borrow().last.is_empty() && !f.unresponsive {
                    self.main().replace_children_with_node_0();
                }
                self.fail(&f, "loadFailed", "");
            }
        }
    }

    /// Shows the view a reply carries (`Reply::View`).
    fn show_reply(&self, reply: &JsValue) {
        let js = field(reply, "view");
        match api::from_js::<View>(&js) {
            Ok(view) => {
                if let Err(e) = self.show(&view, api::json_text(&js)) {
                    let text = e.as_string().unwrap_or_default();
                    self.fail(&Failure::other(text), "loadFailed", "");
                }
            }
            Err(e) => self.fail(&Failure::other(e), "loadFailed", ""),
        }
    }

    fn show(&self, view: &View, json: String) -> Result<()> {
        if (self.0.borrow_mut().cfg.hold)(view) {
            return Ok(());
        }
        let main = self.main();
        if let Some(old) = main.query_selector("[data-failure=\"unresponsive\"]")? {
            old.remove();
        }
        if view.busy {
            self.ask_again(2000);
        }
        if self.0.borrow().last == json {
            return Ok(());
        }
        self.0.borrow_mut().last = json;
        let doc = document()?;
        // Re-rendering must not lose the keyboard user's place.
        let focused = doc.active_element().filter(|e| main.contains(Some(e)));
        let key = focused.as_ref().map(button_key);
        let had_confirm = main.query_selector(".confirm")?.is_some();
        // Nor what the user is typing.
        let typing = main
            .query_selector("[data-input=\"code\"]")?
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        if let Some(body) = doc.body() {
            body.set_attribute("data-state", &view.state)?;
            body.set_attribute("data-code", &view.code)?;
        }
        let error = view.state == "error";
        let parts = if error {
            render_error(view)?
        } else {
            let ok = (self.0.borrow().cfg.ok_text)(view);
            render_ok(view, &ok)?
        };
        let extra = (self.0.borrow().cfg.extra)(view)?;
        let all: js_sys::Array = parts.into_iter().flatten().chain(extra).collect();
        main.replace_children_with_node(&all);
        if error {
            self.mark_first_diagnosis();
        }
        let again = match &key {
            Some(k) => find_button(&main, k)?,
            None => None,
        };
        let input = main
            .query_selector("[data-input=\"code\"]")?
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        if let (Some(old), Some(new)) = (&typing, &input) {
            new.set_value(&old.value());
            if focused
                .as_ref()
                .is_some_and(|f| f == old.unchecked_ref::<Element>())
            {
                new.focus()?;
            }
        }
        let confirm = main.query_selector(".confirm")?;
        let to_diagnosis = self.0.borrow().to_diagnosis;
        let heading = if to_diagnosis && error {
            main.query_selector(".diagnosis h2")?
        } else {
            None
        };
        if let Some(h) = heading.and_then(|h| h.dyn_into::<HtmlElement>().ok()) {
            self.0.borrow_mut().to_diagnosis = false;
            if let Some(i) = &input {
                i.set_value("");
            }
            h.set_tab_index(-1);
            h.focus()?;
        } else if let (Some(c), false) = (&confirm, had_confirm) {
            // A question just asked: bring it into view, on its safe answer.
            let opts = api::object(&[("block", "nearest".into())]);
            let _ = call(c, "scrollIntoView", &[opts]);
            if let Some(safe) = c.query_selector("[autofocus]")? {
                let opts = api::object(&[("preventScroll", true.into())]);
                let _ = call(&safe, "focus", &[opts]);
            }
        } else if confirm.is_none()
            && had_confirm
            && (again.is_none()
                || key
                    .as_deref()
                    .is_some_and(|k| k.starts_with("cancel|") || k.starts_with("confirm|")))
        {
            // Answered: back to the step it was about.
            if let Some(b) = main.query_selector("[data-action=\"clear-site-data\"]")? {
                focus(&b);
            }
        } else if let Some(target) = again.or(main.query_selector("[autofocus]")?) {
            focus(&target);
        }
        self.tick_countdown();
        Ok(())
    }

    /// User Timing marks (DevTools, `./build.sh bench`): this document's first diagnosis
    /// in the DOM, and the first task after the frame that paints it.
    fn mark_first_diagnosis(&self) {
        if std::mem::replace(&mut self.0.borrow_mut().marked, true) {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(perf) = window.performance() else {
            return;
        };
        let _ = perf.mark("streamfix:diagnosis");
        let painted = Closure::once_into_js(move || {
            let after = Closure::once_into_js(move || {
                let _ = perf.mark("streamfix:diagnosis-painted");
            });
            post_task(after);
        });
        let _ = window.request_animation_frame(painted.unchecked_ref());
    }

    /// A failure is shown above what was last shown (never instead of it). When the
    /// worker isn't answering, the surface keeps asking and clears it once it answers.
    fn fail(&self, f: &Failure, key: &str, action: &str) {
        let _ = self.try_fail(f, key, action);
        if f.unresponsive {
            self.ask_again(3000);
        }
    }

    fn try_fail(&self, f: &Failure, key: &str, action: &str) -> Result<()> {
        let text = if f.unresponsive {
            f.text.clone()
        } else {
            t(key, &[&f.text])
        };
        let p = El::new("p")?
            .class("failure")?
            .attr("role", "alert")?
            .attr(
                "data-failure",
                if f.unresponsive {
                    "unresponsive"
                } else {
                    "refused"
                },
            )?
            .attr("data-refusal", &f.key)?
            .text(&text)?;
        // A permission the browser hasn't granted: offered right here, then the action.
        if f.key == "needs-permission" {
            if let Some(perm) = permission(&f.arg) {
                p.0.append_with_str_1(" ")?;
                add(&p.0, &grant_button(perm, action)?)?;
            }
        }
        let main = self.main();
        if let Some(old) = main.query_selector(".failure")? {
            old.remove();
        }
        main.prepend_with_node_1(&p.0)?;
        Ok(())
    }

    /// `msg` as this surface sends it: its tab, and for an action the panel's proof.
    fn outgoing(&self, msg: Msg) -> Msg {
        let st = self.0.borrow();
        let tab = st.cfg.tab_id;
        match msg {
            Msg::Run {
                action,
                ext_id,
                code,
                ..
            } => Msg::Run {
                tab_id: tab,
                action,
                ext_id,
                seen: st.cfg.seen.as_ref().is_some_and(|s| s()),
                code,
            },
            Msg::MarkStep { step, state, .. } => Msg::MarkStep {
                tab_id: tab,
                step,
                state,
            },
            Msg::Dismiss { .. } => Msg::Dismiss { tab_id: tab },
            Msg::RetryDue { .. } => Msg::RetryDue { tab_id: tab },
            Msg::GetReport {
                lang,
                browser,
                os,
                now_iso,
                ..
            } => Msg::GetReport {
                tab_id: tab,
                lang,
                browser,
                os,
                now_iso,
            },
            other => other,
        }
    }

    /// What a hooked button asks of the core, and its answer shown.
    async fn act(&self, button: Element) {
        let action = button.get_attribute("data-action").unwrap_or_default();
        let mine = self.next_seq();
        // An entered code's diagnosis is read from its top, like a detected one's.
        if action == "enter-code" {
            self.0.borrow_mut().to_diagnosis = true;
        }
        let reply = match message_for(&button) {
            Ok(msg) => ask(&self.outgoing(msg)).await,
            Err(f) => Err(f),
        };
        match reply {
            Ok(reply) => {
                let kind = field(&reply, "type").as_string().unwrap_or_default();
                if kind == "View" && mine == self.0.borrow().seq {
                    self.show_reply(&reply);
                }
                if kind == "Report" {
                    let text = field(&reply, "text").as_string().unwrap_or_default();
                    match copy_text(&text).await {
                        Ok(()) => copied(&button),
                        Err(f) => self.fail(&f, "actionFailed", &action),
                    }
                }
            }
            Err(f) => {
                self.0.borrow_mut().to_diagnosis = false;
                self.fail(&f, "actionFailed", &action);
            }
        }
    }

    /// The browser asks the user; only a click's own call may (nothing is awaited first).
    /// Granted, the action that needed it runs.
    fn grant(&self, button: &Element) {
        self.next_seq();
        let name = button.get_attribute("data-permission").unwrap_or_default();
        let then = button.get_attribute("data-then").unwrap_or_default();
        let asked = api::request_permission(&name);
        let me = self.clone();
        spawn_local(async move {
            let Some(asked) = asked else {
                me.fail(&Failure::refused("grant-from-toolbar"), "actionFailed", "");
                return;
            };
            let granted = JsFuture::from(asked)
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !granted {
                me.fail(&Failure::refused("permission-denied"), "actionFailed", "");
                return;
            }
            let Some(action) = action_named(&then) else {
                return me.load(None).await;
            };
            let msg = me.outgoing(Msg::Run {
                tab_id: None,
                action,
                ext_id: None,
                seen: false,
                code: None,
            });
            match ask(&msg).await {
                Ok(reply) if field(&reply, "type").as_string().as_deref() == Some("View") => {
                    me.show_reply(&reply)
                }
                Ok(_) => {}
                Err(f) => me.fail(&f, "actionFailed", &then),
            }
        });
    }

    /// Keeps the countdown's figure current; when it reaches zero, tells the core (the
    /// tab's own timer may be throttled while the tab is in the background).
    fn tick_countdown(&self) {
        self.0.borrow_mut().ticker = None;
        let Ok(Some(node)) = self.main().query_selector("[data-next-at]") else {
            return;
        };
        if node.get_attribute("data-countdown").as_deref() == Some("0") {
            return;
        }
        let next_at: f64 = node
            .get_attribute("data-next-at")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0);
        let me = self.clone();
        let fired = Rc::new(RefCell::new(false));
        let ticker = Interval::new(250, move || {
            let left = seconds_left(next_at);
            let _ = node.set_attribute("data-countdown", &left.to_string());
            if let Some(text) = node.first_child() {
                let now = text.text_content().unwrap_or_default();
                let shown = if left > 0 {
                    replace_first_number(&now, left)
                } else {
                    t("retryReloading", &[])
                };
                text.set_text_content(Some(&shown));
            }
            if left == 0 && !fired.replace(true) {
                let me = me.clone();
                spawn_local(async move {
                    me.0.borrow_mut().ticker = None;
                    let _ = ask(&me.outgoing(Msg::RetryDue { tab_id: None })).await;
                });
            }
        });
        self.0.borrow_mut().ticker = Some(ticker);
    }

    fn listen(&self) {
        let Ok(doc) = document() else {
            return;
        };
        let mut listeners = Vec::new();
        // Enter in the code field asks as its button does.
        let me = self.clone();
        listeners.push(EventListener::new_with_options(
            &doc,
            "keydown",
            EventListenerOptions::enable_prevent_default(),
            move |e| {
                let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
                let Some(input) =
                    target.filter(|t| t.matches("[data-input=\"code\"]").unwrap_or(false))
                else {
                    return;
                };
                if k.key() != "Enter" || !e.is_trusted() {
                    return;
                }
                e.prevent_default();
                let button = input.closest(".enter-code").ok().flatten().and_then(|c| {
                    c.query_selector("[data-action=\"enter-code\"]")
                        .ok()
                        .flatten()
                });
                if let Some(b) = button {
                    let me = me.clone();
                    spawn_local(async move { me.act(b).await });
                }
            },
        ));
        // Destructive actions need a real click by the user, never a script's.
        let me = self.clone();
        listeners.push(EventListener::new(&doc, "click", move |e| {
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let Some(button) = target.and_then(|t| t.closest("button[data-action]").ok().flatten())
            else {
                return;
            };
            if !e.is_trusted() {
                return;
            }
            if button.get_attribute("data-action").as_deref() == Some("grant-permission") {
                me.grant(&button);
                return;
            }
            let me = me.clone();
            spawn_local(async move { me.act(button).await });
        }));
        // Other surfaces and the tab change the state too: follow it while open (`local`
        // holds what StreamFix turned off, shown on every tab).
        let me = self.clone();
        let storage = Watch::storage(move |_, area| {
            if area == "session" || area == "local" {
                let me = me.clone();
                spawn_local(async move { me.load(None).await });
            }
        });
        // Firefox's panel frame gets no storage.session events; the worker tells it instead.
        let me = self.clone();
        let own = api::runtime_id();
        let messages = Watch::messages(move |msg, sender| {
            let from_self = field(sender, "id").as_string().as_deref() == Some(own.as_str());
            if from_self && field(msg, "type").as_string().as_deref() == Some("ViewChanged") {
                let me = me.clone();
                spawn_local(async move { me.load(None).await });
            }
        });
        let mut st = self.0.borrow_mut();
        st.listeners = listeners;
        st.watches = vec![storage, messages];
    }

    /// Sends `msg` as this surface does, without showing the answer (the panel's Esc).
    pub fn send(&self, msg: Msg) {
        spawn_local(async move {
            let _ = ask(&msg).await;
        });
    }
}

/// A button's identity across renders: its action and step.
fn button_key(e: &Element) -> String {
    format!(
        "{}|{}",
        e.get_attribute("data-action")
            .unwrap_or_else(|| "\u{0}".into()),
        e.get_attribute("data-step").unwrap_or_default()
    )
}

fn find_button(main: &Element, key: &str) -> Result<Option<Element>> {
    let all = main.query_selector_all("button[data-action]")?;
    for i in 0..all.length() {
        if let Some(b) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            if button_key(&b) == key {
                return Ok(Some(b));
            }
        }
    }
    Ok(None)
}

fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

/// `target.method(...args)`, for DOM calls whose options web-sys would need a feature for.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> std::result::Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(target, &method.into())?.dyn_into()?;
    let args: js_sys::Array = args.iter().collect();
    Reflect::apply(&f, target, &args)
}

/// Runs `f` as a task of its own (after the current frame has been painted).
fn post_task(f: JsValue) {
    let Ok(ctor) = Reflect::get(&js_sys::global(), &"MessageChannel".into()) else {
        return;
    };
    let Ok(ctor) = ctor.dyn_into::<js_sys::Function>() else {
        return;
    };
    let Ok(ch) = Reflect::construct(&ctor, &js_sys::Array::new()) else {
        return;
    };
    let (p1, p2) = (field(&ch, "port1"), field(&ch, "port2"));
    let _ = Reflect::set(&p1, &"onmessage".into(), &f);
    let _ = call(&p2, "postMessage", &[0.into()]);
}

fn replace_first_number(text: &str, n: u64) -> String {
    let Some(start) = text.find(|c: char| c.is_ascii_digit()) else {
        return text.to_string();
    };
    let rest = text.get(start..).unwrap_or("");
    let len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    format!(
        "{}{n}{}",
        text.get(..start).unwrap_or(""),
        rest.get(len..).unwrap_or("")
    )
}

fn permission(name: &str) -> Option<Permission> {
    crate::core::json::from_str(&format!("{name:?}")).ok()
}

fn action_named(name: &str) -> Option<Action> {
    crate::core::json::from_str(&format!("{name:?}")).ok()
}

/// The message a click on a hooked button asks the core for.
fn message_for(button: &Element) -> std::result::Result<Msg, Failure> {
    let action = button.get_attribute("data-action").unwrap_or_default();
    let step = button.get_attribute("data-step").unwrap_or_default();
    let mark = match action.as_str() {
        "step-done" => Some(StepState::Done),
        "step-helped" => Some(StepState::Helped),
        "step-not-helped" => Some(StepState::NotHelped),
        _ => None,
    };
    if let Some(state) = mark {
        return Ok(Msg::MarkStep {
            tab_id: None,
            step,
            state,
        });
    }
    match action.as_str() {
        "dismiss" => return Ok(Msg::Dismiss { tab_id: None }),
        "copy-report" => {
            return Ok(Msg::GetReport {
                tab_id: None,
                lang: api::ui_lang(),
                browser: browser_name(),
                os: os_name(),
                now_iso: js_sys::Date::new_0().to_iso_string().into(),
            })
        }
        _ => {}
    }
    let code = if action == "enter-code" {
        let input = button
            .closest(".enter-code")
            .ok()
            .flatten()
            .and_then(|c| c.query_selector("[data-input=\"code\"]").ok().flatten())
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        Some(input.map(|i| i.value()).unwrap_or_default())
    } else {
        None
    };
    let Some(run) = action_named(&action) else {
        return Err(Failure::other(format!("unknown action {action}")));
    };
    Ok(Msg::Run {
        tab_id: None,
        action: run,
        ext_id: button.get_attribute("data-ext-id"),
        seen: false,
        code,
    })
}

/// The report button says it copied, then goes back to its label, ready to copy again.
fn copied(button: &Element) {
    button.set_text_content(Some(&t("reportCopied", &[])));
    let _ = button.set_attribute("data-copied", "true");
    let b = button.clone();
    Timeout::new(4000, move || {
        b.set_text_content(Some(&t("copyReport", &[])));
        let _ = b.remove_attribute("data-copied");
    })
    .forget();
}

/// The clipboard API needs a focused document; the classic copy command works from the
/// click itself. Page text never goes in: the report is the core's.
async fn copy_text(text: &str) -> std::result::Result<(), Failure> {
    let clipboard = web_sys::window()
        .map(|w| field(&w.navigator(), "clipboard"))
        .unwrap_or(JsValue::UNDEFINED);
    if let Ok(p) = call(&clipboard, "writeText", &[text.into()]) {
        if JsFuture::from(Promise::resolve(&p)).await.is_ok() {
            return Ok(());
        }
    }
    let fallback = || -> Result<bool> {
        let doc = document()?;
        let area = El::new("textarea")?
            .class("offscreen")?
            .attr("readonly", "")?
            .0;
        let _ = Reflect::set(&area, &"value".into(), &text.into());
        doc.body()
            .ok_or_else(|| JsValue::from_str("no body"))?
            .append_with_node_1(&area)?;
        let _ = call(&area, "select", &[]);
        let ok = call(&doc, "execCommand", &["copy".into()])?
            .as_bool()
            .unwrap_or(false);
        area.remove();
        Ok(ok)
    };
    match fallback() {
        Ok(true) => Ok(()),
        _ => Err(Failure::other(t("copyFailed", &[]))),
    }
}

/// The browser and its major version, for the report (`Chrome 156`).
fn browser_name() -> String {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return "unknown".into();
    };
    let brands = field(&field(&nav, "userAgentData"), "brands");
    let brands: Vec<(String, String)> = if js_sys::Array::is_array(&brands) {
        js_sys::Array::from(&brands)
            .iter()
            .map(|b| {
                (
                    field(&b, "brand").as_string().unwrap_or_default(),
                    field(&b, "version").as_string().unwrap_or_default(),
                )
            })
            .filter(|(name, _)| {
                let l = name.to_ascii_lowercase();
                !(l.starts_with("not") && l.contains("brand"))
            })
            .collect()
    } else {
        Vec::new()
    };
    if let Some((name, version)) = brands
        .iter()
        .find(|(n, _)| n != "Chromium")
        .or(brands.first())
    {
        return format!("{name} {version}");
    }
    let ua = nav.user_agent().unwrap_or_default();
    let found = ["Firefox/", "Edg/", "Chrome/"]
        .iter()
        .filter_map(|p| ua.find(p).map(|i| (i, *p)))
        .min();
    match found {
        Some((i, p)) => {
            let version: String = ua
                .get(i + p.len()..)
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let name = match p {
                "Edg/" => "Edge",
                other => other.trim_end_matches('/'),
            };
            format!("{name} {version}")
        }
        None => "unknown".into(),
    }
}

/// The operating system, for the report.
fn os_name() -> String {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return "unknown".into();
    };
    if let Some(p) = field(&field(&nav, "userAgentData"), "platform")
        .as_string()
        .filter(|p| !p.is_empty())
    {
        return p;
    }
    let ua = nav.user_agent().unwrap_or_default();
    ua.split_once('(')
        .map(|(_, rest)| rest.split([';', ')']).next().unwrap_or(""))
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_string()
}
