//! The service worker (Chrome) / event page (Firefox) in Rust: one call at a time, it reads
//! the stores, lets the core decide, writes back and carries out the core's effects.
//! `background.js` only registers the listeners (at top level, as MV3 requires) and
//! forwards here. All state lives in storage, so a restarted worker picks up where it was.

use std::cell::RefCell;

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::api::{self, field, Area};
use super::measure;
use crate::core::catalog::Catalog;
use crate::core::conflicts::ExtensionInfo;
use crate::core::engine::{self, Context, Env, Output, Stored};
use crate::core::json;
use crate::core::messages::{Effect, Msg, Reply, RequestEvent, Sender, WebRequest};
use crate::core::sitedata::Browser;
use crate::core::util::Map;

/// A browser call that never settles must not hold up every later call.
const EFFECT_TIMEOUT_MS: u32 = 10_000;
const BADGE_COLOR: &str = "#c5221f";
/// One listing for a burst of extension changes (turning several off is several events).
const LISTING_DEBOUNCE_MS: u32 = 100;

thread_local! {
    // Not state: the worker's identity and its one-call-at-a-time lock, new at every
    // start. The core records which instance took on a piece of work, so the next one
    // recognises work a stopped worker left half-done and settles it.
    static INSTANCE: String = instance_id();
    // The end of the queue: done when the last call taken on so far is.
    static TAIL: RefCell<Option<oneshot::Receiver<()>>> = const { RefCell::new(None) };
    static LISTING_SOON: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

fn instance_id() -> String {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    crypto
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok())
        .map(|c| c.random_uuid())
        // No crypto: a random integer is identity enough for one worker's lifetime.
        .unwrap_or_else(|| ((js_sys::Math::random() * 1e15) as u64).to_string())
}

/// Messages the worker sends to a tab's content script.
enum ToPage<'a> {
    /// Put the panel on the page (`code`: the error it is about; `focus`: move the focus
    /// into it, for the keyboard command).
    ShowPanel { code: Option<&'a str>, focus: bool },
    /// Firefox: the tab's state changed (its panel frame gets no `storage` events).
    ViewChanged,
}

impl ToPage<'_> {
    fn to_js(&self) -> JsValue {
        match self {
            ToPage::ShowPanel { code, focus } => api::object(&[
                ("type", "ShowPanel".into()),
                ("code", code.map_or(JsValue::NULL, JsValue::from_str)),
                ("focus", (*focus).into()),
            ]),
            ToPage::ViewChanged => api::object(&[("type", "ViewChanged".into())]),
        }
    }
}

/// `runtime.onMessage`'s sender, as the core knows senders.
fn runtime_sender(s: &JsValue) -> Sender {
    let text = |v: JsValue| v.as_string();
    let number = |v: JsValue| v.as_f64().map(|n| n as i64);
    Sender::Runtime {
        id: text(field(s, "id")),
        url: text(field(s, "url")),
        tab_id: number(field(&field(s, "tab"), "id")),
        frame_id: number(field(s, "frameId")),
        document_id: text(field(s, "documentId")),
    }
}

/// A message from a content script or an extension page: the core's reply, as soon as
/// the core has decided (the writes and effects still finish before the next call).
pub fn on_message(msg: JsValue, sender: JsValue) -> js_sys::Promise {
    let sender = runtime_sender(&sender);
    let msg = Incoming::Text(api::json_text(&msg));
    let (tx, rx) = oneshot::channel();
    enqueue(msg, sender, Some(tx));
    wasm_bindgen_futures::future_to_promise(async move {
        let reply = rx.await.unwrap_or_else(|_| Reply::Error {
            error: "StreamFix could not handle the message".into(),
        });
        Ok(api::to_js(&reply))
    })
}

/// One of the worker's own events, handled in turn after the calls before it.
fn event(msg: Msg) {
    enqueue(Incoming::Event(msg), Sender::Internal, None);
}

/// A call's message: as a page or extension page sent it (JSON text, decoded by the core
/// with its checks), or one of the worker's own events.
enum Incoming {
    Text(String),
    Event(Msg),
}

/// Takes a place in the queue now (calls run in the order they came), and runs the call
/// once every call before it has finished.
fn enqueue(msg: Incoming, sender: Sender, answer: Option<oneshot::Sender<Reply>>) {
    let (done, finished) = oneshot::channel::<()>();
    let before = TAIL.with(|t| t.replace(Some(finished)));
    spawn_local(async move {
        if let Some(before) = before {
            let _ = before.await;
        }
        call(msg, sender, answer).await;
        drop(done);
    });
}

async fn stored(area: Area) -> Map<Stored> {
    api::storage_all(area).await.unwrap_or_default()
}

async fn call(msg: Incoming, sender: Sender, answer: Option<oneshot::Sender<Reply>>) {
    let session = stored(Area::Session).await;
    let local = stored(Area::Local).await;
    let browser = api::browser();
    let ctx = Context {
        sender,
        env: Env {
            self_id: api::self_id(),
            self_origin: api::self_origin(),
            lang: api::ui_lang(),
            browser,
            instance: INSTANCE.with(Clone::clone),
            missing: api::missing_permissions().await,
        },
        session,
        local,
        now: js_sys::Date::now(),
    };
    let out = match msg {
        Incoming::Text(text) => engine::dispatch(Catalog::shared(), &text, &ctx),
        Incoming::Event(msg) => engine::handle(Catalog::shared(), msg, &ctx),
    };
    if let Some(answer) = answer {
        let _ = answer.send(out.reply.clone());
    }
    write(&out).await;
    if browser == Browser::Firefox {
        for tab_id in out.tabs_to_tell(ctx.session.keys()) {
            let _ = api::send_to_tab(tab_id, &ToPage::ViewChanged.to_js()).await;
        }
    }
    // In order: turning an extension off must happen before listing or reloading.
    for effect in &out.effects {
        match select(
            Box::pin(perform(effect.clone())),
            TimeoutFuture::new(EFFECT_TIMEOUT_MS),
        )
        .await
        {
            Either::Left((Ok(()), _)) => {}
            // The effect as it crossed from the core (its one wire declaration).
            Either::Left((Err(e), _)) => {
                warn(&format!("StreamFix: {}: {e}", json::to_string(effect)))
            }
            Either::Right(_) => warn(&format!(
                "StreamFix: {}: no answer in time",
                json::to_string(effect)
            )),
        }
    }
}

async fn write(out: &Output) {
    let mut failed = Vec::new();
    if !out.session_set.is_empty() {
        failed.extend(
            api::storage_set(Area::Session, &out.session_set)
                .await
                .err(),
        );
    }
    if !out.session_remove.is_empty() {
        failed.extend(
            api::storage_remove(Area::Session, &out.session_remove)
                .await
                .err(),
        );
    }
    if !out.local_set.is_empty() {
        failed.extend(api::storage_set(Area::Local, &out.local_set).await.err());
    }
    for e in failed {
        warn(&format!("StreamFix: storage: {e}"));
    }
}

fn warn(text: &str) {
    web_sys::console::warn_1(&text.into());
}

async fn perform(effect: Effect) -> Result<(), api::Error> {
    match effect {
        Effect::Badge {
            tab_id,
            text,
            title,
            after_load,
        } => {
            let title = if title.is_empty() {
                "StreamFix".to_string()
            } else {
                title
            };
            if after_load {
                // Not awaited: the queue must not wait for a page to load.
                spawn_local(async move {
                    loaded(tab_id).await;
                    let _ = api::set_badge(tab_id, &text, BADGE_COLOR, &title).await;
                });
                Ok(())
            } else {
                api::set_badge(tab_id, &text, BADGE_COLOR, &title).await
            }
        }
        Effect::Panel {
            tab_id,
            code,
            focus,
        } => {
            let msg = ToPage::ShowPanel {
                code: code.as_deref(),
                focus,
            };
            api::send_to_tab(tab_id, &msg.to_js()).await
        }
        Effect::Reload { tab_id } => api::reload(tab_id).await,
        // The snapshot is taken in order (after this call's SetEnabled); the report back
        // is its own queued event.
        Effect::ListExtensions { tab_id, covers } => {
            event(list_extensions(tab_id, Some(covers)).await?);
            Ok(())
        }
        Effect::SetEnabled { ids, enabled } => {
            for id in ids {
                if let Err(e) = api::set_enabled(&id, enabled).await {
                    warn(&format!("StreamFix: setEnabled {id}: {e}"));
                }
            }
            Ok(())
        }
        // Not awaited by the queue: the measurement reports back as its own event.
        Effect::MeasureConnection {
            tab_id,
            run,
            probes,
            download,
        } => {
            spawn_local(async move {
                let measurement = measure::measure(&probes, &download).await;
                event(Msg::ConnectionMeasured {
                    tab_id,
                    run,
                    measurement,
                });
            });
            Ok(())
        }
        Effect::ClearSiteData {
            tab_id,
            origins,
            hostnames,
            types,
            skipped,
            cookie_domains,
            this_store_only,
        } => {
            // Firefox: the tab's container (or the private windows) only, never the others.
            let store = if this_store_only {
                match api::tab(tab_id).await.ok().and_then(|t| t.cookie_store_id) {
                    Some(store) => Some(store),
                    None => {
                        event(Msg::SiteDataCleared {
                            tab_id,
                            removed: Vec::new(),
                            failed: types,
                            skipped,
                        });
                        return Ok(());
                    }
                }
            } else {
                None
            };
            // Not awaited by the queue: the report back is itself a queued event.
            spawn_local(async move {
                let filter = api::DataFilter {
                    origins: &origins,
                    hostnames: if origins.is_empty() { &hostnames } else { &[] },
                    cookie_store_id: store.as_deref(),
                };
                let (removed, failed) =
                    clear_site_data(&filter, &types, &cookie_domains, store.as_deref()).await;
                event(Msg::SiteDataCleared {
                    tab_id,
                    removed,
                    failed,
                    skipped,
                });
            });
            Ok(())
        }
    }
}

async fn list_extensions(tab_id: Option<i64>, covers: Option<f64>) -> Result<Msg, api::Error> {
    let list: Vec<ExtensionInfo> = api::all_extensions().await?;
    // The proxy settings are unreadable without the `proxy` permission: the core infers
    // the controller from the extensions' own permissions.
    Ok(Msg::Extensions {
        tab_id,
        list,
        proxy: None,
        can_toggle: api::can_toggle_extensions(),
        covers,
    })
}

/// Clears only what the core listed, within `filter`; what went and what the browser
/// refused.
async fn clear_site_data(
    filter: &api::DataFilter<'_>,
    types: &[String],
    cookie_domains: &[String],
    store: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    // An empty filter would mean every site: never call the remover without one.
    if filter.origins.is_empty() && filter.hostnames.is_empty() {
        return (Vec::new(), types.to_vec());
    }
    if api::remove_data(filter, types).await.is_ok() {
        return (types.to_vec(), Vec::new());
    }
    // One refused type must not stop the others: try them one by one.
    let (mut removed, mut failed) = (Vec::new(), Vec::new());
    for t in types {
        let ok = api::remove_data(filter, std::slice::from_ref(t))
            .await
            .is_ok()
            || (t == "cookies" && remove_cookies(cookie_domains, store).await.is_ok());
        if ok {
            removed.push(t.clone());
        } else {
            failed.push(t.clone());
        }
    }
    (removed, failed)
}

/// The fallback for cookies: each cookie of the service's domains (in `store` only, when
/// given), one by one.
async fn remove_cookies(domains: &[String], store: Option<&str>) -> Result<(), api::Error> {
    for domain in domains {
        for c in api::cookies_of(domain, store).await? {
            let scheme = if c.secure { "https" } else { "http" };
            let host = c.domain.strip_prefix('.').unwrap_or(&c.domain);
            let url = format!("{scheme}://{host}{}", c.path);
            api::remove_cookie(&url, &c).await?;
        }
    }
    Ok(())
}

/// Resolves once the tab has finished loading (or after 10 s, whichever comes first).
async fn loaded(tab_id: i64) {
    for _ in 0..100 {
        match api::tab(tab_id).await {
            Ok(t) if t.status.as_deref() == Some("complete") => return,
            Ok(_) => TimeoutFuture::new(100).await,
            Err(_) => return,
        }
    }
}

/// `webRequest` details, as much of them as the core is told.
fn web_request(d: &JsValue) -> Option<WebRequest> {
    Some(WebRequest {
        tab_id: field(d, "tabId").as_f64()? as i64,
        url: field(d, "url").as_string()?,
        kind: field(d, "type").as_string().unwrap_or_default(),
        status_code: field(d, "statusCode").as_f64().map(|s| s as u16),
        request_id: field(d, "requestId").as_string(),
        time_stamp: field(d, "timeStamp").as_f64().unwrap_or(0.0),
        error: field(d, "error").as_string(),
    })
}

/// The browser events `background.js` forwards, by the name it gives them.
#[derive(Clone, Copy)]
enum BrowserEvent {
    /// `webRequest.onBeforeRequest`, `onCompleted`, `onErrorOccurred` on watched hosts.
    Request(RequestEvent),
    /// `tabs.onRemoved` (details: the tab id).
    TabRemoved,
    /// `commands.onCommand` (details: `{name, tab}`).
    Command,
    /// `management.on{Enabled,Disabled,Installed,Uninstalled}`.
    ExtensionsChanged,
}

impl BrowserEvent {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "before-request" => BrowserEvent::Request(RequestEvent::Started),
            "completed" => BrowserEvent::Request(RequestEvent::Completed),
            "error-occurred" => BrowserEvent::Request(RequestEvent::Failed),
            "tab-removed" => BrowserEvent::TabRemoved,
            "command" => BrowserEvent::Command,
            "extensions-changed" => BrowserEvent::ExtensionsChanged,
            _ => return None,
        })
    }
}

/// A browser event `background.js` forwarded; events that don't concern the core are
/// dropped here, so they never wake it.
pub async fn on_event(name: JsValue, details: JsValue) {
    let Some(kind) = name.as_string().as_deref().and_then(BrowserEvent::named) else {
        return;
    };
    match kind {
        BrowserEvent::Request(event) => {
            if let Some(msg) = web_request(&details).and_then(|d| d.into_msg(event)) {
                self::event(msg);
            }
        }
        BrowserEvent::TabRemoved => {
            if let Some(tab_id) = details.as_f64() {
                event(Msg::TabClosed {
                    tab_id: tab_id as i64,
                });
            }
        }
        BrowserEvent::Command => {
            let Some(name) = field(&details, "name").as_string() else {
                return;
            };
            let tab_id = match field(&field(&details, "tab"), "id").as_f64() {
                Some(id) => Some(id as i64),
                None => api::active_tab().await,
            };
            event(Msg::Command { name, tab_id });
        }
        BrowserEvent::ExtensionsChanged => list_soon(),
    }
}

/// The user turned an extension on or off, installed or removed one: the listings the
/// tabs show (and act on) are out of date. `covers: None`: a listing read at any moment,
/// which may come before a change StreamFix is making, so it never takes an entry off
/// the ledger.
fn list_soon() {
    let timer = Timeout::new(LISTING_DEBOUNCE_MS, || {
        spawn_local(async {
            if let Ok(msg) = list_extensions(None, Some(0.0)).await {
                event(msg);
            }
        });
    });
    LISTING_SOON.with(|t| *t.borrow_mut() = Some(timer));
}
