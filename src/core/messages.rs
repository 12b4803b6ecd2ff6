//! The one message type every StreamFix context speaks, the replies, and the effects the
//! service worker's JS carries out. Everything crosses the wasm boundary as JSON text and
//! is decoded here, strictly, with a size limit: a bad message gets an error reply.

use serde::{Deserialize, Serialize};

use super::conflicts::{ExtensionInfo, ProxySettings};
use super::connection::Measurement;
use super::detector::Block;
use super::plan::StepState;
use super::state::{SettingChange, Settings};
use super::view::View;

/// Largest message accepted, in bytes of JSON.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Most text blocks one page report may carry.
pub const MAX_BLOCKS: usize = 64;

/// Every message between the content script, the panel, the popup, the options page and
/// the service worker, plus the browser events the service worker forwards to the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Msg {
    // ---- content script -> service worker
    /// The content script started: it asks what to watch.
    Hello {
        url: String,
        /// The document speaking (see [`DocStamp`]).
        #[serde(default)]
        doc: Option<DocStamp>,
    },
    /// What the page shows now (error containers, title, suspicious text), and the HTTP
    /// status the document was served with (Navigation Timing), which also covers loads
    /// the worker's listeners missed (the browser was just starting).
    PageReport {
        url: String,
        blocks: Vec<Block>,
        #[serde(default)]
        status: Option<u16>,
        /// Sent a while after the page finished loading, changed or not: a page that is
        /// still healthy then counts as fixed (players insert their errors late).
        #[serde(default)]
        settled: bool,
        /// The document reporting (see [`DocStamp`]): another's report is ignored.
        #[serde(default)]
        doc: Option<DocStamp>,
    },

    // ---- panel / popup / options -> service worker
    /// Which core is running: version and catalog size.
    CoreInfo {},
    /// The diagnosis and plan for a tab, in a UI language. `tab_id` is taken from the
    /// sender when the asker lives in the tab (the panel).
    GetView {
        #[serde(default)]
        tab_id: Option<i64>,
        lang: String,
        /// The tab's URL as the popup sees it (empty when the browser hides it, i.e. the
        /// tab is on a site StreamFix has no access to). A stored diagnosis for another
        /// site is not shown.
        #[serde(default)]
        url: Option<String>,
    },
    /// The user marked a plan step.
    MarkStep {
        #[serde(default)]
        tab_id: Option<i64>,
        step: String,
        state: StepState,
    },
    /// The user pressed an action button (`data-action`).
    Run {
        #[serde(default)]
        tab_id: Option<i64>,
        action: Action,
        /// The extension a `disable-extension` button is for.
        #[serde(default)]
        ext_id: Option<String>,
        /// From the inline panel: the browser reported the panel fully visible and
        /// unobscured when the user clicked (IntersectionObserver v2). The page can't
        /// script the panel's frame, so it can't claim this; the popup needs no proof.
        #[serde(default)]
        seen: bool,
        /// What an `enter-code` button is for: the code the user typed or picked.
        #[serde(default)]
        code: Option<String>,
    },
    /// The plain-text support report for a tab. The caller adds what only it knows.
    GetReport {
        #[serde(default)]
        tab_id: Option<i64>,
        lang: String,
        browser: String,
        os: String,
        now_iso: String,
    },
    /// The countdown the core announced has run out (from the tab or an open surface).
    RetryDue {
        #[serde(default)]
        tab_id: Option<i64>,
    },
    /// The options page reads or changes the settings.
    GetSettings {},
    SetSettings {
        settings: Settings,
    },
    /// The options page: one change the user made (applied to the settings as stored).
    ChangeSetting {
        change: SettingChange,
    },
    /// The options page: forget which steps fixed which errors.
    ForgetFixes {},
    /// The user closed the panel.
    Dismiss {
        #[serde(default)]
        tab_id: Option<i64>,
    },

    // ---- browser events, forwarded by the service worker's own listeners only
    /// A response on a watched host (main frame or API call).
    HttpResponse {
        tab_id: i64,
        url: String,
        status: u16,
        main_frame: bool,
        /// The browser's `requestId`: its start placed it among the tab's documents.
        #[serde(default)]
        request_id: Option<String>,
    },
    /// A request on a watched host failed before any response.
    NetError {
        tab_id: i64,
        url: String,
        error: String,
        main_frame: bool,
        #[serde(default)]
        request_id: Option<String>,
    },
    /// A main-frame navigation to a watched host started (or was redirected).
    Navigating {
        tab_id: i64,
        url: String,
        /// When the request started (ms since epoch), as the browser stamped it.
        #[serde(default)]
        started_at: f64,
        #[serde(default)]
        request_id: Option<String>,
    },
    /// The tab was closed.
    TabClosed {
        tab_id: i64,
    },
    /// The service worker carried out a `ClearSiteData` effect: what it removed and what
    /// the browser refused.
    SiteDataCleared {
        tab_id: i64,
        removed: Vec<String>,
        failed: Vec<String>,
        skipped: Vec<String>,
    },
    /// `management.getAll()` (and the proxy settings where readable), after a
    /// `ListExtensions` effect.
    Extensions {
        #[serde(default)]
        tab_id: Option<i64>,
        list: Vec<ExtensionInfo>,
        #[serde(default)]
        proxy: Option<ProxySettings>,
        /// The browser can turn other extensions off (`management.setEnabled`).
        can_toggle: bool,
        /// The `covers` of the `ListExtensions` effect this answers: ledger entries noted
        /// later are not judged by this listing (absent: it judges them all).
        #[serde(default)]
        covers: Option<f64>,
    },
    /// The user pressed one of the manifest's keyboard commands (`commands.onCommand`;
    /// `_execute_action` is the browser's own and never comes here).
    Command {
        name: String,
        /// The tab that was active when the keys were pressed.
        #[serde(default)]
        tab_id: Option<i64>,
    },
    /// What a `MeasureConnection` effect measured.
    ConnectionMeasured {
        tab_id: i64,
        /// The `run` of the `MeasureConnection` effect this answers.
        run: f64,
        measurement: Measurement,
    },
}

impl Msg {
    /// True for the variants only the service worker's own listeners may send.
    pub fn is_browser_event(&self) -> bool {
        matches!(
            self,
            Msg::HttpResponse { .. }
                | Msg::NetError { .. }
                | Msg::Navigating { .. }
                | Msg::TabClosed { .. }
                | Msg::SiteDataCleared { .. }
                | Msg::Extensions { .. }
                | Msg::ConnectionMeasured { .. }
                | Msg::Command { .. }
        )
    }
}

/// Which document of a tab a content script speaks for: an id (the browser's
/// `sender.documentId` where it gives one, else a random one the content script drew), and
/// when it said Hello (`Date.now()` on the page: the clock the browser's request events
/// are stamped with, so a request's start can be placed before or after it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocStamp {
    pub id: String,
    pub at: f64,
}

/// An optional permission: the store builds ask for it from the user's click the first
/// time it is needed (`grant-permission`), never at install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// To list other extensions and turn them off and on.
    #[serde(rename = "management")]
    Management,
    /// To clear a site's data (optional in Firefox only: it warns at install there).
    #[serde(rename = "browsingData")]
    BrowsingData,
}

crate::json_unit!(Permission { Management "management", BrowsingData "browsingData" });

impl Permission {
    /// Its manifest name, as the wire table above writes it.
    pub fn name(self) -> String {
        crate::core::json::to_string(&self)
            .trim_matches('"')
            .to_string()
    }
}

/// Which `webRequest` event the worker saw on a watched host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestEvent {
    /// `onBeforeRequest` (main frames).
    Started,
    /// `onCompleted` (main frames and API calls).
    Completed,
    /// `onErrorOccurred` (main frames).
    Failed,
}

/// The part of a `webRequest` event's details the core is told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebRequest {
    pub tab_id: i64,
    pub url: String,
    /// `type`: `main_frame`, `xmlhttprequest`...
    pub kind: String,
    pub status_code: Option<u16>,
    pub request_id: Option<String>,
    pub time_stamp: f64,
    pub error: Option<String>,
}

impl WebRequest {
    /// The message a `webRequest` event makes, if the core wants it: not requests outside
    /// tabs, and API calls only when they failed, so a healthy player doesn't wake the
    /// worker for each one (every main-frame answer counts: a 200 after a 503 is a
    /// recovery).
    pub fn into_msg(self, event: RequestEvent) -> Option<Msg> {
        if self.tab_id < 0 {
            return None;
        }
        let main_frame = self.kind == "main_frame";
        Some(match event {
            RequestEvent::Started => Msg::Navigating {
                tab_id: self.tab_id,
                url: self.url,
                started_at: self.time_stamp,
                request_id: self.request_id,
            },
            RequestEvent::Completed => {
                let status = self.status_code.unwrap_or(0);
                if !main_frame && status < 400 {
                    return None;
                }
                Msg::HttpResponse {
                    tab_id: self.tab_id,
                    url: self.url,
                    status,
                    main_frame,
                    request_id: self.request_id,
                }
            }
            RequestEvent::Failed => Msg::NetError {
                tab_id: self.tab_id,
                url: self.url,
                error: self.error.unwrap_or_default(),
                main_frame,
                request_id: self.request_id,
            },
        })
    }
}

pub use super::action::Action;

impl Action {
    /// The optional permission it can't do without.
    pub fn needs(self) -> Option<Permission> {
        match self {
            Action::CheckExtensions
            | Action::DisableExtension
            | Action::DisableSuspects
            | Action::FindCulprit
            | Action::RestoreExtensions => Some(Permission::Management),
            Action::ClearSiteData | Action::Confirm => Some(Permission::BrowsingData),
            _ => None,
        }
    }

    /// The action a `data-action` names.
    pub fn named(name: &str) -> Option<Action> {
        crate::core::json::from_str(&format!("\"{name}\"")).ok()
    }

    /// Changes something outside the page (other extensions, the site's stored data):
    /// from the inline panel, only while the browser saw it unobscured (`Msg::Run::seen`).
    pub fn reaches_outside_page(self) -> bool {
        matches!(
            self,
            Action::Confirm
                | Action::DisableExtension
                | Action::DisableSuspects
                | Action::FindCulprit
                | Action::RestoreExtensions
        )
    }
}

/// Who sent a message, as the browser reported it (`runtime.MessageSender`), or the
/// service worker itself for browser events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Sender {
    /// The service worker's own event listeners.
    Internal,
    /// `runtime.onMessage`'s sender.
    Runtime {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        tab_id: Option<i64>,
        #[serde(default)]
        frame_id: Option<i64>,
        /// `sender.documentId`, where the browser gives it.
        #[serde(default)]
        document_id: Option<String>,
    },
}

/// Why an action was refused, as a key the surfaces put in the user's language
/// (`refused_<key>` in `_locales`), optionally with one argument on a second line.
pub mod refusal {
    pub const NOT_SERVICE: &str = "not-service";
    pub const NOTHING_TO_CONFIRM: &str = "nothing-to-confirm";
    pub const NO_ERROR: &str = "no-error";
    pub const NOT_LISTED: &str = "not-listed";
    pub const NO_EXTENSION: &str = "no-extension";
    pub const CANT_TURN_OFF: &str = "cant-turn-off";
    pub const NO_SUSPECTS: &str = "no-suspects";
    /// This browser can't turn other extensions off; the argument names the suspects.
    pub const NO_TOGGLE: &str = "no-toggle";
    /// The panel couldn't show it was unobscured: the toolbar button carries it out.
    pub const USE_TOOLBAR: &str = "use-toolbar";
    /// The browser hasn't granted an optional permission; the argument names it
    /// (`Permission::name`), and the surface offers `grant-permission`.
    pub const NEEDS_PERMISSION: &str = "needs-permission";
    /// What the user entered is no code this service shows, nor has the shape of one.
    pub const NOT_A_CODE: &str = "not-a-code";

    /// `key` with its argument.
    pub fn with(key: &str, arg: &str) -> String {
        let mut s = String::with_capacity(key.len() + 1 + arg.len());
        s.push_str(key);
        s.push('\n');
        s.push_str(arg);
        s
    }
}

/// What the options page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionsView {
    pub settings: Settings,
    /// Every service StreamFix knows, for the options page's on/off switches.
    pub services: Vec<ServiceChoice>,
    /// `settings.muted_codes`, spelled out.
    pub muted: Vec<MutedCode>,
    /// How many errors StreamFix remembers a fix for (`state::Worked`).
    pub remembered: usize,
}

/// A service as the options page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceChoice {
    pub id: String,
    pub name: String,
    /// StreamFix watches it (the user hasn't turned it off).
    pub on: bool,
}

/// A muted code as the options page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutedCode {
    /// The `muted_codes` entry (what unmuting removes).
    pub key: String,
    pub code: String,
    /// The service's name; `None` for an entry that mutes the code on every service.
    pub service: Option<String>,
}

/// Verdicts the core decides ahead of time so the content script can paint the panel
/// host in the same frame the page shows its error, without waiting for a round trip:
/// when the first error container it reads names one of `codes` as its first known code
/// (read the way the detector reads it), the core's verdict for that page is a panel for
/// that code, unless the code is in `quiet` (muted, dismissed, or the panel is off).
/// The content script only looks codes up here; it still reports the page at once and
/// the core's `Verdict` that follows is what stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quick {
    /// Exact codes the detector knows for the service.
    pub codes: Vec<String>,
    /// Of those, the ones that would get no panel now.
    pub quiet: Vec<String>,
}

/// The answer to a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Reply {
    /// What the content script should watch.
    Watch {
        watching: bool,
        selectors: Vec<String>,
        /// Lower-case words an error screen of the service shows (its entries' phrases
        /// and code labels): text that has one, or something shaped like a code, is read
        /// and reported with its place on the screen.
        hints: Vec<String>,
        max_block_chars: usize,
        /// The core's verdicts decided ahead of time (see [`Quick`]).
        quick: Quick,
    },
    /// The core's judgement of the tab after a page report.
    Verdict {
        /// Show the inline panel for this code (None: no panel).
        panel: Option<String>,
        /// When the wait-and-retry countdown wants the tab reloaded (ms since epoch): the
        /// content script says `RetryDue` then.
        retry_at: Option<f64>,
        /// The verdicts decided ahead of time, as of this report (see [`Quick`]).
        quick: Quick,
    },
    Settings {
        options: OptionsView,
    },
    /// The plain-text support report.
    Report {
        text: String,
    },
    View {
        view: Box<View>,
    },
    Info {
        version: String,
        services: usize,
        errors: usize,
    },
    Ok,
    Error {
        error: String,
    },
}

/// Something the service worker's JS does through the browser APIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do")]
pub enum Effect {
    /// Set the toolbar badge and tooltip of one tab (empty text clears it). With
    /// `after_load`, once the tab has finished loading: the browser resets a tab's badge
    /// when a page commits, and the error page of a failed load commits after the failure.
    Badge {
        tab_id: i64,
        text: String,
        title: String,
        #[serde(default)]
        after_load: bool,
    },
    /// Tell the tab's content script to show or hide the inline panel; with `focus`, to
    /// move the keyboard focus into it once it is there (the user asked for it).
    Panel {
        tab_id: i64,
        code: Option<String>,
        #[serde(default)]
        focus: bool,
    },
    /// Reload the tab.
    Reload { tab_id: i64 },
    /// List the extensions (and read the proxy settings), then report back with
    /// `Extensions`, passing `covers` back: the listing is read after every change
    /// StreamFix noted up to that time was carried out, and may judge only those.
    ListExtensions { tab_id: Option<i64>, covers: f64 },
    /// Turn extensions on or off (`management.setEnabled`), one by one, in order.
    SetEnabled { ids: Vec<String>, enabled: bool },
    /// Measure the connection (probes, one timed download), then report back with
    /// `ConnectionMeasured`.
    MeasureConnection {
        tab_id: i64,
        /// Which check this is, passed back: only the tab's current one is taken.
        run: f64,
        probes: Vec<String>,
        download: String,
    },
    /// Clear the streaming site's data, limited to its origins (Chrome) or hostnames
    /// (Firefox), then report back with `SiteDataCleared`.
    ClearSiteData {
        tab_id: i64,
        /// `browsingData.RemovalOptions.origins` (Chrome), or empty.
        origins: Vec<String>,
        /// `browsingData.RemovalOptions.hostnames` (Firefox), or empty.
        hostnames: Vec<String>,
        /// `browsingData.DataTypeSet` keys to remove.
        types: Vec<String>,
        /// Types left alone because this browser can't limit them to the site.
        skipped: Vec<String>,
        /// Registrable domains whose cookies go if the browser refuses the filtered call
        /// (`cookies.getAll` + `cookies.remove`).
        cookie_domains: Vec<String>,
        /// Only the tab's own cookie store (`cookieStoreId`: its container, or private
        /// windows): the site's data in the others stays.
        this_store_only: bool,
    },
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooLarge(usize),
    Malformed(String),
    Forbidden(&'static str),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge(n) => write!(
                f,
                "message refused: {n} bytes is over the {MAX_MESSAGE_BYTES}-byte limit"
            ),
            Refusal::Malformed(e) => write!(f, "message refused: not a StreamFix message ({e})"),
            Refusal::Forbidden(why) => write!(f, "message refused: {why}"),
        }
    }
}

/// Decodes a message, refusing oversized or malformed ones.
pub fn decode(json: &str) -> Result<Msg, Refusal> {
    if json.len() > MAX_MESSAGE_BYTES {
        return Err(Refusal::TooLarge(json.len()));
    }
    let msg: Msg = super::json::from_str(json).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if let Msg::PageReport { blocks, .. } = &msg {
        if blocks.len() > MAX_BLOCKS {
            return Err(Refusal::Malformed(format!(
                "{} text blocks, at most {MAX_BLOCKS}",
                blocks.len()
            )));
        }
    }
    Ok(msg)
}

// ---- decoding (see core::json)

crate::json_tagged!(Msg, "type", deny, {
    Hello "Hello" { url: "url" req, doc: "doc" def },
    PageReport "PageReport" {
        url: "url" req,
        blocks: "blocks" req,
        status: "status" def,
        settled: "settled" def,
        doc: "doc" def,
    },
    CoreInfo "CoreInfo" {},
    GetView "GetView" { tab_id: "tab_id" def, lang: "lang" req, url: "url" def },
    MarkStep "MarkStep" { tab_id: "tab_id" def, step: "step" req, state: "state" req },
    Run "Run" { tab_id: "tab_id" def, action: "action" req, ext_id: "ext_id" def, seen: "seen" def, code: "code" def },
    GetReport "GetReport" {
        tab_id: "tab_id" def,
        lang: "lang" req,
        browser: "browser" req,
        os: "os" req,
        now_iso: "now_iso" req,
    },
    RetryDue "RetryDue" { tab_id: "tab_id" def },
    GetSettings "GetSettings" {},
    ForgetFixes "ForgetFixes" {},
    SetSettings "SetSettings" { settings: "settings" req },
    ChangeSetting "ChangeSetting" { change: "change" req },
    Dismiss "Dismiss" { tab_id: "tab_id" def },
    HttpResponse "HttpResponse" {
        tab_id: "tab_id" req,
        url: "url" req,
        status: "status" req,
        main_frame: "main_frame" req,
        request_id: "request_id" def,
    },
    NetError "NetError" {
        tab_id: "tab_id" req,
        url: "url" req,
        error: "error" req,
        main_frame: "main_frame" req,
        request_id: "request_id" def,
    },
    Navigating "Navigating" {
        tab_id: "tab_id" req,
        url: "url" req,
        started_at: "started_at" def,
        request_id: "request_id" def,
    },
    TabClosed "TabClosed" { tab_id: "tab_id" req },
    SiteDataCleared "SiteDataCleared" {
        tab_id: "tab_id" req,
        removed: "removed" req,
        failed: "failed" req,
        skipped: "skipped" req,
    },
    Extensions "Extensions" {
        tab_id: "tab_id" def,
        list: "list" req,
        proxy: "proxy" def,
        can_toggle: "can_toggle" req,
        covers: "covers" def,
    },
    Command "Command" { name: "name" req, tab_id: "tab_id" def },
    ConnectionMeasured "ConnectionMeasured" { tab_id: "tab_id" req, run: "run" req, measurement: "measurement" req },
});
crate::json_unit!(Action {
    RetryNow "retry-now",
    CancelRetry "cancel-retry",
    ClearSiteData "clear-site-data",
    Confirm "confirm",
    Cancel "cancel",
    MuteCode "mute-code",
    CheckExtensions "check-extensions",
    DisableExtension "disable-extension",
    DisableSuspects "disable-suspects",
    FindCulprit "find-culprit",
    RestoreExtensions "restore-extensions",
    RunConnectionCheck "run-connection-check",
    ShowPanel "show-panel",
    EnterCode "enter-code",
});
crate::json_tagged!(Sender, "kind", deny, {
    Internal "internal" {},
    Runtime "runtime" {
        id: "id" def,
        url: "url" def,
        tab_id: "tab_id" def,
        frame_id: "frame_id" def,
        document_id: "document_id" def,
    },
});
crate::json_struct!(DocStamp, deny, { id: "id" req, at: "at" req });
crate::json_struct!(OptionsView, allow, {
    settings: "settings" req,
    services: "services" req,
    muted: "muted" req,
    remembered: "remembered" req,
});
crate::json_struct!(ServiceChoice, allow, { id: "id" req, name: "name" req, on: "on" req });
crate::json_struct!(MutedCode, allow, { key: "key" req, code: "code" req, service: "service" req });
crate::json_struct!(Quick, allow, { codes: "codes" req, quiet: "quiet" req });
crate::json_tagged!(Reply, "type", allow, {
    Watch "Watch" {
        watching: "watching" req,
        selectors: "selectors" req,
        hints: "hints" req,
        max_block_chars: "max_block_chars" req,
        quick: "quick" req,
    },
    Verdict "Verdict" { panel: "panel" req, retry_at: "retry_at" req, quick: "quick" req },
    Settings "Settings" { options: "options" req },
    Report "Report" { text: "text" req },
    View "View" { view: "view" req },
    Info "Info" { version: "version" req, services: "services" req, errors: "errors" req },
    Ok "Ok" {},
    Error "Error" { error: "error" req },
});
crate::json_tagged!(Effect, "do", allow, {
    Badge "Badge" {
        tab_id: "tab_id" req,
        text: "text" req,
        title: "title" req,
        after_load: "after_load" def,
    },
    Panel "Panel" { tab_id: "tab_id" req, code: "code" req, focus: "focus" def },
    Reload "Reload" { tab_id: "tab_id" req },
    ListExtensions "ListExtensions" { tab_id: "tab_id" req, covers: "covers" req },
    SetEnabled "SetEnabled" { ids: "ids" req, enabled: "enabled" req },
    MeasureConnection "MeasureConnection" {
        tab_id: "tab_id" req,
        run: "run" req,
        probes: "probes" req,
        download: "download" req,
    },
    ClearSiteData "ClearSiteData" {
        tab_id: "tab_id" req,
        origins: "origins" req,
        hostnames: "hostnames" req,
        types: "types" req,
        skipped: "skipped" req,
        cookie_domains: "cookie_domains" req,
        this_store_only: "this_store_only" req,
    },
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = Msg::PageReport {
            doc: None,
            url: "https://www.netflix.com/".into(),
            blocks: vec![],
            status: Some(200),
            settled: false,
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(decode(&json).unwrap(), m);
    }

    #[test]
    fn unknown_type_is_refused() {
        let e = decode(r#"{"type":"FormatDisk"}"#).unwrap_err();
        assert!(matches!(e, Refusal::Malformed(_)), "{e}");
    }

    #[test]
    fn extra_field_is_refused() {
        assert!(decode(r#"{"type":"Hello","url":"x","evil":1}"#).is_err());
    }

    #[test]
    fn a_number_past_f64_is_refused_even_where_unread() {
        // Found by the fuzzer: serde reads every member of a tagged message first.
        let text = r#"{"can_toggle":true,"list":[],"proxy":{"blocks":-1,"lang":-1e40000},"tab_id":null,"type":"Extensions"}"#;
        assert!(serde_json::from_str::<Msg>(text).is_err());
        assert!(decode(text).is_err());
        let fine = text.replace("-1e40000", "-1e-40000");
        assert!(serde_json::from_str::<Msg>(&fine).is_ok());
        assert!(decode(&fine).is_ok());
    }

    #[test]
    fn an_empty_key_is_an_unknown_field() {
        // Found by the fuzzer: a block's empty key passed for the (absent) tag.
        let ok = r#"{"type":"PageReport","url":"https://www.netflix.com/","status":null,"settled":false,"blocks":[{"kind":"text","text":"t"}]}"#;
        let bad = ok.replace(r#"{"kind""#, r#"{"":"x","kind""#);
        assert!(serde_json::from_str::<Msg>(&bad).is_err());
        assert!(decode(&bad).is_err());
        assert!(decode(ok).is_ok());
    }

    #[test]
    fn garbage_is_refused() {
        for s in ["", "null", "[]", "{", "\"Hello\"", "{\"type\":5}"] {
            assert!(decode(s).is_err(), "{s}");
        }
    }

    #[test]
    fn oversized_is_refused() {
        let big = format!(
            r#"{{"type":"Hello","url":"{}"}}"#,
            "a".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(matches!(decode(&big), Err(Refusal::TooLarge(_))));
    }

    #[test]
    fn too_many_blocks_is_refused() {
        let block = r#"{"kind":"text","text":"x"}"#;
        let blocks = vec![block; MAX_BLOCKS + 1].join(",");
        let json = format!(r#"{{"type":"PageReport","url":"u","blocks":[{blocks}]}}"#);
        assert!(decode(&json).is_err());
    }

    #[test]
    fn web_requests_wake_the_core_only_when_they_matter() {
        let req = |kind: &str, status| WebRequest {
            tab_id: 4,
            url: "https://www.netflix.com/".into(),
            kind: kind.into(),
            status_code: Some(status),
            ..WebRequest::default()
        };
        let api_ok = req("xmlhttprequest", 200).into_msg(RequestEvent::Completed);
        assert_eq!(api_ok, None);
        let api_503 = req("xmlhttprequest", 503).into_msg(RequestEvent::Completed);
        assert!(matches!(
            api_503,
            Some(Msg::HttpResponse {
                status: 503,
                main_frame: false,
                ..
            })
        ));
        let page_ok = req("main_frame", 200).into_msg(RequestEvent::Completed);
        assert!(matches!(
            page_ok,
            Some(Msg::HttpResponse {
                status: 200,
                main_frame: true,
                ..
            })
        ));
        let outside = WebRequest {
            tab_id: -1,
            ..req("main_frame", 503)
        };
        assert_eq!(outside.into_msg(RequestEvent::Completed), None);
        let failed = WebRequest {
            error: Some("net::ERR_FAILED".into()),
            ..req("main_frame", 0)
        };
        assert!(
            matches!(failed.into_msg(RequestEvent::Failed), Some(Msg::NetError { error, .. }) if error == "net::ERR_FAILED")
        );
        assert!(matches!(
            req("main_frame", 0).into_msg(RequestEvent::Started),
            Some(Msg::Navigating { tab_id: 4, .. })
        ));
    }
}
