//! The one dispatcher. Every message and browser event goes through [`dispatch`]: it
//! validates the sender, updates the stored state it was given and says what to reply and
//! which effects the JS must carry out. Pure: no I/O, no clock, no globals.

use super::util::Map;

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::conflicts::Ledger;
use super::detector;
use super::json::{self, FromJson, ToJson, Value};
use super::messages::{self, Effect, Msg, Refusal, Reply, Sender};
use super::sitedata::Browser;
use super::state::{
    tab_key, BisectRun, Settings, TabState, Worked, BISECT_KEY, LEDGER_ASIDE_KEY, LEDGER_KEY,
    SETTINGS_KEY, WORKED_KEY,
};
use super::view;

/// How many failing API calls within [`BURST_WINDOW_MS`] make an error.
pub const BURST_COUNT: usize = 3;
pub const BURST_WINDOW_MS: f64 = 10_000.0;
/// The manifest's command (keyboard shortcut) that puts the panel on the page and moves
/// the focus into it.
pub const SHOW_PANEL_COMMAND: &str = "show-panel";

/// One stored value, kept as its JSON text (as it came in, or as this call wrote it):
/// decoded only by the type that reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored(String);

impl Stored {
    /// A value from JSON text the caller vouches for (it came out of a parser, or out
    /// of `serde_json`).
    pub fn from_json_text(json: String) -> Self {
        Stored(json)
    }

    /// The value encoded as JSON.
    pub fn of<T: ToJson + Serialize>(value: &T) -> Option<Self> {
        let json = json::to_string(value);
        #[cfg(test)]
        assert_eq!(Some(&json), serde_json::to_string(value).ok().as_ref());
        Some(Stored(json))
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// Decodes it into what reads it; None when this version can't read it.
    fn read<T: FromJson>(&self) -> Option<T> {
        json::from_str(&self.0).ok()
    }
}

/// A stored value goes out as the JSON text it is.
impl ToJson for Stored {
    fn write_json(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// Facts about the running extension, supplied by the service worker.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// `runtime.id`.
    pub self_id: String,
    /// `runtime.getURL("")`, e.g. `chrome-extension://<id>/`.
    pub self_origin: String,
    /// UI language (`i18n.getUILanguage()`).
    #[serde(default)]
    pub lang: String,
    /// Which browser API family is underneath.
    #[serde(default)]
    pub browser: Browser,
    /// This service worker's instance: a random id drawn at every worker start. Work
    /// handed to an instance that is gone is recovered by the next one (`recover`).
    #[serde(default)]
    pub instance: String,
    /// The optional permissions the browser has not granted (`permissions.getAll`).
    #[serde(default)]
    pub missing: Vec<crate::core::messages::Permission>,
}

/// Everything a call needs besides the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub sender: Sender,
    pub env: Env,
    /// `storage.session` contents.
    pub session: Map<Stored>,
    /// `storage.local` contents.
    pub local: Map<Stored>,
    /// Milliseconds since the epoch.
    pub now: f64,
}

crate::json_struct!(Env, deny, {
    self_id: "self_id" req,
    self_origin: "self_origin" req,
    lang: "lang" def,
    browser: "browser" def,
    instance: "instance" def,
    missing: "missing" def,
});

/// Stored values as they came in: their JSON text, held to the nesting limit.
fn stored_map(v: Option<&Value>) -> Result<Map<Stored>, json::Error> {
    let mut map = Map::new();
    match v {
        None => {}
        Some(Value::Obj(members)) => {
            for m in members {
                if too_deep(m.raw) {
                    return Err(json::Error("recursion limit exceeded".into()));
                }
                map.insert(m.key.to_string(), Stored(m.raw.to_string()));
            }
        }
        Some(_) => return Err(json::Error("invalid type, expected an object".into())),
    }
    Ok(map)
}

impl FromJson for Context {
    fn from_json(v: &Value) -> Result<Self, json::Error> {
        let f = json::fields(v, &["sender", "env", "session", "local", "now"], "", true)?;
        Ok(Context {
            sender: json::req(f[0], "sender")?,
            env: json::req(f[1], "env")?,
            session: stored_map(f[2])?,
            local: stored_map(f[3])?,
            now: json::req(f[4], "now")?,
        })
    }
}

impl Context {
    /// Decodes the call context the service worker sends. Stored values are kept as
    /// text, each held to the nesting limit on its own.
    pub fn from_json_text(json: &str) -> Result<Self, json::Error> {
        // The context's own two levels (the context, `session`/`local`) come on top.
        Context::from_json(&json::parse_nested(json, json::MAX_DEPTH + 2)?)
    }
}

/// What to reply, what to store, and what to do.
#[derive(Debug, Clone)]
pub struct Output {
    pub reply: Reply,
    pub session_set: Map<Stored>,
    pub session_remove: Vec<String>,
    pub local_set: Map<Stored>,
    pub effects: Vec<Effect>,
}

impl Output {
    fn reply(reply: Reply) -> Self {
        Output {
            reply,
            session_set: Map::new(),
            session_remove: Vec::new(),
            local_set: Map::new(),
            effects: Vec::new(),
        }
    }

    /// The tabs whose view this call changed (their stored state, or, through the ledger
    /// every watched tab shows, any of `stored_tabs`): surfaces that get no `storage`
    /// events (Firefox's panel frame) are told to reload their view.
    pub fn tabs_to_tell<'a>(&self, stored_tabs: impl Iterator<Item = &'a String>) -> Vec<i64> {
        let own = self.session_set.keys().chain(&self.session_remove);
        let others = stored_tabs.filter(|_| !self.local_set.is_empty());
        let mut tabs: Vec<i64> = own
            .filter_map(|k| super::state::tab_id_of(k))
            .chain(others.filter_map(|k| super::state::tab_id_of(k)))
            .collect();
        super::util::sort_by(&mut tabs, |a, b| a < b);
        tabs.dedup();
        tabs
    }

    fn error(msg: impl std::fmt::Display) -> Self {
        Self::reply(Reply::Error {
            error: msg.to_string(),
        })
    }
}

/// Where a runtime message came from.
enum Origin {
    /// A content script in a tab (its frame's URL, and the browser's id of its document
    /// where it gives one).
    Page {
        tab_id: i64,
        url: String,
        document: Option<String>,
    },
    /// One of our extension pages; `tab_id` when it lives inside a tab (the panel, or a
    /// page opened as a tab); `panel`: the inline panel, inside a web page.
    Extension { tab_id: Option<i64>, panel: bool },
    /// The service worker's own listeners.
    Internal,
}

/// The inline panel's page, the one surface that lives inside a web page.
const PANEL_PAGE: &str = "panel.html";

fn origin(sender: &Sender, env: &Env) -> Result<Origin, Refusal> {
    let Sender::Runtime {
        id,
        url,
        tab_id,
        document_id,
        ..
    } = sender
    else {
        return Ok(Origin::Internal);
    };
    if id.as_deref() != Some(env.self_id.as_str()) || env.self_id.is_empty() {
        return Err(Refusal::Forbidden("sender is not StreamFix"));
    }
    let url = url.as_deref().unwrap_or_default();
    if !env.self_origin.is_empty() && url.starts_with(&env.self_origin) {
        let page = super::util::cut(url, env.self_origin.len()..)
            .split(['?', '#'])
            .next();
        return Ok(Origin::Extension {
            tab_id: *tab_id,
            panel: page == Some(PANEL_PAGE),
        });
    }
    match tab_id {
        Some(tab_id) if detector::host_of(url).is_some() => Ok(Origin::Page {
            tab_id: *tab_id,
            url: url.to_string(),
            document: document_id.clone(),
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
    /// The tab's state as this call left it so far, else as stored.
    fn tab(&self, tab_id: i64) -> TabState {
        let key = tab_key(tab_id);
        self.out
            .session_set
            .get(&key)
            .or_else(|| self.ctx.session.get(&key))
            .and_then(Stored::read)
            .unwrap_or_default()
    }

    fn put_tab(&mut self, tab_id: i64, tab: &TabState) {
        if let Some(v) = Stored::of(tab) {
            self.out.session_set.insert(tab_key(tab_id), v);
        }
    }

    fn stored_local(&self, key: &str) -> Option<&Stored> {
        self.out
            .local_set
            .get(key)
            .or_else(|| self.ctx.local.get(key))
    }

    /// What StreamFix turned off: the ledger (empty if this version can't read it), and
    /// the extension ids an unreadable one names that the ledger doesn't, for
    /// `restore-extensions` to put back too.
    fn ledger(&self) -> (Ledger, Vec<String>) {
        let main = self.stored_local(LEDGER_KEY);
        let decoded = main.and_then(Stored::read::<Ledger>);
        let unreadable = match (main, &decoded) {
            (Some(raw), None) => Some(raw.get()),
            _ => None,
        };
        let aside = self.stored_local(LEDGER_ASIDE_KEY).map(Stored::get);
        let ledger = decoded.unwrap_or_default();
        let mut salvaged: Vec<String> = Vec::new();
        for id in aside
            .into_iter()
            .chain(unreadable)
            .flat_map(Ledger::salvage)
        {
            if !salvaged.contains(&id) && !ledger.off.iter().any(|e| e.id == id) {
                salvaged.push(id);
            }
        }
        (ledger, salvaged)
    }

    /// Writes the ledger; one this version couldn't read is first kept aside.
    fn put_ledger(&mut self, ledger: &Ledger) {
        let unreadable = self
            .stored_local(LEDGER_KEY)
            .filter(|raw| raw.read::<Ledger>().is_none())
            .cloned();
        let aside_free = self
            .stored_local(LEDGER_ASIDE_KEY)
            .is_none_or(|a| a.get() == "null");
        if let (Some(raw), true) = (unreadable, aside_free) {
            self.out.local_set.insert(LEDGER_ASIDE_KEY.to_string(), raw);
        }
        self.put_local(LEDGER_KEY, ledger);
    }

    /// Refused with `needs-permission` while the browser hasn't granted `p`.
    fn needs(&self, p: messages::Permission) -> Result<(), String> {
        if self.ctx.env.missing.contains(&p) {
            return Err(messages::refusal::with(
                messages::refusal::NEEDS_PERMISSION,
                &p.name(),
            ));
        }
        Ok(())
    }

    fn settings(&self) -> Settings {
        self.out
            .local_set
            .get(SETTINGS_KEY)
            .or_else(|| self.ctx.local.get(SETTINGS_KEY))
            .and_then(Stored::read)
            .unwrap_or_default()
    }

    /// A `storage.local` value as this call left it so far, else as stored.
    fn local<T: FromJson + Default>(&self, key: &str) -> T {
        self.out
            .local_set
            .get(key)
            .or_else(|| self.ctx.local.get(key))
            .and_then(Stored::read)
            .unwrap_or_default()
    }

    fn put_local<T: ToJson + Serialize>(&mut self, key: &str, value: &T) {
        if let Some(v) = Stored::of(value) {
            self.out.local_set.insert(key.to_string(), v);
        }
    }

    /// `step` fixed the error `key` (`Settings::mute_key`): its plan starts with it
    /// next time.
    fn fixed(&mut self, key: String, step: String) {
        let mut worked: Worked = self.local(WORKED_KEY);
        worked.record(key, step);
        self.put_local(WORKED_KEY, &worked);
    }

    fn put_settings(&mut self, settings: &Settings) {
        if let Some(v) = Stored::of(settings) {
            self.out.local_set.insert(SETTINGS_KEY.to_string(), v);
        }
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
    let out = match Context::from_json_text(ctx_json) {
        Ok(ctx) => dispatch(Catalog::shared(), msg_json, &ctx),
        Err(e) => Output::error(format!("bad call context: {e}")),
    };
    out.to_json()
}

impl Output {
    /// The output as the service worker reads it: `reply`, `session_set` (stored values
    /// as their JSON text), `session_remove`, `local_set`, `effects`.
    pub fn to_json(&self) -> String {
        #[cfg(test)]
        {
            // The hand-written encoders write exactly what serde's would.
            let serde = (
                serde_json::to_string(&self.reply).ok(),
                serde_json::to_string(&self.effects).ok(),
            );
            let ours = (
                Some(json::to_string(&self.reply)),
                Some(json::to_string(&self.effects)),
            );
            assert_eq!(ours, serde);
        }
        let mut out = String::with_capacity(1024);
        json::write_obj(
            &mut out,
            None,
            &[
                ("reply", &self.reply),
                ("session_set", &self.session_set),
                ("session_remove", &self.session_remove),
                ("local_set", &self.local_set),
                ("effects", &self.effects),
            ],
        );
        out
    }
}

/// Deepest nesting of arrays and objects a stored value may have (serde_json's own
/// limit for the values it decodes).
const MAX_DEPTH: usize = 128;

/// True when JSON text nests arrays and objects deeper than [`MAX_DEPTH`].
fn too_deep(json: &str) -> bool {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for b in json.bytes() {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
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
    if let Some(tab_id) = recover::tab_to_recover(&msg, &from) {
        recover::recover(&mut store, tab_id);
    }
    let reply =
        route(catalog, &mut store, msg, from).unwrap_or_else(|error| Reply::Error { error });
    store.out.reply = reply;
    store.out
}

const WRONG_SENDER: &str = "message refused: this message may not come from this sender";

fn route(catalog: &Catalog, store: &mut Store, msg: Msg, from: Origin) -> Result<Reply, String> {
    let tab_of = |asked: Option<i64>, own: Option<i64>| asked.or(own).ok_or("no tab given");
    Ok(match (msg, from) {
        (
            Msg::Hello { url, doc },
            Origin::Page {
                tab_id,
                url: frame,
                document,
            },
        ) => {
            let doc = tab::stamp(doc, document, store.ctx.now);
            tab::hello(catalog, store, tab_id, &url, &frame, doc)
        }
        (
            Msg::PageReport {
                url,
                blocks,
                status,
                settled,
                doc,
            },
            Origin::Page {
                tab_id,
                url: frame,
                document,
            },
        ) => {
            if !same_host(&url, &frame) {
                return Err("message refused: reported page is not the sender's".into());
            }
            // What the screen names comes first; a screen that only says it failed, after
            // the status the document came with.
            let page = detector::detect_page(catalog, &url, &blocks);
            let http = || status.and_then(|s| detector::detect_http(catalog, &url, s));
            let found = match page {
                Some(d) if tab::unnamed_screen(catalog, &d) => http().or(Some(d)),
                page => page.or_else(http),
            };
            // Nothing readable yet (no title, no container: a document still being
            // parsed, or one being torn down) says nothing about an error shown before.
            let news = found.is_some() || settled || !blocks.is_empty();
            let doc = tab::stamp(doc, document, store.ctx.now);
            tab::page_report(catalog, store, tab_id, &url, doc, found, settled, news)
        }
        (Msg::RetryDue { tab_id: None }, Origin::Page { tab_id, .. }) => {
            tab::retry_due(catalog, store, tab_id)
        }
        (Msg::RetryDue { tab_id }, Origin::Extension { tab_id: own, .. }) => {
            tab::retry_due(catalog, store, tab_of(tab_id, own)?)
        }
        // The content script forwards a trusted Escape key press: its own tab only.
        (Msg::Dismiss { tab_id: None }, Origin::Page { tab_id, .. }) => {
            actions::dismiss(store, tab_id)
        }
        (Msg::Dismiss { tab_id }, Origin::Extension { tab_id: own, .. }) => {
            actions::dismiss(store, tab_of(tab_id, own)?)
        }
        (Msg::CoreInfo {}, Origin::Extension { .. }) => Reply::Info {
            version: env!("CARGO_PKG_VERSION").to_string(),
            services: catalog.service.len(),
            errors: catalog.error.len(),
        },
        (Msg::GetView { tab_id, lang, url }, Origin::Extension { tab_id: own, .. }) => {
            let t = tab_of(tab_id, own)?;
            let tab = store.tab(t);
            // The tab has left the site its stored state is about.
            let stale = url.is_some_and(|u| !same_host(&u, &tab.url));
            view_reply(catalog, store, t, (!stale).then_some(&tab), &lang)
        }
        (
            Msg::MarkStep {
                tab_id,
                step,
                state,
            },
            Origin::Extension { tab_id: own, .. },
        ) => {
            let t = tab_of(tab_id, own)?;
            if catalog.step(&step).is_none() {
                return Err(format!("unknown step `{step}`"));
            }
            let mut tab = store.tab(t);
            if let (crate::core::plan::StepState::Helped, Some(d)) = (state, &tab.detection) {
                store.fixed(d.key(), step.clone());
            }
            tab.steps.insert(step, state);
            store.put_tab(t, &tab);
            view_reply(catalog, store, t, Some(&tab), &store.ctx.env.lang)
        }
        (
            Msg::Run {
                tab_id,
                action,
                ext_id,
                seen,
                code,
            },
            Origin::Extension { tab_id: own, panel },
        ) => {
            // The panel stands in a page that can cover, fade or move it under the user's
            // click: a change outside the page needs the browser's word that it was seen.
            if panel && action.reaches_outside_page() && !seen {
                return Err(super::messages::refusal::USE_TOOLBAR.into());
            }
            actions::run(catalog, store, tab_of(tab_id, own)?, action, ext_id, code)?
        }
        (
            Msg::GetReport {
                tab_id,
                lang,
                browser,
                os,
                now_iso,
            },
            Origin::Extension { tab_id: own, .. },
        ) => {
            let tab = store.tab(tab_of(tab_id, own)?);
            let env = report::Env {
                lang: &lang,
                browser: &browser,
                os: &os,
                now_iso: &now_iso,
            };
            Reply::Report {
                text: report::render_tab(catalog, store, &tab, &env),
            }
        }
        (
            Msg::Extensions {
                tab_id,
                list,
                proxy,
                can_toggle,
                covers,
            },
            Origin::Internal,
        ) => extensions::listed(
            catalog,
            store,
            tab_id,
            &list,
            proxy.as_ref(),
            can_toggle,
            covers,
        ),
        (
            Msg::ConnectionMeasured {
                tab_id,
                run,
                measurement,
            },
            Origin::Internal,
        ) => {
            let mut tab = store.tab(tab_id);
            // Only the tab's current check: not one the tab has moved on from (another
            // service, a newer check), nor one for a tab closed meanwhile.
            if tab.measuring != Some(run) {
                return Ok(Reply::Ok);
            }
            tab.measuring = None;
            tab.connection = Some(crate::core::connection::judge(&measurement));
            tab.steps.insert(
                "connection-check".to_string(),
                crate::core::plan::StepState::Done,
            );
            store.put_tab(tab_id, &tab);
            Reply::Ok
        }
        (Msg::GetSettings {}, Origin::Extension { .. }) => settings_reply(catalog, store),
        (Msg::SetSettings { settings }, Origin::Extension { .. }) => {
            store.put_settings(&settings);
            settings_reply(catalog, store)
        }
        (Msg::ChangeSetting { change }, Origin::Extension { .. }) => {
            let mut settings = store.settings();
            settings.apply(&change);
            store.put_settings(&settings);
            settings_reply(catalog, store)
        }
        (Msg::ForgetFixes {}, Origin::Extension { .. }) => {
            store.put_local(WORKED_KEY, &Worked::default());
            settings_reply(catalog, store)
        }
        (
            Msg::Navigating {
                tab_id,
                url,
                started_at,
                request_id,
            },
            Origin::Internal,
        ) => tab::navigating(catalog, store, tab_id, url, started_at, request_id),
        (
            Msg::HttpResponse {
                tab_id,
                url,
                status,
                main_frame,
                request_id,
            },
            Origin::Internal,
        ) => tab::http_response(
            catalog,
            store,
            tab_id,
            &url,
            status,
            main_frame,
            request_id.as_deref(),
        ),
        (
            Msg::NetError {
                tab_id,
                url,
                error,
                main_frame,
                request_id,
            },
            Origin::Internal,
        ) => tab::net_error(
            catalog,
            store,
            tab_id,
            url,
            &error,
            main_frame,
            request_id.as_deref(),
        ),
        (Msg::TabClosed { tab_id }, Origin::Internal) => {
            store.out.session_remove.push(tab_key(tab_id));
            extensions::tab_closed(store, tab_id);
            Reply::Ok
        }
        (
            Msg::SiteDataCleared {
                tab_id,
                removed,
                failed,
                skipped,
            },
            Origin::Internal,
        ) => actions::site_data_cleared(store, tab_id, removed, failed, skipped),
        // The keyboard shortcut for the panel; on a tab with no error it does nothing.
        (
            Msg::Command {
                name,
                tab_id: Some(tab_id),
            },
            Origin::Internal,
        ) if name == SHOW_PANEL_COMMAND => {
            let mut tab = store.tab(tab_id);
            if actions::request_panel(store, tab_id, &mut tab) {
                store.put_tab(tab_id, &tab);
            }
            Reply::Ok
        }
        (Msg::Command { .. }, Origin::Internal) => Reply::Ok,
        _ => return Err(WRONG_SENDER.into()),
    })
}

fn view_reply(
    catalog: &Catalog,
    store: &Store,
    tab_id: i64,
    tab: Option<&TabState>,
    lang: &str,
) -> Reply {
    let (ledger, salvaged) = store.ledger();
    let run: Option<BisectRun> = store.local(BISECT_KEY);
    let extras = view::Extras {
        // An unreadable ledger's extensions are named by their ids: all it still tells.
        restore: ledger
            .off
            .iter()
            .map(|e| e.name.clone())
            .chain(salvaged)
            .collect(),
        bisect: run
            .filter(|r| r.tab_id == tab_id)
            .map(|r| view::BisectView {
                check: r.search.checks().saturating_add(1),
                max_checks: r.search.max_checks(),
            }),
        can_toggle: store.ctx.env.browser == Browser::Chrome,
        missing: store.ctx.env.missing.clone(),
        worked: tab.and_then(|t| t.detection.as_ref()).and_then(|d| {
            let worked: Worked = store.local(WORKED_KEY);
            worked.step_for(&d.key()).map(str::to_string)
        }),
    };
    Reply::View {
        view: Box::new(view::tab_view(
            catalog,
            tab,
            lang,
            store.ctx.env.browser,
            extras,
        )),
    }
}

/// The settings with what the options page lists: the services it offers to turn on and
/// off (catalog order) and the muted codes with their service's name.
fn settings_reply(catalog: &Catalog, store: &Store) -> Reply {
    let settings = store.settings();
    let services = catalog
        .service
        .iter()
        .map(|s| messages::ServiceChoice {
            id: s.id.to_string(),
            name: s.name.to_string(),
            on: settings.watches(&s.id),
        })
        .collect();
    let muted = settings
        .muted_codes
        .iter()
        .map(|key| {
            let (service, code) = match key.split_once(':') {
                Some((id, code)) => (
                    Some(catalog.service(id).map_or(id, |s| &s.name).to_string()),
                    code,
                ),
                None => (None, key.as_str()),
            };
            messages::MutedCode {
                key: key.clone(),
                code: code.to_string(),
                service,
            }
        })
        .collect();
    Reply::Settings {
        options: messages::OptionsView {
            settings,
            services,
            muted,
            remembered: store.local::<Worked>(WORKED_KEY).fixes.len(),
        },
    }
}

fn same_host(a: &str, b: &str) -> bool {
    matches!((detector::host_of(a), detector::host_of(b)), (Some(x), Some(y)) if x == y)
}

mod actions;
mod extensions;
mod recover;
mod report;
mod tab;
#[cfg(test)]
mod tests;
