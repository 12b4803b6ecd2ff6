//! The one dispatcher. Every message and browser event goes through [`dispatch`]: it
//! validates the sender, updates the stored state it was given and says what to reply and
//! which effects the JS must carry out. Pure: no I/O, no clock, no globals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::Catalog;
use super::detector::{self, Detection, Evidence};
use super::messages::{self, Action, Effect, Msg, Refusal, Reply, Sender};
use super::state::{tab_key, ApiHit, Settings, TabState, SETTINGS_KEY};
use super::view;

/// How many failing API calls within [`BURST_WINDOW_MS`] make an error.
pub const BURST_COUNT: usize = 3;
pub const BURST_WINDOW_MS: f64 = 10_000.0;

/// Facts about the running extension, supplied by the service worker.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// `runtime.id`.
    pub self_id: String,
    /// `runtime.getURL("")`, e.g. `chrome-extension://<id>/`.
    pub self_origin: String,
    /// UI language (`i18n.getUILanguage()`).
    #[serde(default)]
    pub lang: String,
}

/// Everything a call needs besides the message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    pub sender: Sender,
    pub env: Env,
    /// `storage.session` contents.
    #[serde(default)]
    pub session: BTreeMap<String, Value>,
    /// `storage.local` contents.
    #[serde(default)]
    pub local: BTreeMap<String, Value>,
    /// Milliseconds since the epoch.
    pub now: f64,
}

/// What to reply, what to store, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    pub reply: Reply,
    pub session_set: BTreeMap<String, Value>,
    pub session_remove: Vec<String>,
    pub local_set: BTreeMap<String, Value>,
    pub effects: Vec<Effect>,
}

impl Output {
    fn reply(reply: Reply) -> Self {
        Output {
            reply,
            session_set: BTreeMap::new(),
            session_remove: Vec::new(),
            local_set: BTreeMap::new(),
            effects: Vec::new(),
        }
    }

    fn error(msg: impl std::fmt::Display) -> Self {
        Self::reply(Reply::Error {
            error: msg.to_string(),
        })
    }
}

/// Where a runtime message came from.
enum Origin {
    /// A content script in a tab (its frame's URL).
    Page { tab_id: i64, url: String },
    /// One of our extension pages; `tab_id` when it lives inside a tab (the panel).
    Extension { tab_id: Option<i64> },
    /// The service worker's own listeners.
    Internal,
}

fn origin(sender: &Sender, env: &Env) -> Result<Origin, Refusal> {
    let Sender::Runtime {
        id, url, tab_id, ..
    } = sender
    else {
        return Ok(Origin::Internal);
    };
    if id.as_deref() != Some(env.self_id.as_str()) || env.self_id.is_empty() {
        return Err(Refusal::Forbidden("sender is not StreamFix"));
    }
    let url = url.as_deref().unwrap_or_default();
    if !env.self_origin.is_empty() && url.starts_with(&env.self_origin) {
        return Ok(Origin::Extension { tab_id: *tab_id });
    }
    match tab_id {
        Some(tab_id) if detector::host_of(url).is_some() => Ok(Origin::Page {
            tab_id: *tab_id,
            url: url.to_string(),
        }),
        _ => Err(Refusal::Forbidden(
            "sender is neither a tab nor a StreamFix page",
        )),
    }
}

/// Stored per-tab and settings state, read leniently: a value this version can't read
/// (an older format) counts as empty rather than failing the call.
struct Store<'a> {
    ctx: &'a Context,
    out: Output,
}

impl<'a> Store<'a> {
    fn tab(&self, tab_id: i64) -> TabState {
        self.ctx
            .session
            .get(&tab_key(tab_id))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    fn put_tab(&mut self, tab_id: i64, tab: &TabState) {
        if let Ok(v) = serde_json::to_value(tab) {
            self.out.session_set.insert(tab_key(tab_id), v);
        }
    }

    fn settings(&self) -> Settings {
        self.ctx
            .local
            .get(SETTINGS_KEY)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// Decodes and handles one message.
pub fn dispatch(catalog: &Catalog, msg_json: &str, ctx: &Context) -> Output {
    match messages::decode(msg_json) {
        Ok(msg) => handle(catalog, msg, ctx),
        Err(refusal) => Output::error(refusal),
    }
}

/// The whole call as the service worker makes it: message and context as JSON text in,
/// [`Output`] as JSON text out. Never fails: every problem becomes an error reply.
pub fn dispatch_json(msg_json: &str, ctx_json: &str) -> String {
    let out = match (Catalog::shared(), serde_json::from_str::<Context>(ctx_json)) {
        (Ok(catalog), Ok(ctx)) => dispatch(catalog, msg_json, &ctx),
        (Err(e), _) => Output::error(e),
        (_, Err(e)) => Output::error(format!("bad call context: {e}")),
    };
    serde_json::to_string(&out).unwrap_or_else(|e| {
        format!(r#"{{"reply":{{"type":"Error","error":"output: {e}"}},"session_set":{{}},"session_remove":[],"local_set":{{}},"effects":[]}}"#)
    })
}

/// Handles one decoded message.
pub fn handle(catalog: &Catalog, msg: Msg, ctx: &Context) -> Output {
    let from = match origin(&ctx.sender, &ctx.env) {
        Ok(o) => o,
        Err(refusal) => return Output::error(refusal),
    };
    if msg.is_browser_event() != matches!(from, Origin::Internal) {
        return Output::error(Refusal::Forbidden(
            "this message may not come from this sender",
        ));
    }
    let mut store = Store {
        ctx,
        out: Output::reply(Reply::Ok),
    };
    let lang = ctx.env.lang.as_str();
    let reply = match (msg, from) {
        (Msg::Hello { url }, Origin::Page { tab_id, url: frame }) => {
            hello(catalog, &mut store, tab_id, &url, &frame)
        }
        (Msg::PageReport { url, blocks }, Origin::Page { tab_id, url: frame }) => {
            if !same_host(&url, &frame) {
                Reply::Error {
                    error: "message refused: reported page is not the sender's".into(),
                }
            } else {
                let found = detector::detect_page(catalog, &url, &blocks);
                page_report(catalog, &mut store, tab_id, &url, found, lang)
            }
        }
        (Msg::CoreInfo {}, Origin::Extension { .. }) => Reply::Info {
            version: env!("CARGO_PKG_VERSION").to_string(),
            services: catalog.service.len(),
            errors: catalog.error.len(),
        },
        (
            Msg::GetView {
                tab_id,
                lang: ui,
                url,
            },
            Origin::Extension { tab_id: own },
        ) => {
            match tab_id.or(own) {
                Some(t) => {
                    let tab = store.tab(t);
                    // The tab has left the site its stored state is about.
                    let stale = url.is_some_and(|u| !same_host(&u, &tab.url));
                    let tab = (!stale).then_some(&tab);
                    Reply::View {
                        view: Box::new(view::tab_view(catalog, tab, &ui)),
                    }
                }
                None => Reply::Error {
                    error: "no tab given".into(),
                },
            }
        }
        (
            Msg::MarkStep {
                tab_id,
                step,
                state,
            },
            Origin::Extension { tab_id: own },
        ) => match tab_id.or(own) {
            Some(t) if catalog.step(&step).is_some() => {
                let mut tab = store.tab(t);
                tab.steps.insert(step, state);
                store.put_tab(t, &tab);
                Reply::View {
                    view: Box::new(view::tab_view(catalog, Some(&tab), lang)),
                }
            }
            _ => Reply::Error {
                error: "unknown tab or step".into(),
            },
        },
        (Msg::Dismiss { tab_id }, Origin::Extension { tab_id: own }) => match tab_id.or(own) {
            Some(t) => dismiss(&mut store, t),
            None => Reply::Error {
                error: "no tab given".into(),
            },
        },
        (Msg::Run { tab_id, action }, Origin::Extension { tab_id: own }) => {
            match (tab_id.or(own), action) {
                (Some(t), Action::RetryNow) => {
                    store.out.effects.push(Effect::Reload { tab_id: t });
                    Reply::Ok
                }
                (None, _) => Reply::Error {
                    error: "no tab given".into(),
                },
            }
        }
        // The content script forwards a trusted Escape key press: its own tab only.
        (Msg::Dismiss { tab_id: None }, Origin::Page { tab_id, .. }) => dismiss(&mut store, tab_id),
        (Msg::Navigating { tab_id, url }, _) => {
            let mut tab = store.tab(tab_id);
            tab.url = url;
            tab.detection = None;
            tab.api_hits.clear();
            store.put_tab(tab_id, &tab);
            store.out.effects.push(badge(catalog, tab_id, None, lang));
            Reply::Ok
        }
        (
            Msg::HttpResponse {
                tab_id,
                url,
                status,
                main_frame,
            },
            _,
        ) => http_response(catalog, &mut store, tab_id, &url, status, main_frame, lang),
        (
            Msg::NetError {
                tab_id,
                url,
                error,
                main_frame,
            },
            _,
        ) => {
            if main_frame {
                if let Some(found) = detector::detect_net(catalog, &url, &error) {
                    let mut tab = store.tab(tab_id);
                    tab.url = url;
                    set_detection(catalog, &mut store, tab_id, &mut tab, Some(found), lang);
                }
            }
            Reply::Ok
        }
        (Msg::TabClosed { tab_id }, _) => {
            store.out.session_remove.push(tab_key(tab_id));
            Reply::Ok
        }
        _ => Reply::Error {
            error: "message refused: this message may not come from this sender".into(),
        },
    };
    store.out.reply = reply;
    store.out
}

fn dismiss(store: &mut Store, t: i64) -> Reply {
    let mut tab = store.tab(t);
    if let Some(d) = &tab.detection {
        if !tab.dismissed.contains(&d.code) {
            tab.dismissed.push(d.code.clone());
        }
    }
    store.put_tab(t, &tab);
    store.out.effects.push(Effect::Panel {
        tab_id: t,
        code: None,
    });
    Reply::Ok
}

fn same_host(a: &str, b: &str) -> bool {
    matches!((detector::host_of(a), detector::host_of(b)), (Some(x), Some(y)) if x == y)
}

fn hello(catalog: &Catalog, store: &mut Store, tab_id: i64, url: &str, frame: &str) -> Reply {
    let service = same_host(url, frame)
        .then(|| detector::watched_service(catalog, url))
        .flatten();
    let mut tab = store.tab(tab_id);
    tab.url = url.to_string();
    tab.service = service.map(|s| s.id.clone());
    tab.watched = service.is_some();
    store.put_tab(tab_id, &tab);
    Reply::Watch {
        watching: service.is_some(),
        selectors: service
            .map(|s| s.error_selectors.clone())
            .unwrap_or_default(),
        max_block_chars: detector::MAX_BLOCK_CHARS,
    }
}

fn page_report(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: &str,
    found: Option<Detection>,
    lang: &str,
) -> Reply {
    let mut tab = store.tab(tab_id);
    tab.url = url.to_string();
    let service = detector::watched_service(catalog, url);
    tab.service = service.map(|s| s.id.clone());
    tab.watched = service.is_some();
    // A network-level detection (HTTP status, failed load) stands until the next
    // navigation: the error page the server sent often shows no code at all.
    let keep_network = matches!(
        tab.detection.as_ref().map(|d| &d.evidence),
        Some(Evidence::Http { .. } | Evidence::Net { .. })
    );
    if found.is_some() || !keep_network {
        set_detection(catalog, store, tab_id, &mut tab, found, lang);
    } else {
        store.put_tab(tab_id, &tab);
    }
    // The browser resets a tab's badge when a navigation commits, which can come after
    // the response that set it: every page report sets it again.
    if !store
        .out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { .. }))
    {
        store
            .out
            .effects
            .push(badge(catalog, tab_id, tab.detection.as_ref(), lang));
    }
    Reply::Verdict {
        panel: panel_code(&tab, &store.settings()),
    }
}

/// The code to show the panel for, unless the user closed or muted it.
fn panel_code(tab: &TabState, settings: &Settings) -> Option<String> {
    let d = tab.detection.as_ref()?;
    let muted = !settings.auto_panel
        || settings.muted_codes.contains(&d.code)
        || tab.dismissed.contains(&d.code);
    (!muted).then(|| d.code.clone())
}

fn http_response(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: &str,
    status: u16,
    main_frame: bool,
    lang: &str,
) -> Reply {
    let now = store.ctx.now;
    let mut tab = store.tab(tab_id);
    let found = detector::detect_http(catalog, url, status);
    if main_frame {
        tab.url = url.to_string();
        if found.is_some()
            || matches!(
                tab.detection.as_ref().map(|d| &d.evidence),
                Some(Evidence::Http { .. })
            )
        {
            set_detection(catalog, store, tab_id, &mut tab, found, lang);
        } else {
            store.put_tab(tab_id, &tab);
        }
        return Reply::Ok;
    }
    tab.api_hits.retain(|h| now - h.at <= BURST_WINDOW_MS);
    if found.is_some() {
        tab.api_hits.push(ApiHit { at: now, status });
    }
    let burst = tab.api_hits.len() >= BURST_COUNT && tab.detection.is_none();
    if burst {
        set_detection(catalog, store, tab_id, &mut tab, found, lang);
        if let Some(code) = panel_code(&tab, &store.settings()) {
            store.out.effects.push(Effect::Panel {
                tab_id,
                code: Some(code),
            });
        }
    } else {
        store.put_tab(tab_id, &tab);
    }
    Reply::Ok
}

/// Records a new detection (or its absence) and updates the badge when it changed.
fn set_detection(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    found: Option<Detection>,
    lang: &str,
) {
    let changed = tab.detection.as_ref().map(|d| &d.code) != found.as_ref().map(|d| &d.code);
    if changed {
        tab.detected_at = store.ctx.now;
        tab.detection = found;
        store
            .out
            .effects
            .push(badge(catalog, tab_id, tab.detection.as_ref(), lang));
    }
    store.put_tab(tab_id, tab);
}

fn badge(catalog: &Catalog, tab_id: i64, d: Option<&Detection>, lang: &str) -> Effect {
    let after_load = matches!(d.map(|d| &d.evidence), Some(Evidence::Net { .. }));
    match d {
        Some(d) => {
            let meaning = catalog
                .entry(&d.entry)
                .map(|e| e.meaning.get(lang))
                .unwrap_or_default();
            Effect::Badge {
                tab_id,
                text: "!".into(),
                title: format!("StreamFix: {} \u{2014} {meaning}", d.code),
                after_load,
            }
        }
        None => Effect::Badge {
            tab_id,
            text: String::new(),
            title: String::new(),
            after_load,
        },
    }
}

#[cfg(test)]
mod tests;
