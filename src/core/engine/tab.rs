//! What the tab shows and what its requests answer: detection, badge, panel, the
//! wait-and-retry countdown, and judging whether the last step fixed the error.

use super::{same_host, Store, BURST_COUNT, BURST_WINDOW_MS};
use crate::core::catalog::{strings, Catalog};
use crate::core::detector::{self, Detection, Evidence};
use crate::core::messages::{refusal, DocStamp, Effect, Quick, Reply};
use crate::core::plan::StepState;
use crate::core::retry;
use crate::core::state::{
    ApiHit, Doc, InFlight, MainRequest, Notice, Retry, Settings, TabState, MAX_REQUESTS,
};

pub const WAIT_RETRY_STEP: &str = "wait-retry";
/// How long a navigation may stay unanswered before the old document's reports count again.
pub const NAVIGATION_PENDING_MS: f64 = 30_000.0;

/// The document a content script speaks for: the browser's id for it where the browser
/// gives one, else the content script's own; when it said Hello, else now.
pub(super) fn stamp(
    doc: Option<DocStamp>,
    browser_id: Option<String>,
    now: f64,
) -> Option<DocStamp> {
    let at = doc.as_ref().map_or(now, |d| d.at);
    let id = browser_id.or(doc.map(|d| d.id))?;
    Some(DocStamp {
        id,
        at: if at > 0.0 { at } else { now },
    })
}

pub(super) fn hello(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: &str,
    frame: &str,
    doc: Option<DocStamp>,
) -> Reply {
    let settings = store.settings();
    let service = same_host(url, frame)
        .then(|| detector::watched_service(catalog, url))
        .flatten()
        .filter(|s| settings.watches(&s.id));
    // A frame of another site inside the tab says nothing about the tab itself.
    if same_host(url, frame) {
        let mut tab = store.tab(tab_id);
        if let Some(s) = service {
            moved_to(&mut tab, &s.id);
        } else {
            // Not watched (switched off, or no service): nothing reloads it by itself.
            tab.retry = None;
        }
        if let Some(d) = doc {
            arrived(store, tab_id, &mut tab, d);
        }
        tab.url = url.to_string();
        tab.service = service.map(|s| s.id.to_string());
        tab.watched = service.is_some();
        tab.page_at = store.ctx.now;
        // A document of the tab speaks: any navigation before it is over.
        tab.navigating_at = 0.0;
        store.put_tab(tab_id, &tab);
    }
    let quick = match service {
        Some(s) => quick(catalog, &s.id, &store.tab(tab_id), &store.settings()),
        None => Quick::default(),
    };
    Reply::Watch {
        watching: service.is_some(),
        selectors: service
            .map(|s| strings(&s.error_selectors))
            .unwrap_or_default(),
        hints: service
            .map(|s| detector::hints(catalog, s))
            .unwrap_or_default(),
        max_block_chars: detector::MAX_BLOCK_CHARS,
        quick,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn page_report(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: &str,
    doc: Option<DocStamp>,
    found: Option<Detection>,
    settled: bool,
    news: bool,
) -> Reply {
    let mut tab = store.tab(tab_id);
    // Another document's report (the old page's last word, after the new one said
    // Hello) isn't about what the tab shows. A document the tab has no record of (its
    // state was lost) becomes the tab's.
    let other_document = match (&doc, &tab.doc) {
        (Some(d), Some(cur)) => d.id != cur.id,
        (Some(d), None) => {
            tab.doc = Some(Doc {
                id: d.id.clone(),
                at: d.at,
                after: 0.0,
            });
            false
        }
        (None, _) => false,
    };
    // The tab has moved to another site (its navigation started, or the new document
    // said Hello): this is the old document's last word, and it isn't about the tab.
    // Likewise while the tab's next page is loading: what the old one shows then says
    // nothing about whether the step that led to the navigation helped.
    if other_document
        || (!tab.url.is_empty() && !same_host(url, &tab.url))
        || navigation_pending(store, &tab)
    {
        return Reply::Verdict {
            panel: None,
            retry_at: None,
            quick: Quick::default(),
        };
    }
    tab.url = url.to_string();
    tab.page_at = store.ctx.now;
    let settings = store.settings();
    let service = detector::watched_service(catalog, url).filter(|s| settings.watches(&s.id));
    tab.service = service.map(|s| s.id.to_string());
    tab.watched = service.is_some();
    // A network-level detection (HTTP status, failed load) stands until the next
    // navigation: the error page the server sent often shows no code at all.
    let keep_network = matches!(
        tab.detection.as_ref().map(|d| &d.evidence),
        Some(Evidence::Http { .. } | Evidence::Net { .. })
    );
    // A code the user entered stands until the next page, or until the page shows one.
    let told = matches!(
        tab.detection.as_ref().map(|d| &d.evidence),
        Some(Evidence::Told)
    );
    // A screen that only says it failed adds nothing to the status that brought it.
    let unnamed = found.as_ref().is_some_and(|d| unnamed_screen(catalog, d));
    if found.is_some() && !(keep_network && unnamed) || (!keep_network && !told && news) {
        set_detection(catalog, store, tab_id, &mut tab, found);
        tab.network_at = 0.0;
    }
    outcome(catalog, store, tab_id, &mut tab, settled);
    store.put_tab(tab_id, &tab);
    // The browser resets a tab's badge when a navigation commits, which can come after
    // the response that set it: every page report sets it again.
    if !store
        .out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { .. }))
    {
        let lang = store.ctx.env.lang.clone();
        let b = badge(catalog, tab_id, tab.detection.as_ref(), &lang);
        store.out.effects.push(b);
    }
    let settings = store.settings();
    Reply::Verdict {
        panel: panel_code(catalog, &tab, &settings),
        retry_at: tab
            .retry
            .as_ref()
            .filter(|r| !r.reloading)
            .map(|r| r.next_at),
        quick: match &tab.service {
            Some(s) => quick(catalog, s, &tab, &settings),
            None => Quick::default(),
        },
    }
}

/// A navigation of the tab is under way (see [`TabState::navigating_at`]); one that
/// hasn't ended in this long is taken as over, whatever the browser failed to tell.
fn navigation_pending(store: &Store, tab: &TabState) -> bool {
    tab.navigating_at > 0.0 && store.ctx.now - tab.navigating_at < NAVIGATION_PENDING_MS
}

pub(super) fn navigating(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: String,
    started_at: f64,
    request_id: Option<String>,
) -> Reply {
    let mut tab = store.tab(tab_id);
    // A redirect is the same request again: its first start is the one that counts.
    let start = known_start(&tab, request_id.as_deref()).unwrap_or(started_at);
    remember(&mut tab, request_id, start);
    // Firefox can deliver a request's start after the document it brought said Hello
    // (a site's service worker answered it): news about that document, or older.
    if place(&tab, start) != Placed::Newer {
        store.put_tab(tab_id, &tab);
        return Reply::Ok;
    }
    if let Some(s) = detector::watched_service(catalog, &url) {
        moved_to(&mut tab, &s.id);
    }
    tab.url = url;
    tab.navigating_at = store.ctx.now;
    new_page(store, tab_id, &mut tab, false);
    store.put_tab(tab_id, &tab);
    let lang = store.ctx.env.lang.clone();
    store.out.effects.push(badge(catalog, tab_id, None, &lang));
    Reply::Ok
}

/// A document of the tab said Hello. A new one starts the tab's page afresh, whatever
/// order the browser delivered the events of the request that brought it in; the same
/// one again (restored from the back/forward cache) only moves its time on.
fn arrived(store: &mut Store, tab_id: i64, tab: &mut TabState, d: DocStamp) {
    if let Some(cur) = tab.doc.as_mut().filter(|cur| cur.id == d.id) {
        cur.at = cur.at.max(d.at);
        return;
    }
    let after = tab.doc.as_ref().map_or(0.0, |cur| cur.at);
    // The HTTP answer that brought this very document stands (its error page may show
    // no code); anything else was about an earlier page.
    let own_answer = matches!(
        tab.detection.as_ref().map(|d| &d.evidence),
        Some(Evidence::Http { .. })
    ) && tab.network_at > after;
    tab.doc = Some(Doc {
        id: d.id,
        at: d.at,
        after,
    });
    new_page(store, tab_id, tab, own_answer);
}

/// The tab moves on to a new page (a navigation started, or a new document said Hello):
/// what was about the old one goes, and the step being tried is judged by the new one.
fn new_page(store: &mut Store, tab_id: i64, tab: &mut TabState, keep_detection: bool) {
    if !keep_detection {
        tab.detection = None;
        tab.network_at = 0.0;
    }
    tab.api_hits.clear();
    tab.pending = None;
    if let Some(j) = &mut tab.judging {
        j.armed = true;
    }
    // The retry reload is under way: news of it, in this worker.
    if let Some(r) = tab.retry.as_mut().filter(|r| r.reloading) {
        r.issued = Some(InFlight::new(store.ctx.now, &store.ctx.env.instance));
    }
    super::extensions::navigating(store, tab_id);
}

/// Where a main-frame request stands to the document the tab shows, by when it started
/// against when that document (and the one before it) said Hello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    /// Started after the document said Hello, or nothing places it: news.
    Newer,
    /// The request that brought the document the tab shows.
    Own,
    /// Older than that: nothing it says is about what the tab shows.
    Older,
}

fn place(tab: &TabState, started_at: f64) -> Placed {
    match &tab.doc {
        Some(d) if started_at > 0.0 && started_at <= d.at => {
            if started_at > d.after {
                Placed::Own
            } else {
                Placed::Older
            }
        }
        _ => Placed::Newer,
    }
}

/// When a request the tab remembers started.
fn known_start(tab: &TabState, request_id: Option<&str>) -> Option<f64> {
    let id = request_id?;
    tab.requests
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.started_at)
}

/// Notes a main-frame request's start, so its later events can be placed; the oldest
/// goes past [`MAX_REQUESTS`].
fn remember(tab: &mut TabState, request_id: Option<String>, started_at: f64) {
    let Some(id) = request_id else { return };
    if started_at <= 0.0 || tab.requests.iter().any(|r| r.id == id) {
        return;
    }
    tab.requests.push(MainRequest { id, started_at });
    if tab.requests.len() > MAX_REQUESTS {
        let oldest = (0..tab.requests.len())
            .min_by(|&a, &b| {
                tab.requests[a]
                    .started_at
                    .total_cmp(&tab.requests[b].started_at)
            })
            .unwrap_or(0);
        tab.requests.remove(oldest);
    }
}

/// The tab is now on `service`. Coming from another one, it starts afresh: what was
/// tried, dismissed, stopped or measured there says nothing about this one. What is
/// about the browser stays: the extension listing, the proxy, a clearing under way.
fn moved_to(tab: &mut TabState, service: &str) {
    let current = tab
        .service
        .as_deref()
        .or(tab.detection.as_ref().map(|d| d.service.as_str()));
    if current.is_none_or(|c| c == service) {
        return;
    }
    // Every field named (a new one must be sorted here); reset in place, which the wasm's
    // size prefers to building a new state.
    let TabState {
        url: _,
        page_at: _,
        navigating_at: _,
        extensions: _,
        listed_at: _,
        proxy: _,
        clearing: _,
        doc: _,
        requests: _,
        network_at,
        service,
        watched,
        detection,
        detected_at,
        steps,
        dismissed,
        requested,
        api_hits,
        pending,
        judging,
        retry,
        retry_cancelled,
        notice,
        cleared,
        connection,
        measuring,
    } = tab;
    *service = None;
    *watched = false;
    *detection = None;
    *network_at = 0.0;
    *detected_at = 0.0;
    *steps = Default::default();
    dismissed.clear();
    *requested = None;
    api_hits.clear();
    *pending = None;
    *judging = None;
    *retry = None;
    retry_cancelled.clear();
    *notice = None;
    *cleared = None;
    *connection = None;
    *measuring = None;
}

/// Found by a screen that only says it failed, in words no entry knows.
pub(super) fn unnamed_screen(catalog: &Catalog, d: &Detection) -> bool {
    catalog
        .entry(&d.entry)
        .is_some_and(|e| e.matcher.unnamed_screen)
}

pub(super) fn http_response(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: &str,
    status: u16,
    main_frame: bool,
    request_id: Option<&str>,
) -> Reply {
    let now = store.ctx.now;
    let mut tab = store.tab(tab_id);
    let found = detector::detect_http(catalog, url, status);
    if main_frame {
        let start = known_start(&tab, request_id).unwrap_or(0.0);
        let evidence = tab.detection.as_ref().map(|d| &d.evidence);
        match place(&tab, start) {
            Placed::Older => return Reply::Ok,
            // The answer that brought the page the tab shows, delivered after that page
            // spoke: what the page itself showed says more.
            Placed::Own
                if matches!(evidence, Some(Evidence::Page { .. }))
                    && !tab
                        .detection
                        .as_ref()
                        .is_some_and(|d| unnamed_screen(catalog, d)) =>
            {
                return Reply::Ok
            }
            Placed::Own => {}
            Placed::Newer => {
                tab.url = url.to_string();
                // Answered: either its document follows (and says Hello), or there is
                // none (a 204, a download) and the old one stays.
                tab.navigating_at = 0.0;
            }
        }
        let had_http = matches!(evidence, Some(Evidence::Http { .. }));
        let shown = tab.detection.as_ref().map(|d| d.code.clone());
        if found.is_some() || had_http {
            set_detection(catalog, store, tab_id, &mut tab, found);
            tab.network_at = start;
            // The page's own panel (for a screen that only said it failed) now has
            // the status to tell.
            let code = panel_code(catalog, &tab, &store.settings());
            if shown.is_some() && code.is_some() && code != shown {
                store.out.effects.push(Effect::Panel {
                    tab_id,
                    code,
                    focus: false,
                });
            }
        }
        if tab.detection.is_some() {
            outcome(catalog, store, tab_id, &mut tab, false);
        }
        store.put_tab(tab_id, &tab);
        return Reply::Ok;
    }
    tab.api_hits.retain(|h| now - h.at <= BURST_WINDOW_MS);
    if found.is_some() {
        tab.api_hits.push(ApiHit { at: now, status });
    }
    if tab.api_hits.len() >= BURST_COUNT && tab.detection.is_none() {
        set_detection(catalog, store, tab_id, &mut tab, found);
        tab.network_at = 0.0;
        outcome(catalog, store, tab_id, &mut tab, false);
        if let Some(code) = panel_code(catalog, &tab, &store.settings()) {
            store.out.effects.push(Effect::Panel {
                tab_id,
                code: Some(code),
                focus: false,
            });
        }
    }
    store.put_tab(tab_id, &tab);
    Reply::Ok
}

pub(super) fn net_error(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    url: String,
    error: &str,
    main_frame: bool,
    request_id: Option<&str>,
) -> Reply {
    if !main_frame {
        return Reply::Ok;
    }
    let mut tab = store.tab(tab_id);
    // A request older than the document the tab shows, or the one that brought it:
    // whatever became of it, the page is there.
    let start = known_start(&tab, request_id).unwrap_or(0.0);
    if place(&tab, start) != Placed::Newer {
        return Reply::Ok;
    }
    // The navigation ended (Stop, a download taking over, a failed load).
    tab.navigating_at = 0.0;
    if let Some(found) = detector::detect_net(catalog, &url, error) {
        tab.url = url;
        set_detection(catalog, store, tab_id, &mut tab, Some(found));
        tab.network_at = start;
        outcome(catalog, store, tab_id, &mut tab, false);
    }
    store.put_tab(tab_id, &tab);
    Reply::Ok
}

/// The countdown ran out: reload, once, if the error is still there. The answer (for
/// the content script) says when to ask again: the countdown's new end, or while the
/// reload is under way a little later, in case the worker stops before it happens.
pub(super) fn retry_due(catalog: &Catalog, store: &mut Store, tab_id: i64) -> Reply {
    let now = store.ctx.now;
    let mut tab = store.tab(tab_id);
    // Timers in the page may fire a little early; a second early is still due.
    let due = tab
        .retry
        .as_ref()
        .is_some_and(|r| !r.reloading && now + 1000.0 >= r.next_at);
    // Waiting helps only an overload, and only on a service StreamFix still watches.
    let settings = store.settings();
    let overload = tab
        .detection
        .as_ref()
        .map(|d| catalog.entry(&d.entry).is_some_and(|e| e.retry));
    let watched = tab
        .service
        .as_deref()
        .or(tab.detection.as_ref().map(|d| d.service.as_str()))
        .is_some_and(|s| settings.watches(s));
    if tab.retry.is_some() && (overload == Some(false) || !watched) {
        tab.retry = None;
        store.put_tab(tab_id, &tab);
    } else if due && overload == Some(true) {
        if let Some(r) = &mut tab.retry {
            r.reloading = true;
            r.issued = Some(InFlight::new(now, &store.ctx.env.instance));
        }
        store.out.effects.push(Effect::Reload { tab_id });
        store.put_tab(tab_id, &tab);
    }
    Reply::Verdict {
        panel: panel_code(catalog, &tab, &settings),
        // Never a time already past: the caller would ask again at once.
        retry_at: tab.retry.as_ref().map(|r| {
            if r.reloading || r.next_at <= now + 1000.0 {
                now + super::recover::RECHECK_MS
            } else {
                r.next_at
            }
        }),
        // The content script reads only `retry_at` from this answer.
        quick: Quick::default(),
    }
}

/// After a page outcome: judge the step that was just tried, feed a culprit search, and
/// run the wait-and-retry countdown. An error counts at once; a healthy page only once
/// it has `settled` (players insert their error screens a while after loading).
fn outcome(catalog: &Catalog, store: &mut Store, tab_id: i64, tab: &mut TabState, settled: bool) {
    let error = tab.detection.is_some();
    if !error && !settled {
        return;
    }
    if let Some(j) = tab.judging.take_if(|j| j.armed) {
        let state = if error {
            StepState::NotHelped
        } else {
            StepState::Helped
        };
        tab.steps.insert(j.step.clone(), state);
        if let (false, Some(key)) = (error, j.error) {
            store.fixed(key, j.step.clone());
        }
        tab.notice = Some(if error {
            Notice::NotFixed { step: j.step }
        } else {
            Notice::Fixed { step: j.step }
        });
    }
    super::extensions::outcome(store, tab_id, tab, error);
    let now = store.ctx.now;
    match (tab.retry.clone(), tab.detection.as_ref()) {
        (Some(r), None) => {
            if r.reloading {
                tab.steps
                    .insert(WAIT_RETRY_STEP.to_string(), StepState::Helped);
                tab.notice = Some(Notice::Fixed {
                    step: WAIT_RETRY_STEP.to_string(),
                });
            }
            tab.retry = None;
        }
        // After a reload the page shows an error waiting doesn't help: stop.
        (Some(_), Some(d)) if !catalog.entry(&d.entry).is_some_and(|e| e.retry) => {
            tab.retry = None;
        }
        (Some(r), Some(_)) if r.reloading => {
            tab.retry = retry::delay_ms(r.attempt.saturating_add(1)).map(|d| Retry {
                attempt: r.attempt.saturating_add(1),
                next_at: now + d,
                reloading: false,
                issued: None,
            });
            if tab.retry.is_none() {
                tab.steps
                    .insert(WAIT_RETRY_STEP.to_string(), StepState::NotHelped);
                tab.notice = Some(Notice::RetryGaveUp);
            }
        }
        (None, Some(d)) => {
            let overload = catalog.entry(&d.entry).is_some_and(|e| e.retry);
            let stopped = tab.retry_cancelled.contains(&d.code)
                || tab.steps.get(WAIT_RETRY_STEP) == Some(&StepState::NotHelped);
            // The tab reloads by itself only while the panel says so (not for a code
            // the user muted or closed, nor with the panel switched off).
            let shown = panel_code(catalog, tab, &store.settings()).is_some();
            if overload && !stopped && shown {
                tab.retry = retry::delay_ms(1).map(|d| Retry {
                    attempt: 1,
                    next_at: now + d,
                    reloading: false,
                    issued: None,
                });
            }
        }
        _ => {}
    }
}

/// The verdicts for known codes in an error container, decided ahead of time: a page
/// detection of code `c` gets the panel for `c` unless [`panel_code`] mutes it.
fn quick(catalog: &Catalog, service: &str, tab: &TabState, settings: &Settings) -> Quick {
    let entries = catalog.error.iter().filter(|e| e.service == service);
    let mut codes = Vec::new();
    let mut quiet = Vec::new();
    for e in entries {
        for c in e.matcher.codes.iter() {
            let c = c.to_string();
            if stays_closed(tab, settings, service, &c, e.quiet) {
                quiet.push(c.clone());
            }
            codes.push(c);
        }
    }
    Quick { codes, quiet }
}

/// The code to show the panel for, unless it [`stays_closed`].
pub(super) fn panel_code(catalog: &Catalog, tab: &TabState, settings: &Settings) -> Option<String> {
    let d = tab.detection.as_ref()?;
    let quiet = catalog.entry(&d.entry).is_some_and(|e| e.quiet);
    (!stays_closed(tab, settings, &d.service, &d.code, quiet)).then(|| d.code.clone())
}

/// The one rule for whether `code` gets no panel by itself: the panel is off, the user
/// closed or muted it, or it is an error nothing on the user's side fixes (`quiet`);
/// never when the user asked for it.
fn stays_closed(
    tab: &TabState,
    settings: &Settings,
    service: &str,
    code: &str,
    quiet: bool,
) -> bool {
    tab.requested.as_deref() != Some(code)
        && (quiet
            || !settings.auto_panel
            || settings.mutes(service, code)
            || tab.dismissed.iter().any(|c| c == code))
}

/// The code the user entered (`enter-code`) becomes the tab's diagnosis, as if the page
/// had shown it; refused when it is no code of the tab's service nor shaped like one.
pub(super) fn enter_code(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    code: &str,
) -> Result<(), String> {
    if tab.service.is_none() {
        return Err(refusal::NOT_SERVICE.to_string());
    }
    let found = detector::detect_told(catalog, &tab.url, code)
        .ok_or_else(|| refusal::NOT_A_CODE.to_string())?;
    // The user is looking at the popup or panel: it shows the diagnosis, and the panel
    // may come on the page for it as for a detected one.
    set_detection(catalog, store, tab_id, tab, Some(found));
    tab.notice = None;
    Ok(())
}

/// Records a new detection (or its absence) and updates the badge when it changed.
fn set_detection(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    found: Option<Detection>,
) {
    // A service the user turned off in the options is not judged at all.
    let settings = store.settings();
    let found = found.filter(|d| settings.watches(&d.service));
    let changed = tab.detection.as_ref().map(|d| &d.code) != found.as_ref().map(|d| &d.code);
    // The panel the user asked for is for the error then on screen, not a later one.
    if tab.requested.as_ref() != found.as_ref().map(|d| &d.code) {
        tab.requested = None;
    }
    if let Some(d) = &found {
        // A failed load never ran the content script: the detection names the service.
        tab.service = Some(d.service.clone());
        tab.watched = true;
    }
    if changed {
        tab.detected_at = store.ctx.now;
        tab.detection = found;
        let lang = store.ctx.env.lang.clone();
        let b = badge(catalog, tab_id, tab.detection.as_ref(), &lang);
        store.out.effects.push(b);
        // Suspect extensions are listed the moment an error appears.
        if tab.detection.is_some() {
            super::extensions::list_extensions(store, Some(tab_id));
        }
    }
}

fn badge(catalog: &Catalog, tab_id: i64, d: Option<&Detection>, lang: &str) -> Effect {
    let after_load = matches!(d.map(|d| &d.evidence), Some(Evidence::Net { .. }));
    match d {
        Some(d) => {
            let service = catalog.service(&d.service).map_or("", |s| &s.name);
            let meaning = catalog
                .entry(&d.entry)
                .map(|e| e.meaning.for_service(lang, service))
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
