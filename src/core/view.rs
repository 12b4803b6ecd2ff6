//! What the popup and the inline panel show, decided here and rendered as-is by the JS.
//! Every string is already in the user's language; the JS only adds its own labels.

use serde::{Deserialize, Serialize};

use super::catalog::ExtKind;
use super::catalog::{strings, Catalog, StepKind};
use super::conflicts::{Classified, ProxyReport};
use super::connection;
use super::detector::{Detection, Evidence};
use super::plan::{self, StepState};
use super::retry;
use super::sitedata::{self, Browser};
use super::state::{Cleared, Notice, Pending, TabState};

/// Actions this build can perform. An automatic step whose action is not listed is shown
/// without a button rather than with one that does nothing.
pub const AVAILABLE_ACTIONS: &[&str] = &[
    "retry-now",
    "clear-site-data",
    "check-extensions",
    "run-connection-check",
];

/// State shared by every tab that the view shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extras {
    /// Names of the extensions StreamFix turned off and has not put back.
    pub restore: Vec<String>,
    /// A culprit search running on this tab.
    pub bisect: Option<BisectView>,
    /// The browser lets StreamFix turn other extensions off.
    pub can_toggle: bool,
    /// Optional permissions not granted yet: the surface offers `grant-permission`.
    pub missing: Vec<crate::core::messages::Permission>,
    /// The step that fixed this error last time: first in the plan.
    pub worked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BisectView {
    pub check: u32,
    pub max_checks: u32,
}

/// The connection check as shown (`data-mbps`, `data-verdict`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub verdict: String,
    pub mbps: Option<f64>,
    pub explain: Vec<String>,
}

/// The confirmation of a destructive action, in data: the UI words it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmView {
    /// The `data-action` that asked for it.
    pub action: String,
    /// The service whose data goes.
    pub site: String,
    pub origins: Vec<String>,
    /// Data types removed (browsingData keys).
    pub types: Vec<String>,
    /// Data types this browser can't limit to the site, left alone.
    pub skipped: Vec<String>,
    /// The service's own caution (a sign-in shared with other sites), in the UI language.
    pub note: Option<String>,
    /// Only the tab's own container or private-window data goes (Firefox).
    pub this_store_only: bool,
}

/// The wait-and-retry countdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryView {
    pub attempt: u32,
    pub max_attempts: u32,
    /// When the next reload happens (ms since epoch); the UI counts down to it.
    pub next_at: f64,
    /// A reload is under way.
    pub reloading: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub kind: StepKind,
    /// The `data-action` of the button for automatic steps.
    pub action: Option<String>,
    pub title: String,
    pub how: Vec<String>,
    pub state: StepState,
    /// The first step still to do is the one to focus on.
    pub next: bool,
    /// The optional permission its action needs and the browser hasn't granted: its
    /// button asks for it first (`grant-permission`).
    pub needs: Option<crate::core::messages::Permission>,
    /// It fixed this error last time (`data-worked`): the plan starts with it.
    pub worked: bool,
    /// Its check's result is on screen: the button offers to run it again.
    pub again: bool,
    /// Its check is running: the button waits.
    pub waiting: bool,
    /// The section shown inside this step (its check's result, what its clearing did).
    pub shows: Option<Section>,
}

/// A part of the view that a step can hold; outside the plan when no step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Connection,
    Extensions,
    Cleared,
}

/// What the extensions section says and offers beside the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtOffer {
    /// `data-action`s under the list: turn the suspects off, and search for the one
    /// culprit when there is more than one suspect.
    pub actions: Vec<String>,
    /// Ids of the extensions with their own "turn off" button.
    pub disable_each: Vec<String>,
    /// Suspects this browser won't let StreamFix turn off: named in a how-to instead.
    pub by_hand: Vec<String>,
    /// The browser's proxy mode, when it is one worth telling (not `direct`/`system`).
    pub proxy_mode: Option<String>,
    /// The name of the extension that most likely set the proxy.
    pub proxy_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub how: Vec<String>,
}

/// The evidence as the user saw it, to quote in the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shown {
    Code {
        value: String,
    },
    Http {
        status: u16,
    },
    Net {
        error: String,
    },
    /// The code the user entered (`enter-code`).
    Told {
        value: String,
    },
}

/// A code is quoted only when the screen showed one (the detector says): code-less
/// screens are known by their entry id, which is a hook, not something the user saw.
fn shown(d: &Detection) -> Option<Shown> {
    match &d.evidence {
        Evidence::Http { status } => Some(Shown::Http { status: *status }),
        Evidence::Net { error, .. } if !error.is_empty() => Some(Shown::Net {
            error: error.clone(),
        }),
        Evidence::Net { .. } => None,
        Evidence::Page { code_shown, .. } => code_shown.then(|| Shown::Code {
            value: d.code.clone(),
        }),
        Evidence::Told => Some(Shown::Told {
            value: d.code.clone(),
        }),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// `ok` or `error` (`data-state`).
    pub state: String,
    /// The detected code or cause (`data-code`); empty when there is no error.
    pub code: String,
    /// What the page or the browser actually showed, when there is something to quote
    /// (a code on the screen, an HTTP status, a network error name); `None` for screens
    /// without a code.
    pub shown: Option<Shown>,
    pub service: String,
    pub meaning: String,
    pub cause: String,
    pub causes: Vec<String>,
    /// The entry's facts are not strongly sourced.
    pub weak: bool,
    pub steps: Vec<StepView>,
    pub devices: Vec<DeviceView>,
    /// The tab is on a watched service at all.
    pub watched: bool,
    /// A confirmation to show before anything is done.
    pub confirm: Option<ConfirmView>,
    pub retry: Option<RetryView>,
    /// The outcome of the last action.
    pub notice: Option<Notice>,
    /// The title of the step the notice is about, in the UI language.
    pub notice_step: Option<String>,
    /// What the last clearing of the site's data did.
    pub cleared: Option<Cleared>,
    /// The other extensions, classified (None until listed).
    pub extensions: Option<Vec<Classified>>,
    /// When the extensions were listed (ms since epoch), with them.
    pub listed_at: Option<f64>,
    pub proxy: Option<ProxyReport>,
    /// The diagnosis points to a proxy but no extension explains it: the cause is
    /// outside the browser (a VPN app, Smart DNS, the router).
    pub proxy_outside_browser: bool,
    pub connection: Option<ConnectionView>,
    pub extras: Extras,
    /// Something is under way (clearing, a retry reload, a culprit-search step) whose
    /// outcome comes back by itself: an open surface asks for the view again shortly,
    /// which also lets the core notice work a stopped worker left half-done.
    pub busy: bool,
    /// A connection check is under way (the surface says so; a second isn't started).
    pub measuring: bool,
    /// The error is on a page StreamFix watches (not the browser's own error page for a
    /// failed load): the panel can be put on it when the user asks (`show-panel`).
    pub panel_possible: bool,
    /// What the user can always do on a watched service's tab, error or not, that the
    /// plan doesn't already offer as a step (`data-action`s, with a permission the
    /// browser hasn't granted).
    pub more: Vec<MoreView>,
    /// With `enter-code`: the codes the service's screens show, to suggest as the user
    /// types (any other code of a known shape is accepted too).
    pub known_codes: Vec<String>,
    /// Sections shown on their own, outside the plan (no step holds them).
    pub loose: Vec<Section>,
    /// Beside the extensions list (with it).
    pub ext: ExtOffer,
}

/// One always-there action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoreView {
    pub action: String,
    pub needs: Option<crate::core::messages::Permission>,
}

/// The actions the popup (and the panel's "more") always offer on a watched service's
/// tab; `copy-report` asks for the report rather than running an action.
pub const ALWAYS_THERE: &[&str] = &[
    "run-connection-check",
    "check-extensions",
    "clear-site-data",
    "copy-report",
    "enter-code",
];

/// The optional permission `action` (a `data-action`) needs that the browser hasn't granted.
fn needs(action: &str, extras: &Extras) -> Option<crate::core::messages::Permission> {
    crate::core::messages::Action::named(action)
        .and_then(|a| a.needs())
        .filter(|p| extras.missing.contains(p))
}

/// The always-there actions not in `plan_actions`, for a tab of a service.
fn more(tab: Option<&TabState>, plan_actions: &[&str], extras: &Extras) -> Vec<MoreView> {
    if tab.and_then(|t| t.service.as_deref()).is_none() {
        return Vec::new();
    }
    ALWAYS_THERE
        .iter()
        .filter(|a| !plan_actions.contains(a))
        .map(|a| MoreView {
            action: a.to_string(),
            needs: needs(a, extras),
        })
        .collect()
}

fn confirm_view(
    catalog: &Catalog,
    tab: &TabState,
    browser: Browser,
    lang: &str,
) -> Option<ConfirmView> {
    let Pending::ClearSiteData = tab.pending?;
    let service = catalog.service(tab.service.as_deref()?)?;
    let plan = sitedata::plan(service, browser);
    Some(ConfirmView {
        action: "clear-site-data".into(),
        site: service.name.to_string(),
        origins: strings(&service.origins),
        types: plan.types,
        skipped: plan.skipped,
        note: service.clear_note.as_ref().map(|n| n.get(lang).to_string()),
        this_store_only: plan.this_store_only,
    })
}

/// The view of one tab.
pub fn tab_view(
    catalog: &Catalog,
    tab: Option<&TabState>,
    lang: &str,
    browser: Browser,
    extras: Extras,
) -> View {
    let watched = tab.is_some_and(|t| t.watched);
    let measuring = tab.is_some_and(|t| t.measuring.is_some());
    let busy = extras.bisect.is_some()
        || tab.is_some_and(|t| {
            t.clearing.is_some()
                || t.measuring.is_some()
                || t.retry.as_ref().is_some_and(|r| r.reloading)
        });
    let confirm = tab.and_then(|t| confirm_view(catalog, t, browser, lang));
    let notice = tab.and_then(|t| t.notice.clone());
    let notice_step = match &notice {
        Some(Notice::Fixed { step } | Notice::NotFixed { step }) => {
            catalog.step(step).map(|s| s.title.get(lang).to_string())
        }
        _ => None,
    };
    let detection = tab.and_then(|t| t.detection.as_ref());
    let entry = detection.and_then(|d| catalog.entry(&d.entry));
    let (Some(d), Some(entry), Some(tab)) = (detection, entry, tab) else {
        let (meaning, cause, steps) =
            slow_advice(catalog, tab, lang, browser, &extras).unwrap_or_default();
        let more = more(tab, &[], &extras);
        return View {
            state: "ok".into(),
            code: String::new(),
            shown: None,
            service: tab
                .and_then(|t| t.service.as_deref())
                .and_then(|s| catalog.service(s))
                .map(|s| s.name.clone())
                .unwrap_or_default()
                .to_string(),
            meaning,
            cause,
            causes: Vec::new(),
            weak: false,
            devices: Vec::new(),
            watched,
            confirm,
            retry: None,
            notice,
            notice_step,
            cleared: tab.and_then(|t| t.cleared.clone()),
            extensions: tab.and_then(|t| t.extensions.clone()),
            listed_at: tab.and_then(listed_at),
            proxy: None,
            proxy_outside_browser: false,
            connection: tab
                .and_then(|t| t.connection.as_ref())
                .map(|c| connection_view(c, lang, false)),
            busy,
            measuring,
            panel_possible: false,
            known_codes: known_codes(catalog, tab, &more),
            loose: loose(&steps),
            ext: ext_offer(tab, &extras),
            steps,
            more,
            extras,
        };
    };
    let mut plan = plan::steps(catalog, &entry.id, &tab.steps, browser);
    // What fixed this error last time comes first.
    let worked = extras.worked.as_deref();
    if let Some(i) = plan.iter().position(|(s, _)| Some(&*s.id) == worked) {
        let first = plan.remove(i);
        plan.insert(0, first);
    }
    let service = catalog
        .service(&d.service)
        .map(|s| s.name.to_string())
        .unwrap_or_default();
    // The error surfaces' footers carry the report already.
    let offered: Vec<&str> = plan
        .iter()
        .filter_map(|(s, _)| s.action.as_deref())
        .chain(["copy-report"])
        .collect();
    // An error nothing on the user's side fixes (a removed video) offers no fixes at all.
    let more = if entry.quiet {
        Vec::new()
    } else {
        more(Some(tab), &offered, &extras)
    };
    let steps = step_views(&plan, tab, lang, &extras, worked);
    let ext = ext_offer(Some(tab), &extras);
    View {
        state: "error".into(),
        code: d.code.clone(),
        shown: shown(d),
        meaning: entry.meaning.for_service(lang, &service),
        cause: entry.cause.for_service(lang, &service),
        causes: entry
            .causes
            .iter()
            .map(|c| c.for_service(lang, &service))
            .collect(),
        service,
        weak: entry.weak,
        // The devices' guides are the service's own (its app on each device).
        devices: catalog
            .device
            .iter()
            .filter(|dv| dv.service == d.service)
            .map(|dv| DeviceView {
                id: dv.id.to_string(),
                name: dv.name.get(lang).to_string(),
                how: dv.how.iter().map(|h| h.get(lang).to_string()).collect(),
            })
            .collect(),
        watched,
        confirm,
        retry: tab.retry.as_ref().map(|r| RetryView {
            attempt: r.attempt,
            max_attempts: retry::max_attempts(),
            next_at: r.next_at,
            reloading: r.reloading,
        }),
        notice,
        notice_step,
        cleared: tab.cleared.clone(),
        extensions: tab.extensions.clone(),
        listed_at: listed_at(tab),
        proxy: tab.proxy.clone(),
        proxy_outside_browser: entry.proxy
            && tab.extensions.as_ref().is_some_and(|list| {
                !list
                    .iter()
                    .any(|c| c.suspect && matches!(c.kind, ExtKind::Vpn | ExtKind::Proxy))
            }),
        connection: tab
            .connection
            .as_ref()
            .map(|c| connection_view(c, lang, true)),
        extras,
        busy,
        measuring,
        panel_possible: panel_possible(tab),
        known_codes: known_codes(catalog, Some(tab), &more),
        loose: loose(&steps),
        ext,
        steps,
        more,
    }
}

/// With `enter-code` offered, the codes the tab's service shows on its screens (its
/// suggestions).
fn known_codes(catalog: &Catalog, tab: Option<&TabState>, more: &[MoreView]) -> Vec<String> {
    let offered = more.iter().any(|m| m.action == "enter-code");
    let Some(service) = tab.and_then(|t| t.service.as_deref()).filter(|_| offered) else {
        return Vec::new();
    };
    catalog
        .error
        .iter()
        .filter(|e| e.service == service)
        .flat_map(|e| e.matcher.codes.iter().map(|c| c.to_string()))
        .collect()
}

/// The tab's error is on a page StreamFix watches, where its content script runs (not
/// the browser's own page for a failed load): the panel can go there.
pub fn panel_possible(tab: &TabState) -> bool {
    tab.watched
        && tab
            .detection
            .as_ref()
            .is_some_and(|d| !matches!(d.evidence, Evidence::Net { .. }))
}

/// When the tab's extensions were listed, if they were.
fn listed_at(tab: &TabState) -> Option<f64> {
    tab.extensions.as_ref().map(|_| tab.listed_at)
}

/// A plan's steps as the surfaces show them: the first one still to do is `next`, the
/// one that fixed this error last time (`worked`) is marked.
fn step_views(
    plan: &[(&crate::core::catalog::Step, StepState)],
    tab: &TabState,
    lang: &str,
    extras: &Extras,
    worked: Option<&str>,
) -> Vec<StepView> {
    let next = plan::next_step(plan).map(|s| &*s.id);
    let measuring = tab.measuring.is_some();
    plan.iter()
        .map(|(s, state)| {
            let own = s.action.as_deref();
            StepView {
                id: s.id.to_string(),
                kind: s.kind,
                action: own
                    .filter(|a| AVAILABLE_ACTIONS.contains(a))
                    // While the countdown runs, its own box offers "Retry now".
                    .filter(|a| tab.retry.is_none() || *a != "retry-now")
                    .map(str::to_string),
                title: s.title.get(lang).to_string(),
                how: s.how.iter().map(|h| h.get(lang).to_string()).collect(),
                state: *state,
                next: next == Some(&*s.id),
                needs: own.and_then(|a| needs(a, extras)),
                worked: worked == Some(&*s.id),
                again: match own {
                    Some("run-connection-check") => tab.connection.is_some() && !measuring,
                    Some("check-extensions") => tab.extensions.is_some(),
                    _ => false,
                },
                waiting: own == Some("run-connection-check") && measuring,
                shows: step_section(own, tab),
            }
        })
        .collect()
}

/// The section a step with action `action` holds on `tab`.
fn step_section(action: Option<&str>, tab: &TabState) -> Option<Section> {
    match action? {
        "run-connection-check" => Some(Section::Connection),
        "check-extensions" => Some(Section::Extensions),
        "clear-site-data" => tab.cleared.as_ref().map(|_| Section::Cleared),
        _ => None,
    }
}

/// The connection and extension sections no step in `steps` holds.
fn loose(steps: &[StepView]) -> Vec<Section> {
    [Section::Connection, Section::Extensions]
        .into_iter()
        .filter(|x| !steps.iter().any(|s| s.shows == Some(*x)))
        .collect()
}

/// What the extensions section offers beside the list, for `tab` as listed.
fn ext_offer(tab: Option<&TabState>, extras: &Extras) -> ExtOffer {
    let Some((list, tab)) = tab.and_then(|t| Some((t.extensions.as_ref()?, t))) else {
        return ExtOffer::default();
    };
    let suspects: Vec<&Classified> = list.iter().filter(|x| x.suspect).collect();
    let toggle = extras.can_toggle;
    let mut actions = Vec::new();
    if toggle && !suspects.is_empty() {
        actions.push("disable-suspects".to_string());
    }
    if toggle && suspects.len() > 1 {
        actions.push("find-culprit".to_string());
    }
    let proxy = tab.proxy.as_ref();
    ExtOffer {
        actions,
        disable_each: suspects
            .iter()
            .filter(|x| toggle && x.can_disable)
            .map(|x| x.id.clone())
            .collect(),
        by_hand: suspects
            .iter()
            .filter(|_| !toggle)
            .map(|x| x.name.clone())
            .collect(),
        proxy_mode: proxy
            .and_then(|p| p.mode.clone())
            .filter(|m| m != "direct" && m != "system"),
        proxy_by: proxy.and_then(|p| p.likely_controller.as_ref()).map(|id| {
            list.iter()
                .find(|x| &x.id == id)
                .map_or_else(|| id.clone(), |x| x.name.clone())
        }),
    }
}

/// With no error on screen, a connection measured below what HD needs: the catalog's
/// advice for a slow line (`match.slow`), its meaning and its steps.
fn slow_advice(
    catalog: &Catalog,
    tab: Option<&TabState>,
    lang: &str,
    browser: Browser,
    extras: &Extras,
) -> Option<(String, String, Vec<StepView>)> {
    let tab = tab?;
    let slow = matches!(
        tab.connection.as_ref().map(|c| c.verdict),
        Some(connection::Verdict::Sd | connection::Verdict::TooSlow)
    );
    let entry = catalog.error.iter().find(|e| slow && e.matcher.slow)?;
    let service = tab
        .service
        .as_deref()
        .and_then(|s| catalog.service(s))
        .map_or("", |s| &s.name);
    let plan = plan::steps(catalog, &entry.id, &tab.steps, browser);
    let steps = step_views(&plan, tab, lang, extras, None);
    Some((
        entry.meaning.for_service(lang, service),
        entry.cause.for_service(lang, service),
        steps,
    ))
}

fn connection_view(
    c: &connection::ConnectionResult,
    lang: &str,
    error_shown: bool,
) -> ConnectionView {
    ConnectionView {
        verdict: c.verdict.as_str().to_string(),
        mbps: c.mbps,
        explain: connection::explain_for(c, lang, error_shown),
    }
}

// ---- encoding (see core::json; the readers are for tests)

crate::json_struct!(Extras, allow, {
    restore: "restore" req,
    bisect: "bisect" req,
    can_toggle: "can_toggle" req,
    missing: "missing" req,
    worked: "worked" def,
});
crate::json_struct!(BisectView, allow, { check: "check" req, max_checks: "max_checks" req });
crate::json_struct!(ConnectionView, allow, {
    verdict: "verdict" req,
    mbps: "mbps" req,
    explain: "explain" req,
});
crate::json_struct!(ConfirmView, allow, {
    action: "action" req,
    site: "site" req,
    origins: "origins" req,
    types: "types" req,
    skipped: "skipped" req,
    note: "note" req,
    this_store_only: "this_store_only" req,
});
crate::json_struct!(RetryView, allow, {
    attempt: "attempt" req,
    max_attempts: "max_attempts" req,
    next_at: "next_at" req,
    reloading: "reloading" req,
});
crate::json_struct!(StepView, allow, {
    id: "id" req,
    kind: "kind" req,
    action: "action" req,
    title: "title" req,
    how: "how" req,
    state: "state" req,
    next: "next" req,
    needs: "needs" req,
    worked: "worked" req,
    again: "again" req,
    waiting: "waiting" req,
    shows: "shows" req,
});
crate::json_unit!(Section { Connection "connection", Extensions "extensions", Cleared "cleared" });
crate::json_struct!(ExtOffer, allow, {
    actions: "actions" req,
    disable_each: "disable_each" req,
    by_hand: "by_hand" req,
    proxy_mode: "proxy_mode" req,
    proxy_by: "proxy_by" req,
});
crate::json_struct!(DeviceView, allow, { id: "id" req, name: "name" req, how: "how" req });
crate::json_tagged!(Shown, "kind", allow, {
    Code "code" { value: "value" req },
    Http "http" { status: "status" req },
    Net "net" { error: "error" req },
    Told "told" { value: "value" req },
});
crate::json_struct!(View, allow, {
    state: "state" req,
    code: "code" req,
    shown: "shown" req,
    service: "service" req,
    meaning: "meaning" req,
    cause: "cause" req,
    causes: "causes" req,
    weak: "weak" req,
    steps: "steps" req,
    devices: "devices" req,
    watched: "watched" req,
    confirm: "confirm" req,
    retry: "retry" req,
    notice: "notice" req,
    notice_step: "notice_step" req,
    cleared: "cleared" req,
    extensions: "extensions" req,
    listed_at: "listed_at" req,
    proxy: "proxy" req,
    proxy_outside_browser: "proxy_outside_browser" req,
    connection: "connection" req,
    extras: "extras" req,
    busy: "busy" req,
    measuring: "measuring" req,
    panel_possible: "panel_possible" req,
    more: "more" req,
    known_codes: "known_codes" req,
    loose: "loose" req,
    ext: "ext" req,
});
crate::json_struct!(MoreView, allow, { action: "action" req, needs: "needs" req });
