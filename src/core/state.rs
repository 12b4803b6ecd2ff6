//! State that must outlive a service-worker restart. The core never holds it between
//! calls: the JS passes the stored values in and writes back what the core returns.
//! Per-tab state lives in `storage.session` under `tab:<id>`; settings in
//! `storage.local` under `settings`.

use super::util::Map;

use serde::{Deserialize, Serialize};

use super::conflicts::{Bisect, Classified, ProxyReport};
use super::connection::ConnectionResult;
use super::detector::Detection;
use super::plan::StepState;

impl Detection {
    /// The error as settings and remembered fixes name it: `service:CODE`
    /// ([`Settings::mute_key`]).
    pub fn key(&self) -> String {
        Settings::mute_key(&self.service, &self.code)
    }
}

pub fn tab_key(tab_id: i64) -> String {
    format!("tab:{tab_id}")
}

/// The tab a `storage.session` key is about ([`tab_key`]'s inverse).
pub fn tab_id_of(key: &str) -> Option<i64> {
    key.strip_prefix("tab:")?.parse().ok()
}

pub const SETTINGS_KEY: &str = "settings";
/// `storage.local`: the extensions StreamFix turned off (`conflicts::Ledger`).
pub const LEDGER_KEY: &str = "ledger";
/// A stored ledger this version couldn't decode, kept as it was (never overwritten) so
/// what it recorded can still be put back; `null` once it was.
pub const LEDGER_ASIDE_KEY: &str = "ledger-unreadable";
/// `storage.local`: the running "find the culprit" search, if any.
pub const BISECT_KEY: &str = "bisect";
/// `storage.local`: which step fixed which error last time (never sent anywhere).
pub const WORKED_KEY: &str = "worked";
/// Most fixes remembered; the oldest go first.
const MAX_WORKED: usize = 100;

/// The steps that fixed an error, by error (`Settings::mute_key`): the next time that
/// error shows, its plan starts with the step that fixed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Worked {
    /// Most recent first.
    pub fixes: Vec<Fix>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// The error, as `service:CODE`.
    pub key: String,
    /// The step that fixed it.
    pub step: String,
}

impl Worked {
    /// The step that fixed `key` last time.
    pub fn step_for(&self, key: &str) -> Option<&str> {
        self.fixes
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.step.as_str())
    }

    /// `step` fixed `key`: remembered first, in place of what fixed it before.
    pub fn record(&mut self, key: String, step: String) {
        self.fixes.retain(|f| f.key != key);
        self.fixes.insert(0, Fix { key, step });
        self.fixes.truncate(MAX_WORKED);
    }
}

/// A culprit search on one tab: the search itself, and whether the tab has reloaded
/// since its last step (the next page outcome then answers it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BisectRun {
    pub tab_id: i64,
    pub search: Bisect,
    pub armed: bool,
    /// The worker that issued the current step (turn off/on, reload) and when: a step
    /// whose reload never came because that worker died is carried out again.
    #[serde(default)]
    pub issued: Option<InFlight>,
}

/// Work handed to the service worker whose outcome has not come back yet: when, and by
/// which worker instance (`Env::instance`, new at every worker start). A worker that
/// stopped mid-way leaves it behind; the next call, in a new instance, recovers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    /// When it was handed over (ms since epoch).
    pub at: f64,
    /// The worker instance that was carrying it out.
    pub by: String,
}

/// A worker instance that is not the one carrying the work out may take it over this
/// long after it was issued (what was already under way has shown up by then).
pub const TAKEOVER_GRACE_MS: f64 = 2_000.0;

impl InFlight {
    pub fn new(at: f64, by: &str) -> Self {
        InFlight {
            at,
            by: by.to_string(),
        }
    }

    /// True when the work will not report back by itself: the worker carrying it out is
    /// gone (another instance is running now), or it has taken longer than `limit_ms`.
    pub fn is_stale(&self, now: f64, instance: &str, limit_ms: f64) -> bool {
        let age = now - self.at;
        (self.by != instance && age >= TAKEOVER_GRACE_MS) || age >= limit_ms
    }
}

/// The document a tab shows, as its content script names it: who it is, and when it said
/// Hello (ms since epoch, on the page's clock: the same wall clock the browser stamps its
/// request events with). A restored page (back/forward cache) says Hello again, later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub id: String,
    pub at: f64,
    /// When the document before it said Hello (0: none known). A main-frame request that
    /// started after that and before `at` is the one that brought this document.
    #[serde(default)]
    pub after: f64,
}

/// A main-frame request of the tab, as its start event named it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MainRequest {
    pub id: String,
    /// When it started (ms since epoch, the browser's stamp).
    pub started_at: f64,
}

/// How many main-frame requests a tab remembers (a navigation, its redirects, a reload).
pub const MAX_REQUESTS: usize = 4;

/// A failed API call remembered for burst detection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ApiHit {
    pub at: f64,
    pub status: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TabState {
    pub url: String,
    /// The watched service the tab is on, if any.
    pub service: Option<String>,
    /// On a watched page (not a help page, not another site).
    pub watched: bool,
    pub detection: Option<Detection>,
    /// When the current detection was made (ms since epoch).
    pub detected_at: f64,
    /// Plan progress, kept across reloads of the tab.
    pub steps: Map<StepState>,
    /// Codes whose panel the user closed on this tab.
    pub dismissed: Vec<String>,
    /// The code whose panel the user asked for (popup button or keyboard shortcut): it
    /// shows even where it wouldn't open by itself (muted, quiet, panel off).
    pub requested: Option<String>,
    pub api_hits: Vec<ApiHit>,
    /// A destructive action waiting for the user's confirmation.
    pub pending: Option<Pending>,
    /// The step whose effect the next page load will judge (helped or not).
    pub judging: Option<Judging>,
    /// The wait-and-retry countdown, while it runs.
    pub retry: Option<Retry>,
    /// Codes for which the user stopped the countdown on this tab.
    pub retry_cancelled: Vec<String>,
    /// The outcome of the last action, shown where the user acted.
    pub notice: Option<Notice>,
    /// What the last clearing of the site's data did (kept after the notice moves on).
    pub cleared: Option<Cleared>,
    /// The other extensions as last listed, classified.
    pub extensions: Option<Vec<Classified>>,
    /// When `extensions` was listed (ms since epoch; 0 before the first listing).
    pub listed_at: f64,
    /// The proxy state as last read or inferred.
    pub proxy: Option<ProxyReport>,
    /// The last connection check.
    pub connection: Option<ConnectionResult>,
    /// A connection check under way: its `run` (when it started, ms since epoch).
    pub measuring: Option<f64>,
    /// When the page in the tab last reported (ms since epoch).
    pub page_at: f64,
    /// A main-frame navigation started then (ms since epoch), and since then no document
    /// has said Hello and the navigation didn't end without one (a 204 answer, a download,
    /// Stop): a page report meanwhile is the old document's, still on screen while the
    /// next one loads. 0 when none is under way.
    pub navigating_at: f64,
    /// A confirmed clearing of the site's data under way (its report not back yet).
    pub clearing: Option<InFlight>,
    /// The document the tab shows (see [`Doc`]): its reports count, any other's don't.
    pub doc: Option<Doc>,
    /// The newest main-frame requests, newest last: a request's later events (answer,
    /// failure) are placed by when it started, whenever they arrive.
    pub requests: Vec<MainRequest>,
    /// When the request whose answer or failure made the current detection started (0:
    /// not known, or the detection is the page's own).
    pub network_at: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleared {
    pub removed: Vec<String>,
    pub failed: Vec<String>,
    pub skipped: Vec<String>,
}

/// A destructive action that needs a confirmation first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pending {
    ClearSiteData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judging {
    pub step: String,
    /// Set once the tab has started loading again: the next page outcome is the verdict.
    pub armed: bool,
    /// The error the step was tried for (`Settings::mute_key`), remembered if it helped.
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retry {
    /// 1 for the first automatic reload.
    pub attempt: u32,
    /// When the next reload is due (ms since epoch).
    pub next_at: f64,
    /// A reload was issued and its outcome is not known yet.
    pub reloading: bool,
    /// Who issued that reload and when (set while `reloading`).
    #[serde(default)]
    pub issued: Option<InFlight>,
}

/// What the last action did, for the surface that triggered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Notice {
    /// Site data is being cleared.
    Clearing,
    /// The clearing stopped before it reported back (the service worker was stopped or
    /// the browser never answered): some data may be left. The user may try again.
    ClearInterrupted,
    /// Site data was cleared (data types by name); `failed` could not be, `skipped`
    /// can't be limited to this site in this browser and were left alone.
    Cleared {
        removed: Vec<String>,
        failed: Vec<String>,
        skipped: Vec<String>,
    },
    /// The step that was just tried fixed the error.
    Fixed { step: String },
    /// The step that was just tried did not fix the error.
    NotFixed { step: String },
    /// The countdown gave up after its last attempt.
    RetryGaveUp,
    /// The culprit search named the extension that causes the error; it stays off.
    Culprit { name: String },
    /// The error stayed with every suspect off: extensions are not the cause.
    NotExtensions,
    /// Extensions StreamFix had turned off are on again.
    Restored { names: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Show the inline panel by itself when an error appears.
    pub auto_panel: bool,
    /// Codes for which the panel is not shown by itself, as `service:CODE` (see
    /// [`Settings::mutes`]).
    pub muted_codes: Vec<String>,
    /// Services (catalog ids) the user turned off: not watched, no badge, no panel.
    pub off_services: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_panel: true,
            muted_codes: Vec::new(),
            off_services: Vec::new(),
        }
    }
}

impl Settings {
    /// The `muted_codes` entry for `code` of `service`: the same code may mean something
    /// else on another service (numeric codes do), so muting is per service.
    pub fn mute_key(service: &str, code: &str) -> String {
        crate::core::util::join(&[service, code], ":")
    }

    /// Whether the user muted `code` of `service`. An entry without a service (kept from
    /// before muting was per service) mutes the code on every service.
    pub fn mutes(&self, service: &str, code: &str) -> bool {
        self.muted_codes.iter().any(|m| match m.split_once(':') {
            Some((s, c)) => s == service && c == code,
            None => m == code,
        })
    }

    /// Whether StreamFix watches this service (all are on unless turned off).
    pub fn watches(&self, service: &str) -> bool {
        !self.off_services.iter().any(|s| s == service)
    }

    /// The settings with one change the user made. Made to the settings as stored when
    /// it arrives, so a change made elsewhere meanwhile (a code muted in the panel) stays.
    pub fn apply(&mut self, change: &SettingChange) {
        match change {
            SettingChange::AutoPanel { on } => self.auto_panel = *on,
            SettingChange::Service { id, on } => {
                self.off_services.retain(|s| s != id);
                if !on {
                    self.off_services.push(id.clone());
                }
            }
            SettingChange::Unmute { key } => self.muted_codes.retain(|k| k != key),
        }
    }
}

/// One change on the options page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SettingChange {
    /// Open the panel by itself, or not.
    AutoPanel { on: bool },
    /// Watch a service (a catalog id), or not.
    Service { id: String, on: bool },
    /// Open the panel again for a muted code (its `muted_codes` entry).
    Unmute { key: String },
}

// ---- decoding (see core::json)

crate::json_struct!(BisectRun, allow, {
    tab_id: "tab_id" req,
    search: "search" req,
    armed: "armed" req,
    issued: "issued" def,
});
crate::json_struct!(InFlight, allow, { at: "at" req, by: "by" req });
crate::json_struct!(Doc, allow, { id: "id" req, at: "at" req, after: "after" def });
crate::json_struct!(MainRequest, allow, { id: "id" req, started_at: "started_at" req });
crate::json_struct!(ApiHit, allow, { at: "at" req, status: "status" req });
crate::json_struct!(TabState, allow, default, {
    url: "url",
    service: "service",
    watched: "watched",
    detection: "detection",
    detected_at: "detected_at",
    steps: "steps",
    dismissed: "dismissed",
    requested: "requested",
    api_hits: "api_hits",
    pending: "pending",
    judging: "judging",
    retry: "retry",
    retry_cancelled: "retry_cancelled",
    notice: "notice",
    cleared: "cleared",
    extensions: "extensions",
    listed_at: "listed_at",
    proxy: "proxy",
    connection: "connection",
    measuring: "measuring",
    page_at: "page_at",
    navigating_at: "navigating_at",
    clearing: "clearing",
    doc: "doc",
    requests: "requests",
    network_at: "network_at",
});
crate::json_struct!(Cleared, allow, {
    removed: "removed" req,
    failed: "failed" req,
    skipped: "skipped" req,
});
crate::json_unit!(Pending { ClearSiteData "clear-site-data" });
crate::json_struct!(Judging, allow, { step: "step" req, armed: "armed" req, error: "error" def });
crate::json_struct!(Worked, allow, default, { fixes: "fixes" });
crate::json_struct!(Fix, allow, { key: "key" req, step: "step" req });
crate::json_struct!(Retry, allow, {
    attempt: "attempt" req,
    next_at: "next_at" req,
    reloading: "reloading" req,
    issued: "issued" def,
});
crate::json_tagged!(Notice, "kind", allow, {
    Clearing "clearing" {},
    ClearInterrupted "clear-interrupted" {},
    Cleared "cleared" { removed: "removed" req, failed: "failed" req, skipped: "skipped" req },
    Fixed "fixed" { step: "step" req },
    NotFixed "not-fixed" { step: "step" req },
    RetryGaveUp "retry-gave-up" {},
    Culprit "culprit" { name: "name" req },
    NotExtensions "not-extensions" {},
    Restored "restored" { names: "names" req },
});
crate::json_tagged!(SettingChange, "kind", deny, {
    AutoPanel "auto-panel" { on: "on" req },
    Service "service" { id: "id" req, on: "on" req },
    Unmute "unmute" { key: "key" req },
});
crate::json_struct!(Settings, allow, default, {
    auto_panel: "auto_panel",
    muted_codes: "muted_codes",
    off_services: "off_services",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_work_is_stale_once_its_worker_is_gone_or_it_took_too_long() {
        let w = InFlight::new(1_000.0, "a");
        // Its own worker: only past the limit.
        assert!(!w.is_stale(1_000.0 + 59_999.0, "a", 60_000.0));
        assert!(w.is_stale(1_000.0 + 60_000.0, "a", 60_000.0));
        // Another worker: after the takeover grace.
        assert!(!w.is_stale(1_000.0 + TAKEOVER_GRACE_MS - 1.0, "b", 60_000.0));
        assert!(w.is_stale(1_000.0 + TAKEOVER_GRACE_MS, "b", 60_000.0));
        // Older stored values without the new fields still read.
        let r: Retry =
            serde_json::from_str(r#"{"attempt":1,"next_at":5.0,"reloading":true}"#).unwrap();
        assert_eq!(r.issued, None);
        let t: TabState = serde_json::from_str(r#"{"url":"u"}"#).unwrap();
        assert_eq!(t.clearing, None);
    }
}
