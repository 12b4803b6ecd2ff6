use super::*;
use crate::core::detector::{Block, BlockKind};
use crate::core::messages::OptionsView;
use crate::core::plan::StepState;
use crate::core::report::Word;
use crate::core::state::{BisectRun, InFlight, Notice, BISECT_KEY};
use serde_json::Value;
use std::collections::BTreeMap;

mod documents;

const ID: &str = "streamfixid";
const ORIGIN: &str = "chrome-extension://streamfixid/";
const PAGE: &str = "https://www.netflix.com/watch/1";

fn raw(map: &BTreeMap<String, Value>) -> Map<Stored> {
    map.iter()
        .map(|(k, v)| (k.clone(), Stored::from_json_text(v.to_string())))
        .collect()
}

fn value(map: &Map<Stored>) -> BTreeMap<String, Value> {
    map.iter()
        .map(|(k, v)| (k.clone(), serde_json::from_str(v.get()).unwrap()))
        .collect()
}

/// Plays the service worker's part: keeps the stores and applies what the core returns.
struct Sw {
    catalog: Catalog,
    session: BTreeMap<String, Value>,
    local: BTreeMap<String, Value>,
    now: f64,
    browser: crate::core::sitedata::Browser,
    /// The worker instance; a new value plays a worker restart.
    instance: String,
    /// Optional permissions the browser hasn't granted.
    missing: Vec<crate::core::messages::Permission>,
}

impl Sw {
    fn new() -> Self {
        Sw {
            catalog: Catalog::embedded(),
            session: BTreeMap::new(),
            local: BTreeMap::new(),
            now: 1_000_000.0,
            browser: Default::default(),
            instance: "worker-1".into(),
            missing: Vec::new(),
        }
    }

    fn send(&mut self, msg: &Msg, sender: Sender) -> Output {
        let json = serde_json::to_string(msg).unwrap();
        self.send_raw(&json, sender)
    }

    fn send_raw_with_browser(
        &mut self,
        json: &str,
        browser: crate::core::sitedata::Browser,
    ) -> Output {
        self.browser = browser;
        let out = self.send_raw(json, popup());
        self.browser = Default::default();
        out
    }

    fn send_raw(&mut self, json: &str, sender: Sender) -> Output {
        let ctx = Context {
            sender,
            env: Env {
                self_id: ID.into(),
                self_origin: ORIGIN.into(),
                lang: "en".into(),
                browser: self.browser,
                instance: self.instance.clone(),
                missing: self.missing.clone(),
            },
            session: raw(&self.session),
            local: raw(&self.local),
            now: self.now,
        };
        let out = dispatch(&self.catalog, json, &ctx);
        self.session.extend(value(&out.session_set));
        for k in &out.session_remove {
            self.session.remove(k);
        }
        self.local.extend(value(&out.local_set));
        out
    }

    fn tab(&self, id: i64) -> TabState {
        serde_json::from_value(self.session[&tab_key(id)].clone()).unwrap()
    }
}

fn page(tab: i64) -> Sender {
    Sender::Runtime {
        document_id: None,
        id: Some(ID.into()),
        url: Some(PAGE.into()),
        tab_id: Some(tab),
        frame_id: Some(0),
    }
}

fn popup() -> Sender {
    Sender::Runtime {
        document_id: None,
        id: Some(ID.into()),
        url: Some(format!("{ORIGIN}popup.html")),
        tab_id: None,
        frame_id: None,
    }
}

fn report(text: &str) -> Msg {
    Msg::PageReport {
        doc: None,
        status: None,
        settled: true,
        url: PAGE.into(),
        blocks: vec![Block {
            place: None,
            kind: BlockKind::Container,
            text: text.into(),
        }],
    }
}

fn get_view(sw: &mut Sw, tab: i64) -> Output {
    sw.send_raw(
        &format!(r#"{{"type":"GetView","tab_id":{tab},"lang":"en"}}"#),
        popup(),
    )
}

/// The tab's page starts loading `PAGE` again (the worker's `onBeforeRequest`).
fn navigated(sw: &mut Sw, tab: i64) -> Output {
    sw.send(
        &Msg::Navigating {
            request_id: None,
            tab_id: tab,
            url: PAGE.into(),
            started_at: 0.0,
        },
        Sender::Internal,
    )
}

fn panel_of(out: &Output) -> Option<String> {
    match &out.reply {
        Reply::Verdict { panel, .. } => panel.clone(),
        other => panic!("not a verdict: {other:?}"),
    }
}

/// The user's settings as stored (`storage.local`).
fn with_settings(sw: &mut Sw, settings: Value) {
    sw.local.insert(SETTINGS_KEY.into(), settings);
}

fn view_of(out: &Output) -> &view::View {
    match &out.reply {
        Reply::View { view } => view,
        other => panic!("not a view: {other:?}"),
    }
}

#[test]
fn hello_tells_what_to_watch() {
    let mut sw = Sw::new();
    let out = sw.send(
        &Msg::Hello {
            doc: None,
            url: PAGE.into(),
        },
        page(1),
    );
    let Reply::Watch {
        watching,
        selectors,
        ..
    } = out.reply
    else {
        panic!()
    };
    assert!(watching);
    assert!(!selectors.is_empty());
}

#[test]
fn help_page_is_not_watched() {
    let mut sw = Sw::new();
    let sender = Sender::Runtime {
        document_id: None,
        id: Some(ID.into()),
        url: Some("https://help.netflix.com/en".into()),
        tab_id: Some(1),
        frame_id: Some(0),
    };
    let out = sw.send(
        &Msg::Hello {
            doc: None,
            url: "https://help.netflix.com/en".into(),
        },
        sender,
    );
    assert!(matches!(
        out.reply,
        Reply::Watch {
            watching: false,
            ..
        }
    ));
}

#[test]
fn error_report_sets_badge_panel_and_view() {
    let mut sw = Sw::new();
    let out = sw.send(&report("Error Code: NSEZ-503"), page(7));
    assert_eq!(panel_of(&out), Some("NSEZ-503".into()));
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { tab_id: 7, text, .. } if text == "!")));
    let out = sw.send(
        &Msg::GetView {
            tab_id: Some(7),
            lang: "es".into(),
            url: None,
        },
        popup(),
    );
    let v = view_of(&out);
    assert_eq!((v.state.as_str(), v.code.as_str()), ("error", "NSEZ-503"));
    assert_eq!(v.steps[0].id, "wait-retry");
    assert!(v.meaning.starts_with("No se pudo"), "{}", v.meaning);
}

#[test]
fn recovery_clears_badge() {
    let mut sw = Sw::new();
    sw.send(&report("Error Code: NSEZ-503"), page(7));
    let out = sw.send(&report("Continue watching"), page(7));
    assert_eq!(panel_of(&out), None);
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { text, .. } if text.is_empty())));
    assert!(sw.tab(7).detection.is_none());
}

#[test]
fn http_error_survives_a_codeless_page_report() {
    let mut sw = Sw::new();
    let ev = Msg::HttpResponse {
        request_id: None,
        tab_id: 3,
        url: PAGE.into(),
        status: 503,
        main_frame: true,
    };
    sw.send(&ev, Sender::Internal);
    let out = sw.send(&report("Service Unavailable"), page(3));
    assert_eq!(panel_of(&out), Some("HTTP-503".into()));
    // The next navigation answering 200 clears it.
    navigated(&mut sw, 3);
    let ok = Msg::HttpResponse {
        request_id: None,
        tab_id: 3,
        url: PAGE.into(),
        status: 200,
        main_frame: true,
    };
    sw.send(&ok, Sender::Internal);
    assert!(sw.tab(3).detection.is_none());
}

#[test]
fn api_burst_is_an_error_single_failure_is_not() {
    let mut sw = Sw::new();
    let api = |s| Msg::HttpResponse {
        request_id: None,
        tab_id: 4,
        url: "https://www.netflix.com/api/x".into(),
        status: s,
        main_frame: false,
    };
    sw.send(&api(502), Sender::Internal);
    assert!(sw.tab(4).detection.is_none());
    sw.now += 1000.0;
    sw.send(&api(502), Sender::Internal);
    sw.now += 1000.0;
    let out = sw.send(&api(502), Sender::Internal);
    assert_eq!(sw.tab(4).detection.unwrap().code, "HTTP-502");
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Panel { code: Some(_), .. })));
}

#[test]
fn old_api_failures_do_not_add_up() {
    let mut sw = Sw::new();
    for _ in 0..5 {
        let ev = Msg::HttpResponse {
            request_id: None,
            tab_id: 4,
            url: "https://www.netflix.com/api/x".into(),
            status: 503,
            main_frame: false,
        };
        sw.send(&ev, Sender::Internal);
        sw.now += BURST_WINDOW_MS + 1.0;
    }
    assert!(sw.tab(4).detection.is_none());
}

#[test]
fn dns_failure_is_detected_from_net_error() {
    let mut sw = Sw::new();
    let ev = net_error(5, "net::ERR_NAME_NOT_RESOLVED");
    let out = sw.send(&ev, Sender::Internal);
    assert_eq!(sw.tab(5).detection.unwrap().code, "DNS");
    // Set once the error page has loaded: its commit would clear an earlier badge.
    assert!(out.effects.iter().any(|e| matches!(
        e,
        Effect::Badge {
            tab_id: 5,
            after_load: true,
            ..
        }
    )));
}

#[test]
fn browser_events_from_pages_are_refused() {
    let mut sw = Sw::new();
    let ev = net_error(5, "net::ERR_NAME_NOT_RESOLVED");
    let out = sw.send(&ev, page(5));
    assert!(matches!(out.reply, Reply::Error { .. }));
    assert!(sw.session.is_empty());
}

#[test]
fn other_extensions_are_refused() {
    let mut sw = Sw::new();
    let sender = Sender::Runtime {
        document_id: None,
        id: Some("evil".into()),
        url: Some(PAGE.into()),
        tab_id: Some(1),
        frame_id: Some(0),
    };
    let out = sw.send(&report("NSEZ-503"), sender);
    assert!(matches!(out.reply, Reply::Error { error } if error.contains("not StreamFix")));
}

#[test]
fn page_cannot_ask_for_views_or_mark_steps() {
    let mut sw = Sw::new();
    let out = sw.send(
        &Msg::GetView {
            tab_id: Some(1),
            lang: "en".into(),
            url: None,
        },
        page(1),
    );
    assert!(matches!(out.reply, Reply::Error { .. }));
    let m = Msg::MarkStep {
        tab_id: Some(1),
        step: "restart-network".into(),
        state: StepState::Done,
    };
    assert!(matches!(sw.send(&m, page(1)).reply, Reply::Error { .. }));
}

#[test]
fn page_report_for_another_host_is_refused() {
    let mut sw = Sw::new();
    let m = Msg::PageReport {
        doc: None,
        url: "https://www.netflix.com.evil.org/".into(),
        blocks: vec![],
        status: None,
        settled: true,
    };
    assert!(matches!(sw.send(&m, page(1)).reply, Reply::Error { .. }));
}

#[test]
fn malformed_messages_get_clear_errors() {
    let mut sw = Sw::new();
    for raw in ["{", "{\"type\":\"Nope\"}", "42", "{\"type\":\"Hello\"}"] {
        let out = sw.send_raw(raw, page(1));
        match out.reply {
            Reply::Error { error } => assert!(error.starts_with("message refused"), "{error}"),
            other => panic!("{raw}: {other:?}"),
        }
    }
}

#[test]
fn dismiss_hides_panel_for_that_code_only() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let out = sw.send(&Msg::Dismiss { tab_id: Some(2) }, popup());
    assert!(out.effects.contains(&Effect::Panel {
        tab_id: 2,
        code: None,
        focus: false,
    }));
    assert_eq!(panel_of(&sw.send(&report("NSEZ-503"), page(2))), None);
    assert_eq!(
        panel_of(&sw.send(&report("NSEZ-403"), page(2))),
        Some("NSEZ-403".into())
    );
}

#[test]
fn step_marks_survive_reloads() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let m = Msg::MarkStep {
        tab_id: Some(2),
        step: "restart-network".into(),
        state: StepState::NotHelped,
    };
    let v = sw.send(&m, popup());
    assert!(view_of(&v)
        .steps
        .iter()
        .any(|s| s.id == "restart-network" && s.state == StepState::NotHelped));
    navigated(&mut sw, 2);
    sw.send(&report("NSEZ-503"), page(2));
    assert_eq!(sw.tab(2).steps["restart-network"], StepState::NotHelped);
}

#[test]
fn closed_tab_state_is_dropped() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(9));
    sw.send(&Msg::TabClosed { tab_id: 9 }, Sender::Internal);
    assert!(!sw.session.contains_key("tab:9"));
}

#[test]
fn muted_code_shows_no_panel_but_keeps_badge() {
    let mut sw = Sw::new();
    with_settings(
        &mut sw,
        serde_json::json!({"auto_panel": true, "muted_codes": ["NSEZ-503"]}),
    );
    let out = sw.send(&report("NSEZ-503"), page(2));
    assert_eq!(panel_of(&out), None);
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")));
}

#[test]
fn json_entry_point_never_fails() {
    let ctx = serde_json::json!({
        "sender": {"kind": "runtime", "id": ID, "url": PAGE, "tab_id": 1, "frame_id": 0},
        "env": {"self_id": ID, "self_origin": ORIGIN, "lang": "en"},
        "session": {}, "local": {}, "now": 1.0
    })
    .to_string();
    let out: Value = serde_json::from_str(&dispatch_json(
        r#"{"type":"Hello","url":"https://www.netflix.com/"}"#,
        &ctx,
    ))
    .unwrap();
    assert_eq!(out["reply"]["type"], "Watch");
    let out: Value = serde_json::from_str(&dispatch_json("{}", "not json")).unwrap();
    assert!(out["reply"]["error"]
        .as_str()
        .unwrap()
        .contains("bad call context"));
}

#[test]
fn content_script_may_dismiss_its_own_tab_only() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    sw.send(&report("NSEZ-503"), page(3));
    let out = sw.send(&Msg::Dismiss { tab_id: None }, page(2));
    assert_eq!(
        out.effects,
        vec![Effect::Panel {
            tab_id: 2,
            code: None,
            focus: false,
        }]
    );
    let out = sw.send(&Msg::Dismiss { tab_id: Some(3) }, page(2));
    assert!(matches!(out.reply, Reply::Error { .. }));
    assert!(sw.tab(3).dismissed.is_empty());
}

#[test]
fn retry_now_reloads_the_tab_and_unknown_actions_are_refused() {
    let mut sw = Sw::new();
    let out = sw.send_raw(r#"{"type":"Run","tab_id":4,"action":"retry-now"}"#, popup());
    assert_eq!(out.effects, vec![Effect::Reload { tab_id: 4 }]);
    let out = sw.send_raw(
        r#"{"type":"Run","tab_id":4,"action":"format-disk"}"#,
        popup(),
    );
    assert!(matches!(out.reply, Reply::Error { .. }));
    let out = sw.send_raw(r#"{"type":"Run","action":"retry-now"}"#, page(4));
    assert!(out.effects.is_empty());
}

#[test]
fn core_info_for_extension_pages_only() {
    let mut sw = Sw::new();
    let out = sw.send_raw(r#"{"type":"CoreInfo"}"#, popup());
    assert!(matches!(out.reply, Reply::Info { errors, .. } if errors > 10));
    assert!(matches!(
        sw.send_raw(r#"{"type":"CoreInfo"}"#, page(1)).reply,
        Reply::Error { .. }
    ));
}

#[test]
fn popup_on_another_site_does_not_show_a_stale_diagnosis() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let ask = |url: &str| Msg::GetView {
        tab_id: Some(2),
        lang: "en".into(),
        url: Some(url.into()),
    };
    let out = sw.send(&ask(""), popup());
    assert_eq!(view_of(&out).state, "ok");
    assert!(!view_of(&out).watched);
    let out = sw.send(&ask("https://www.netflix.com/watch/1"), popup());
    assert_eq!(view_of(&out).code, "NSEZ-503");
}

fn run(sw: &mut Sw, tab: i64, action: &str) -> Output {
    sw.send_raw(
        &format!(r#"{{"type":"Run","tab_id":{tab},"action":"{action}"}}"#),
        popup(),
    )
}

/// The inline panel's frame in tab `tab`.
fn panel_frame(tab: i64) -> Sender {
    Sender::Runtime {
        document_id: None,
        id: Some(ID.into()),
        url: Some(format!("{ORIGIN}panel.html")),
        tab_id: Some(tab),
        frame_id: Some(3),
    }
}

#[test]
fn the_panel_changes_nothing_outside_the_page_unless_the_browser_saw_it() {
    let outside = [
        "confirm",
        "disable-extension",
        "disable-suspects",
        "find-culprit",
        "restore-extensions",
    ];
    for action in outside {
        let mut sw = Sw::new();
        sw.send(&report("Error Code: NSEZ-403"), page(2));
        run(&mut sw, 2, "clear-site-data");
        let msg = |seen: bool| {
            format!(r#"{{"type":"Run","action":"{action}","ext_id":"x","seen":{seen}}}"#)
        };
        let out = sw.send_raw(&msg(false), panel_frame(2));
        assert!(
            matches!(&out.reply, Reply::Error { error } if error == messages::refusal::USE_TOOLBAR),
            "{action}: {:?}",
            out.reply
        );
        assert!(out.effects.is_empty(), "{action}: {:?}", out.effects);
        // Seen, or from the popup (also opened as a tab of its own): the action goes on
        // to its own checks.
        let popup_tab = Sender::Runtime {
            document_id: None,
            id: Some(ID.into()),
            url: Some(format!("{ORIGIN}popup.html?tab=2")),
            tab_id: Some(9),
            frame_id: Some(0),
        };
        let for_tab = msg(false).replace(r#""action""#, r#""tab_id":2,"action""#);
        for (sender, raw) in [
            (panel_frame(2), msg(true)),
            (popup(), for_tab.clone()),
            (popup_tab, for_tab),
        ] {
            let out = sw.send_raw(&raw, sender);
            assert!(
                !matches!(&out.reply, Reply::Error { error } if error == messages::refusal::USE_TOOLBAR),
                "{action}: {:?}",
                out.reply
            );
        }
    }
    // What stays in the page needs no proof.
    let mut sw = Sw::new();
    sw.send(&report("Error Code: NSEZ-403"), page(2));
    let out = sw.send_raw(
        r#"{"type":"Run","action":"clear-site-data"}"#,
        panel_frame(2),
    );
    assert!(matches!(out.reply, Reply::View { .. }), "{:?}", out.reply);
}

/// The tab's page loads anew: its navigation starts, the new document says Hello (as
/// every content script does first), then reports what it shows.
fn navigate_and_report(sw: &mut Sw, tab: i64, text: &str) -> Output {
    navigated(sw, tab);
    new_document(sw, tab);
    sw.send(&report(text), page(tab))
}

/// A main-frame load of `PAGE` in `tab` failed with `error` (the worker's listener).
fn net_error(tab: i64, error: &str) -> Msg {
    Msg::NetError {
        request_id: None,
        tab_id: tab,
        url: PAGE.into(),
        error: error.into(),
        main_frame: true,
    }
}

/// The tab's new document starts: its content script says Hello.
fn new_document(sw: &mut Sw, tab: i64) -> Output {
    sw.send(
        &Msg::Hello {
            doc: None,
            url: PAGE.into(),
        },
        page(tab),
    )
}

#[test]
fn clearing_needs_a_confirmation_and_cancel_does_nothing() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    let out = run(&mut sw, 2, "clear-site-data");
    let confirm = view_of(&out).confirm.clone().unwrap();
    assert_eq!(confirm.site, "Netflix");
    assert!(confirm.types.contains(&"cookies".to_string()));
    assert!(
        out.effects.is_empty(),
        "nothing is cleared before confirming"
    );
    let out = run(&mut sw, 2, "cancel");
    assert!(view_of(&out).confirm.is_none());
    assert!(out.effects.is_empty());
    let out = run(&mut sw, 2, "confirm");
    assert!(
        matches!(out.reply, Reply::Error { .. }),
        "no pending action after cancel"
    );
}

#[test]
fn firefox_clears_only_the_tab_s_own_container_and_says_so() {
    for browser in [
        crate::core::sitedata::Browser::Chrome,
        crate::core::sitedata::Browser::Firefox,
    ] {
        let mut sw = Sw::new();
        sw.browser = browser;
        sw.send(&report("NSEZ-403"), page(2));
        let asked = run(&mut sw, 2, "clear-site-data");
        let said = view_of(&asked).confirm.as_ref().map(|c| c.this_store_only);
        let out = run(&mut sw, 2, "confirm");
        let Some(Effect::ClearSiteData {
            this_store_only, ..
        }) = out.effects.first()
        else {
            panic!("{:?}", out.effects)
        };
        let firefox = browser == crate::core::sitedata::Browser::Firefox;
        assert_eq!(*this_store_only, firefox, "{browser:?}");
        assert_eq!(said, Some(firefox), "{browser:?}: the confirmation says so");
    }
}

#[test]
fn confirmed_clear_removes_only_the_service_then_reloads_and_judges() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    let out = run(&mut sw, 2, "confirm");
    let Some(Effect::ClearSiteData {
        origins,
        types,
        cookie_domains,
        ..
    }) = out.effects.first()
    else {
        panic!("{:?}", out.effects)
    };
    assert!(origins.iter().all(|o| o.contains("netflix.com")));
    assert!(!types.contains(&"history".to_string()));
    assert_eq!(cookie_domains, &vec!["netflix.com".to_string()]);
    let cleared = Msg::SiteDataCleared {
        tab_id: 2,
        removed: vec!["cookies".into()],
        failed: vec![],
        skipped: vec![],
    };
    // Only the worker's own listener may say the data was cleared.
    assert!(matches!(
        sw.send(&cleared, popup()).reply,
        Reply::Error { .. }
    ));
    let out = sw.send(&cleared, Sender::Internal);
    assert_eq!(out.effects, vec![Effect::Reload { tab_id: 2 }]);
    // After the reload the page is healthy: the step helped.
    navigate_and_report(&mut sw, 2, "Continue watching");
    let tab = sw.tab(2);
    assert_eq!(tab.steps["clear-site-data"], StepState::Helped);
    assert_eq!(
        tab.notice,
        Some(crate::core::state::Notice::Fixed {
            step: "clear-site-data".into()
        })
    );
}

#[test]
fn a_step_that_did_not_fix_it_is_marked_and_the_plan_moves_on() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    run(&mut sw, 2, "confirm");
    sw.send(
        &Msg::SiteDataCleared {
            tab_id: 2,
            removed: vec![],
            failed: vec![],
            skipped: vec![],
        },
        Sender::Internal,
    );
    navigate_and_report(&mut sw, 2, "Error NSEZ-403");
    assert_eq!(sw.tab(2).steps["clear-site-data"], StepState::NotHelped);
    let out = get_view(&mut sw, 2);
    let next = view_of(&out).steps.iter().find(|s| s.next).unwrap();
    assert_ne!(next.id, "clear-site-data");
}

#[test]
fn overload_starts_a_countdown_that_reloads_backs_off_and_stops_when_healthy() {
    let mut sw = Sw::new();
    let out = sw.send(&report("NSEZ-503"), page(3));
    let Reply::Verdict {
        retry_at: Some(at), ..
    } = out.reply
    else {
        panic!("{:?}", out.reply)
    };
    assert_eq!(at, sw.now + 10_000.0);
    // One "Retry now" on screen: the countdown's, not the step's as well.
    let wait_action = |sw: &mut Sw| {
        let out = get_view(sw, 3);
        let v = view_of(&out);
        assert!(v.retry.is_some() == sw.tab(3).retry.is_some());
        v.steps
            .iter()
            .find(|s| s.id == "wait-retry")
            .unwrap()
            .action
            .clone()
    };
    assert_eq!(wait_action(&mut sw), None);
    // Not yet due: nothing happens.
    sw.now += 5_000.0;
    assert!(sw
        .send_raw(r#"{"type":"RetryDue"}"#, page(3))
        .effects
        .is_empty());
    sw.now += 5_000.0;
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(out.effects, vec![Effect::Reload { tab_id: 3 }]);
    // A second due signal during the reload does not reload twice.
    assert!(sw
        .send_raw(r#"{"type":"RetryDue"}"#, page(3))
        .effects
        .is_empty());
    let out = navigate_and_report(&mut sw, 3, "NSEZ-503");
    let Reply::Verdict {
        retry_at: Some(at2),
        ..
    } = out.reply
    else {
        panic!()
    };
    assert_eq!(at2, sw.now + 20_000.0, "second wait is longer");
    assert_eq!(sw.tab(3).retry.unwrap().attempt, 2);
    sw.now = at2;
    sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    let out = navigate_and_report(&mut sw, 3, "Continue watching");
    assert_eq!(panel_of(&out), None);
    let tab = sw.tab(3);
    assert!(tab.retry.is_none());
    assert_eq!(tab.steps["wait-retry"], StepState::Helped);
}

#[test]
fn countdown_gives_up_after_its_last_attempt() {
    let mut sw = Sw::new();
    countdown_runs_out(&mut sw);
    let tab = sw.tab(3);
    assert!(tab.retry.is_none());
    assert_eq!(tab.steps["wait-retry"], StepState::NotHelped);
    assert_eq!(tab.notice, Some(crate::core::state::Notice::RetryGaveUp));
    // It does not start again by itself.
    navigate_and_report(&mut sw, 3, "NSEZ-503");
    assert!(sw.tab(3).retry.is_none());
}

#[test]
fn cancelled_countdown_stays_off_for_that_code() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(3));
    let out = run(&mut sw, 3, "cancel-retry");
    assert!(view_of(&out).retry.is_none());
    // With the countdown gone, the step offers its own "Retry now" again.
    let wait = view_of(&out).steps.iter().find(|s| s.id == "wait-retry");
    assert_eq!(wait.and_then(|s| s.action.as_deref()), Some("retry-now"));
    let out = navigate_and_report(&mut sw, 3, "NSEZ-503");
    assert!(matches!(out.reply, Reply::Verdict { retry_at: None, .. }));
}

#[test]
fn non_overload_errors_do_not_count_down() {
    let mut sw = Sw::new();
    let out = sw.send(&report("NSEZ-403"), page(3));
    assert!(matches!(out.reply, Reply::Verdict { retry_at: None, .. }));
}

#[test]
fn muting_a_code_hides_the_panel_and_is_saved() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(3));
    let out = run(&mut sw, 3, "mute-code");
    assert!(out.effects.contains(&Effect::Panel {
        tab_id: 3,
        code: None,
        focus: false,
    }));
    let out = sw.send_raw(r#"{"type":"GetSettings"}"#, popup());
    let Reply::Settings {
        options: OptionsView {
            settings, muted, ..
        },
    } = out.reply
    else {
        panic!()
    };
    assert_eq!(settings.muted_codes, vec!["netflix:NSEZ-503".to_string()]);
    assert_eq!(
        muted,
        vec![crate::core::messages::MutedCode {
            key: "netflix:NSEZ-503".into(),
            code: "NSEZ-503".into(),
            service: Some("Netflix".into()),
        }]
    );
    assert_eq!(panel_of(&sw.send(&report("NSEZ-503"), page(4))), None);
    // Muting twice keeps one entry.
    run(&mut sw, 4, "mute-code");
    let out = sw.send_raw(r#"{"type":"GetSettings"}"#, popup());
    assert!(
        matches!(&out.reply, Reply::Settings { options: OptionsView { settings, .. } } if settings.muted_codes.len() == 1)
    );
}

#[test]
fn settings_round_trip_and_pages_cannot_change_them() {
    let mut sw = Sw::new();
    let set = r#"{"type":"SetSettings","settings":{"auto_panel":false,"muted_codes":[]}}"#;
    assert!(matches!(
        sw.send_raw(set, page(1)).reply,
        Reply::Error { .. }
    ));
    sw.send_raw(set, popup());
    assert_eq!(panel_of(&sw.send(&report("NSEZ-503"), page(4))), None);
}

#[test]
fn document_status_in_the_page_report_covers_missed_network_events() {
    let mut sw = Sw::new();
    let m = Msg::PageReport {
        doc: None,
        url: PAGE.into(),
        blocks: vec![],
        status: Some(503),
        settled: false,
    };
    let out = sw.send(&m, page(8));
    assert_eq!(panel_of(&out), Some("HTTP-503".into()));
    // A page that only says it failed ("Service Unavailable") keeps the status it came
    // with; one that names its error says more.
    for (id, text, code) in [
        (20, "Service Unavailable", "HTTP-503"),
        (21, "Error Code: NSEZ-503", "NSEZ-503"),
    ] {
        let m = Msg::PageReport {
            doc: None,
            url: PAGE.into(),
            blocks: vec![Block {
                place: None,
                kind: BlockKind::Container,
                text: text.into(),
            }],
            status: Some(503),
            settled: false,
        };
        assert_eq!(
            panel_of(&sw.send(&m, page(id))),
            Some(code.into()),
            "{text}"
        );
    }
    let m = Msg::PageReport {
        doc: None,
        url: PAGE.into(),
        blocks: vec![],
        status: Some(200),
        settled: false,
    };
    navigated(&mut sw, 9);
    assert_eq!(panel_of(&sw.send(&m, page(9))), None);
}

fn ext(id: &str, name: &str, enabled: bool, perms: &[&str]) -> Value {
    serde_json::json!({
        "id": id, "name": name, "enabled": enabled, "installType": "development",
        "type": "extension", "permissions": perms, "hostPermissions": [], "mayDisable": true
    })
}

fn list_extensions(sw: &mut Sw, tab: i64, exts: &[Value]) {
    let msg =
        serde_json::json!({"type": "Extensions", "tab_id": tab, "list": exts, "can_toggle": true});
    let out = sw.send_raw(&msg.to_string(), Sender::Internal);
    assert_eq!(out.reply, Reply::Ok);
}

/// A listing answering a `ListExtensions` effect that `covers` changes noted until then.
fn list_extensions_at(sw: &mut Sw, tab: Option<i64>, exts: &[Value], covers: f64) {
    let msg = serde_json::json!({"type": "Extensions", "tab_id": tab, "list": exts,
        "can_toggle": true, "covers": covers});
    let out = sw.send_raw(&msg.to_string(), Sender::Internal);
    assert_eq!(out.reply, Reply::Ok);
}

fn ledger(sw: &Sw) -> Vec<String> {
    sw.local
        .get(crate::core::state::LEDGER_KEY)
        .and_then(|v| serde_json::from_value::<crate::core::conflicts::Ledger>(v.clone()).ok())
        .map(|l| l.to_restore())
        .unwrap_or_default()
}

fn run_ext(sw: &mut Sw, tab: i64, action: &str, ext: Option<&str>) -> Output {
    let msg = serde_json::json!({"type": "Run", "tab_id": tab, "action": action, "ext_id": ext});
    sw.send_raw(&msg.to_string(), popup())
}

fn toggles(out: &Output) -> Vec<(Vec<String>, bool)> {
    out.effects
        .iter()
        .filter_map(|e| match e {
            Effect::SetEnabled { ids, enabled } => Some((ids.clone(), *enabled)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_always_there_actions_are_offered_on_any_tab_of_a_service() {
    let mut sw = Sw::new();
    let more = |sw: &mut Sw, tab: i64| -> Vec<String> {
        view_of(&get_view(sw, tab))
            .more
            .iter()
            .map(|m| m.action.clone())
            .collect()
    };
    // No error on a Netflix page: all five.
    sw.send(&report("Continue watching"), page(2));
    assert_eq!(
        more(&mut sw, 2),
        [
            "run-connection-check",
            "check-extensions",
            "clear-site-data",
            "copy-report",
            "enter-code"
        ]
    );
    // An error: what its plan doesn't already offer as a step (the report is in the footer).
    sw.send(&report("NSEZ-403"), page(2));
    let view = view_of(&get_view(&mut sw, 2)).clone();
    let in_plan: Vec<&str> = view
        .steps
        .iter()
        .filter_map(|s| s.action.as_deref())
        .collect();
    for m in &view.more {
        assert!(!in_plan.contains(&m.action.as_str()), "{} twice", m.action);
        assert_ne!(m.action, "copy-report");
    }
    let all_there = [
        "run-connection-check",
        "check-extensions",
        "clear-site-data",
        "enter-code",
    ]
    .iter()
    .all(|a| in_plan.contains(a) || view.more.iter().any(|m| m.action == *a));
    assert!(all_there, "{:?} / {in_plan:?}", view.more);
    // A tab of no service: nothing.
    assert!(more(&mut sw, 9).is_empty());
    // Without the permission, the action says which it needs.
    sw.missing = vec![crate::core::messages::Permission::Management];
    sw.send(&report("Continue watching"), page(3));
    let view = view_of(&get_view(&mut sw, 3)).clone();
    let check = view.more.iter().find(|m| m.action == "check-extensions");
    assert_eq!(
        check.and_then(|m| m.needs),
        Some(crate::core::messages::Permission::Management)
    );
}

#[test]
fn a_ledger_this_version_cant_read_is_kept_aside_and_its_extensions_put_back() {
    use crate::core::state::LEDGER_ASIDE_KEY;
    let mut sw = Sw::new();
    // Written by another version: StreamFix turned "old-vpn" off.
    let unreadable = serde_json::json!({"v": 3, "entries": [{"id": "old-vpn", "name": 7}]});
    sw.local
        .insert(crate::core::state::LEDGER_KEY.into(), unreadable.clone());
    sw.send(&report("M7111-1331-5059"), page(2));
    // Offered to be put back, named by what the ledger still tells.
    let view = view_of(&get_view(&mut sw, 2)).clone();
    assert_eq!(view.extras.restore, ["old-vpn"]);
    // Turning another one off writes a new ledger; the old one is kept as it was.
    list_extensions(
        &mut sw,
        2,
        &[
            ext("old-vpn", "Old VPN", false, &["proxy"]),
            ext("vpn", "Fake VPN Proxy", true, &["proxy"]),
        ],
    );
    run_ext(&mut sw, 2, "disable-extension", Some("vpn"));
    assert_eq!(ledger(&sw), ["vpn"]);
    assert_eq!(sw.local[LEDGER_ASIDE_KEY], unreadable);
    let view = view_of(&get_view(&mut sw, 2)).clone();
    assert_eq!(view.extras.restore, ["Fake VPN Proxy", "old-vpn"]);
    // Restore turns both on; the old ledger is done with.
    let out = run_ext(&mut sw, 2, "restore-extensions", None);
    assert_eq!(
        toggles(&out),
        [(vec!["vpn".to_string(), "old-vpn".to_string()], true)]
    );
    assert!(sw.local[LEDGER_ASIDE_KEY].is_null());
    assert!(view_of(&get_view(&mut sw, 2))
        .extras
        .restore
        .iter()
        .all(|n| n != "old-vpn"));
}

#[test]
fn an_error_lists_the_extensions_at_once() {
    let mut sw = Sw::new();
    let out = sw.send(&report("M7111-1331-5059"), page(2));
    assert!(out.effects.iter().any(|e| matches!(
        e,
        Effect::ListExtensions {
            tab_id: Some(2),
            ..
        }
    )));
}

#[test]
fn without_an_optional_permission_nothing_needs_it_and_the_surface_is_told() {
    use crate::core::messages::Permission;
    let mut sw = Sw::new();
    sw.missing = vec![Permission::Management, Permission::BrowsingData];
    // Detection works; no listing is asked of a browser that can't give one.
    let out = sw.send(&report("M7111-1331-5059"), page(2));
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { .. })));
    assert!(!out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::ListExtensions { .. })));
    let view = view_of(&get_view(&mut sw, 2)).clone();
    assert_eq!(
        view.extras.missing,
        [Permission::Management, Permission::BrowsingData]
    );
    // Each step whose action needs one says which: its button asks for it first.
    let needs = |v: &view::View, action: &str| {
        v.steps
            .iter()
            .find(|s| s.action.as_deref() == Some(action))
            .map(|s| s.needs)
    };
    assert_eq!(
        needs(&view, "check-extensions"),
        Some(Some(Permission::Management))
    );
    assert_eq!(
        needs(&view, "clear-site-data"),
        Some(Some(Permission::BrowsingData))
    );
    // Every action that needs one is refused naming it, and changes nothing.
    let refused = |out: &Output| match &out.reply {
        Reply::Error { error } => error.clone(),
        other => panic!("not refused: {other:?}"),
    };
    for action in ["check-extensions", "disable-suspects", "restore-extensions"] {
        let out = run_ext(&mut sw, 2, action, None);
        assert_eq!(refused(&out), "needs-permission\nmanagement", "{action}");
        assert!(out.effects.is_empty(), "{action}");
    }
    let out = run(&mut sw, 2, "clear-site-data");
    assert_eq!(refused(&out), "needs-permission\nbrowsingData");
    assert_eq!(sw.tab(2).pending, None);
    // Granted: the same click works.
    sw.missing.clear();
    let view = view_of(&get_view(&mut sw, 2)).clone();
    assert_eq!(needs(&view, "check-extensions"), Some(None));
    let out = run_ext(&mut sw, 2, "check-extensions", None);
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::ListExtensions { .. })));
    run(&mut sw, 2, "clear-site-data");
    assert!(sw.tab(2).pending.is_some());
}

#[test]
fn a_listing_tells_when_it_was_taken_and_a_new_check_moves_it() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    assert_eq!(
        view_of(&get_view(&mut sw, 2)).listed_at,
        None,
        "nothing listed yet"
    );
    let exts = [ext("vpn", "Fake VPN Proxy", true, &["proxy"])];
    list_extensions(&mut sw, 2, &exts);
    let first = sw.now;
    assert_eq!(view_of(&get_view(&mut sw, 2)).listed_at, Some(first));
    // The same list again, later, after the user asked: the view says when.
    sw.now += 4_000.0;
    let out = run_ext(&mut sw, 2, "check-extensions", None);
    assert!(out.effects.iter().any(|e| matches!(
        e,
        Effect::ListExtensions {
            tab_id: Some(2),
            ..
        }
    )));
    list_extensions(&mut sw, 2, &exts);
    assert_eq!(
        view_of(&get_view(&mut sw, 2)).listed_at,
        Some(first + 4_000.0)
    );
}

#[test]
fn disabling_suspects_records_them_first_and_restore_puts_back_exactly_those() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    list_extensions(
        &mut sw,
        2,
        &[
            ext("vpn", "Fake VPN Proxy", true, &["proxy"]),
            ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
            ext("notes", "Unrelated Notes", true, &["storage"]),
            ext("off", "Old VPN", false, &["proxy"]),
            ext(ID, "StreamFix", true, &["management"]),
        ],
    );
    let out = run_ext(&mut sw, 2, "disable-suspects", None);
    let t = toggles(&out);
    assert_eq!(t.len(), 1);
    let mut off = t[0].0.clone();
    off.sort();
    assert_eq!(
        (off, t[0].1),
        (vec!["ads".to_string(), "vpn".to_string()], false)
    );
    let mut recorded = ledger(&sw);
    recorded.sort();
    assert_eq!(recorded, vec!["ads".to_string(), "vpn".to_string()]);
    assert!(out.effects.contains(&Effect::Reload { tab_id: 2 }));
    // Restore from any tab turns on exactly those: not the user's own "Old VPN".
    let out = run_ext(&mut sw, 7, "restore-extensions", None);
    let t = toggles(&out);
    let mut on = t[0].0.clone();
    on.sort();
    assert_eq!(
        (on, t[0].1),
        (vec!["ads".to_string(), "vpn".to_string()], true)
    );
    // They leave the ledger once a listing shows them on (a restart before the browser
    // turned them on must still offer "restore").
    let mut recorded = ledger(&sw);
    recorded.sort();
    assert_eq!(recorded, vec!["ads".to_string(), "vpn".to_string()]);
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::ListExtensions { tab_id: None, .. })));
    sw.now += 10.0;
    let taken_at = sw.now;
    list_extensions_at(
        &mut sw,
        None,
        &[
            ext("vpn", "Fake VPN Proxy", true, &["proxy"]),
            ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
            ext("off", "Old VPN", false, &["proxy"]),
        ],
        taken_at,
    );
    assert!(ledger(&sw).is_empty());
}

#[test]
fn disabling_one_extension_and_refusals() {
    let mut sw = Sw::new();
    sw.send(&report("NSES-UHX"), page(2));
    assert!(
        matches!(
            run_ext(&mut sw, 2, "disable-extension", Some("ads")).reply,
            Reply::Error { .. }
        ),
        "not listed yet"
    );
    list_extensions(
        &mut sw,
        2,
        &[
            ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
            ext("off", "Old", false, &["proxy"]),
        ],
    );
    let out = run_ext(&mut sw, 2, "disable-extension", Some("ads"));
    assert_eq!(toggles(&out), vec![(vec!["ads".to_string()], false)]);
    // The user's own disabled extension and StreamFix itself are never touched.
    assert!(matches!(
        run_ext(&mut sw, 2, "disable-extension", Some("off")).reply,
        Reply::Error { .. }
    ));
    assert!(matches!(
        run_ext(&mut sw, 2, "disable-extension", Some(ID)).reply,
        Reply::Error { .. }
    ));
}

#[test]
fn culprit_search_names_the_blocker_and_leaves_only_it_off() {
    let mut sw = Sw::new();
    sw.send(&report("NSES-UHX"), page(2));
    let exts = [
        ext("vpn", "Fake VPN Proxy", true, &["proxy"]),
        ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
        ext("dark", "Fake Dark Mode", true, &["scripting"]),
    ];
    list_extensions(&mut sw, 2, &exts);
    let mut out = run_ext(&mut sw, 2, "find-culprit", None);
    let mut on: std::collections::BTreeSet<String> = ["vpn", "ads", "dark"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for _ in 0..6 {
        for (ids, enabled) in toggles(&out) {
            for id in ids {
                if enabled {
                    on.insert(id);
                } else {
                    on.remove(&id);
                }
            }
        }
        if !out.effects.contains(&Effect::Reload { tab_id: 2 }) {
            break;
        }
        // The page fails exactly while the ad-blocker is on.
        let text = if on.contains("ads") {
            "Error NSES-UHX"
        } else {
            "Continue watching"
        };
        navigated(&mut sw, 2);
        new_document(&mut sw, 2);
        out = sw.send(&report(text), page(2));
        if sw
            .local
            .get(crate::core::state::BISECT_KEY)
            .is_none_or(|v| v.is_null())
        {
            for (ids, enabled) in toggles(&out) {
                for id in ids {
                    if enabled {
                        on.insert(id);
                    } else {
                        on.remove(&id);
                    }
                }
            }
            break;
        }
    }
    assert_eq!(
        on.iter().cloned().collect::<Vec<_>>(),
        vec!["dark".to_string(), "vpn".to_string()]
    );
    // The listing after the last step: what is on again leaves the ledger.
    sw.now += 10.0;
    let now_listed: Vec<Value> = exts
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["enabled"] = on.contains(e["id"].as_str().unwrap()).into();
            e
        })
        .collect();
    let taken_at = sw.now;
    list_extensions_at(&mut sw, Some(2), &now_listed, taken_at);
    assert_eq!(ledger(&sw), vec!["ads".to_string()]);
    assert_eq!(
        sw.tab(2).notice,
        Some(crate::core::state::Notice::Culprit {
            name: "Fake AdBlock".into()
        })
    );
}

#[test]
fn firefox_gets_a_guide_instead_of_toggles() {
    let mut sw = Sw::new();
    sw.send(&report("NSES-UHX"), page(2));
    list_extensions(
        &mut sw,
        2,
        &[ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"])],
    );
    let msg =
        serde_json::json!({"type": "Run", "tab_id": 2, "action": "disable-suspects"}).to_string();
    let ctx_browser = sw.send_raw_with_browser(&msg, crate::core::sitedata::Browser::Firefox);
    // A key the surface says in the user's language, with the suspects to name.
    match ctx_browser.reply {
        Reply::Error { error } => assert_eq!(error, "no-toggle\nFake AdBlock"),
        other => panic!("{other:?}"),
    }
    assert!(ctx_browser.effects.is_empty());
    let out = run(&mut sw, 2, "confirm");
    assert!(
        matches!(&out.reply, Reply::Error { error } if error == "nothing-to-confirm"),
        "{:?}",
        out.reply
    );
}

#[test]
fn connection_check_is_measured_then_judged() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let out = run(&mut sw, 2, "run-connection-check");
    let Some(Effect::MeasureConnection {
        probes,
        download,
        run: first,
        ..
    }) = out.effects.first().cloned()
    else {
        panic!("{:?}", out.effects)
    };
    assert!(probes.iter().all(|p| p.contains("netflix.com")) && download.contains("netflix.com"));
    assert!(
        view_of(&get_view(&mut sw, 2)).busy,
        "measuring shows as under way"
    );
    // A second click while it measures starts nothing (two would halve each other).
    sw.now += 1000.0;
    let again = run(&mut sw, 2, "run-connection-check");
    assert!(!again
        .effects
        .iter()
        .any(|e| matches!(e, Effect::MeasureConnection { .. })));
    let measured = |run: f64| {
        serde_json::json!({"type": "ConnectionMeasured", "tab_id": 2, "run": run, "measurement": {
            "online": true,
            "probes": [{"url": "u", "outcome": {"kind": "ok", "status": 200}}],
            "download": {"bytes": 1_000_000, "ms": 1000.0}
        }})
        .to_string()
    };
    // An answer to some other run is not this check's.
    sw.send_raw(&measured(first + 1.0), Sender::Internal);
    assert!(view_of(&get_view(&mut sw, 2)).connection.is_none());
    sw.send_raw(&measured(first), Sender::Internal);
    let out = get_view(&mut sw, 2);
    let c = view_of(&out).connection.clone().unwrap();
    assert_eq!((c.verdict.as_str(), c.mbps), ("hd", Some(8.0)));
    assert!(!view_of(&out).busy);
}

#[test]
fn a_late_connection_result_stays_with_the_check_that_asked() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let out = run(&mut sw, 2, "run-connection-check");
    let Some(Effect::MeasureConnection { run: started, .. }) = out.effects.first().cloned() else {
        panic!("{:?}", out.effects)
    };
    let measured = serde_json::json!({"type": "ConnectionMeasured", "tab_id": 2, "run": started,
        "measurement": {"online": true, "probes": [], "download": {"bytes": 1_000_000, "ms": 1000.0}}})
    .to_string();
    // The tab went to YouTube meanwhile: Netflix's figures are not YouTube's.
    navigate_to(&mut sw, 2, YOUTUBE);
    sw.send(
        &Msg::Hello {
            doc: None,
            url: YOUTUBE.into(),
        },
        page_at(2, YOUTUBE),
    );
    sw.send_raw(&measured, Sender::Internal);
    let tab = sw.tab(2);
    assert!(tab.connection.is_none() && !tab.steps.contains_key("connection-check"));
    // A closed tab is not brought back by its late result.
    sw.send(&Msg::TabClosed { tab_id: 2 }, Sender::Internal);
    let out = sw.send_raw(&measured, Sender::Internal);
    assert!(
        out.session_set.is_empty(),
        "{:?}",
        out.session_set.keys().collect::<Vec<_>>()
    );
    // A check whose answer never came (its worker stopped) is over after a while.
    sw.send(&report("NSEZ-503"), page(3));
    run(&mut sw, 3, "run-connection-check");
    sw.now += crate::core::engine::actions::MEASURE_LIMIT_MS + 1.0;
    assert!(!view_of(&get_view(&mut sw, 3)).busy);
    let out = run(&mut sw, 3, "run-connection-check");
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::MeasureConnection { .. })));
}

#[test]
fn report_has_the_diagnosis_and_no_url_queries() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    let m = serde_json::json!({"type": "GetReport", "tab_id": 2, "lang": "en", "browser": "Chrome 156", "os": "Linux", "now_iso": "2026-11-22T10:00:00Z"});
    let out = sw.send_raw(&m.to_string(), popup());
    let Reply::Report { text } = out.reply else {
        panic!("{:?}", out.reply)
    };
    assert!(
        text.contains("NSEZ-503") && text.contains("Chrome 156"),
        "{text}"
    );
    assert!(!text.contains("/watch/1"), "{text}");
}

#[test]
fn a_healthy_page_counts_as_fixed_only_once_settled() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    run(&mut sw, 2, "confirm");
    navigated(&mut sw, 2);
    new_document(&mut sw, 2);
    let early = Msg::PageReport {
        doc: None,
        url: PAGE.into(),
        blocks: vec![],
        status: Some(200),
        settled: false,
    };
    sw.send(&early, page(2));
    assert!(
        !sw.tab(2).steps.contains_key("clear-site-data")
            || sw.tab(2).steps["clear-site-data"] == StepState::Done
    );
    // The player then shows its error: the step did not help.
    sw.send(&report("NSEZ-403"), page(2));
    assert_eq!(sw.tab(2).steps["clear-site-data"], StepState::NotHelped);
}

#[test]
fn a_failed_load_still_knows_its_service_for_the_checks() {
    let mut sw = Sw::new();
    let ev = net_error(5, "net::ERR_NAME_NOT_RESOLVED");
    sw.send(&ev, Sender::Internal);
    let out = run(&mut sw, 5, "run-connection-check");
    assert!(
        matches!(out.effects.first(), Some(Effect::MeasureConnection { .. })),
        "{:?}",
        out.reply
    );
}

#[test]
fn a_hello_claiming_another_host_leaves_the_tab_alone() {
    let mut sw = Sw::new();
    new_document(&mut sw, 6);
    sw.send(&report("Error Code: NSEZ-503"), page(6));
    let before = sw.tab(6);
    // The page's message claims an address the sender isn't on.
    sw.send(
        &Msg::Hello {
            doc: None,
            url: "https://ads.example/frame".into(),
        },
        page(6),
    );
    assert_eq!(sw.tab(6), before);
}

#[test]
fn the_view_quotes_only_what_the_user_actually_saw() {
    use crate::core::view::Shown;
    let mut sw = Sw::new();
    let mut shown_for = |text: &str, tab: i64| {
        sw.send(&report(text), page(tab));
        let out = get_view(&mut sw, tab);
        let v = view_of(&out);
        (v.code.clone(), v.shown.clone())
    };
    assert_eq!(
        shown_for("Error Code: NSEZ-503", 1),
        (
            "NSEZ-503".into(),
            Some(Shown::Code {
                value: "NSEZ-503".into()
            })
        )
    );
    assert_eq!(
        shown_for("Error Code: ABCD-1234 Something went wrong", 2).1,
        Some(Shown::Code {
            value: "ABCD-1234".into()
        })
    );
    // A code-less screen is known by its entry id, which the user never saw.
    assert_eq!(
        shown_for("Pardon the interruption", 3),
        ("PARDON".into(), None)
    );
}

// ---- work a stopped service worker left half-done (engine/recover.rs)

/// Plays a worker restart: a new instance, `ms` later.
fn restart(sw: &mut Sw, ms: f64) {
    sw.instance = format!("{}+", sw.instance);
    sw.now += ms;
}

fn reloads(out: &Output, tab: i64) -> usize {
    out.effects
        .iter()
        .filter(|e| **e == Effect::Reload { tab_id: tab })
        .count()
}

fn confirmed_clear(sw: &mut Sw) {
    sw.send(&report("NSEZ-403"), page(2));
    run(sw, 2, "clear-site-data");
    let out = run(sw, 2, "confirm");
    assert!(matches!(
        out.effects.first(),
        Some(Effect::ClearSiteData { .. })
    ));
    let tab = sw.tab(2);
    assert_eq!(
        tab.clearing,
        Some(InFlight::new(sw.now, &sw.instance)),
        "the clearing is recorded with its worker"
    );
    assert!(
        view_of(&out).busy,
        "an open surface asks again while clearing"
    );
}

#[test]
fn the_view_quotes_http_status_and_network_error_names() {
    use crate::core::view::Shown;
    let mut sw = Sw::new();
    sw.send(
        &net_error(4, "net::ERR_NAME_NOT_RESOLVED"),
        Sender::Internal,
    );
    let out = get_view(&mut sw, 4);
    assert_eq!(
        view_of(&out).shown,
        Some(Shown::Net {
            error: "net::ERR_NAME_NOT_RESOLVED".into()
        })
    );
}

fn quick_of(out: &Output) -> crate::core::messages::Quick {
    match &out.reply {
        Reply::Verdict { quick, .. } | Reply::Watch { quick, .. } => quick.clone(),
        other => panic!("no quick verdicts: {other:?}"),
    }
}

/// The verdicts decided ahead of time agree with the verdicts the reports then get.
#[test]
fn quick_verdicts_agree_with_the_reports() {
    let mut sw = Sw::new();
    let quick = quick_of(&sw.send(
        &Msg::Hello {
            doc: None,
            url: PAGE.into(),
        },
        page(3),
    ));
    assert!(quick.codes.iter().any(|c| c == "NSEZ-503"));
    assert!(quick.quiet.is_empty());
    for code in &quick.codes {
        let out = sw.send(
            &report(&format!("Whoops. Error Code: {code} and more")),
            page(3),
        );
        assert_eq!(panel_of(&out).as_deref(), Some(code.as_str()), "{code}");
    }
    // Dismissed: quiet, and the report agrees.
    sw.send(&report("Error Code: NSEZ-403"), page(3));
    sw.send_raw(r#"{"type":"Dismiss","tab_id":3}"#, popup());
    let out = sw.send(&report("Error Code: NSEZ-403"), page(3));
    assert_eq!(panel_of(&out), None);
    assert!(quick_of(&out).quiet.iter().any(|c| c == "NSEZ-403"));
    // Panel off: every code is quiet.
    let set = r#"{"type":"SetSettings","settings":{"auto_panel":false,"muted_codes":[]}}"#;
    sw.send_raw(set, popup());
    let out = sw.send(&report("Error Code: NSEZ-503"), page(3));
    assert_eq!(panel_of(&out), None);
    let quick = quick_of(&out);
    assert_eq!(quick.quiet, quick.codes);
}

#[test]
fn a_clear_cut_off_by_a_worker_restart_becomes_interrupted_and_is_offered_again() {
    let mut sw = Sw::new();
    confirmed_clear(&mut sw);
    // The next worker, too soon: what was under way may still show up.
    restart(&mut sw, 500.0);
    let out = get_view(&mut sw, 2);
    assert_eq!(view_of(&out).notice, Some(Notice::Clearing));
    assert!(sw.tab(2).clearing.is_some());
    // Later: the clearing will never report back.
    sw.now += 2_000.0;
    let out = get_view(&mut sw, 2);
    let v = view_of(&out);
    assert_eq!(v.notice, Some(Notice::ClearInterrupted));
    assert!(!v.busy);
    let clear = v.steps.iter().find(|s| s.id == "clear-site-data").unwrap();
    assert_eq!(clear.state, StepState::Todo, "not marked done");
    assert_eq!(
        clear.action.as_deref(),
        Some("clear-site-data"),
        "offered again"
    );
    let tab = sw.tab(2);
    assert_eq!((tab.clearing, tab.judging), (None, None));
    // Nothing is redone by itself, and nothing else is touched.
    assert!(out.effects.is_empty(), "{:?}", out.effects);
    assert!(out.local_set.is_empty());
    // Trying again asks for the confirmation again.
    let out = run(&mut sw, 2, "clear-site-data");
    assert!(view_of(&out).confirm.is_some());
    assert!(out.effects.is_empty());
}

#[test]
fn a_clear_that_never_reports_in_the_same_worker_ends_interrupted_after_its_limit() {
    let mut sw = Sw::new();
    confirmed_clear(&mut sw);
    sw.now += recover::CLEAR_LIMIT_MS - 1.0;
    get_view(&mut sw, 2);
    assert_eq!(sw.tab(2).notice, Some(Notice::Clearing));
    sw.now += 1.0;
    get_view(&mut sw, 2);
    assert_eq!(sw.tab(2).notice, Some(Notice::ClearInterrupted));
}

#[test]
fn a_clear_that_reports_back_is_no_longer_under_way() {
    let mut sw = Sw::new();
    confirmed_clear(&mut sw);
    let msg = serde_json::json!({"type": "SiteDataCleared", "tab_id": 2,
        "removed": ["cookies"], "failed": [], "skipped": []});
    sw.send_raw(&msg.to_string(), Sender::Internal);
    assert_eq!(sw.tab(2).clearing, None);
    // A later worker finds nothing to recover.
    restart(&mut sw, 10_000.0);
    let out = get_view(&mut sw, 2);
    assert!(matches!(view_of(&out).notice, Some(Notice::Cleared { .. })));
    assert!(out.session_set.is_empty());
}

/// NSEZ-503 on tab 3, and every attempt of its countdown reloads into the same error.
fn countdown_runs_out(sw: &mut Sw) {
    sw.send(&report("NSEZ-503"), page(3));
    for _ in 0..crate::core::retry::max_attempts() {
        sw.now = sw.tab(3).retry.unwrap().next_at;
        sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
        navigate_and_report(sw, 3, "NSEZ-503");
    }
}

fn counting_down(sw: &mut Sw) {
    sw.send(&report("NSEZ-503"), page(3));
    let r = sw.tab(3).retry.unwrap();
    sw.now = r.next_at;
}

#[test]
fn a_retry_reload_lost_with_its_worker_is_issued_again() {
    let mut sw = Sw::new();
    counting_down(&mut sw);
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 1);
    let first = sw.now;
    // While the reload is under way, the content script is told to ask again soon.
    assert_eq!(
        out.reply,
        Reply::Verdict {
            panel: Some("NSEZ-503".into()),
            retry_at: Some(first + recover::RECHECK_MS),
            quick: crate::core::messages::Quick::default(),
        }
    );
    let r = sw.tab(3).retry.unwrap();
    assert!(r.reloading);
    assert_eq!(r.issued, Some(InFlight::new(first, "worker-1")));
    assert!(view_of(&get_view(&mut sw, 3)).busy);
    // The same worker asks again: the reload is its own and still fresh.
    sw.now += 1_000.0;
    assert_eq!(
        reloads(&sw.send_raw(r#"{"type":"RetryDue"}"#, page(3)), 3),
        0
    );
    // The worker stopped before reloading: the next one reloads.
    restart(&mut sw, recover::RECHECK_MS);
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 1);
    let r = sw.tab(3).retry.unwrap();
    assert_eq!((r.attempt, r.reloading), (1, true));
    assert_eq!(r.issued, Some(InFlight::new(sw.now, &sw.instance)));
    // Its outcome re-arms the countdown as usual.
    navigate_and_report(&mut sw, 3, "NSEZ-503");
    let r = sw.tab(3).retry.unwrap();
    assert_eq!((r.attempt, r.reloading, r.issued), (2, false, None));
}

#[test]
fn a_retry_reload_under_way_is_not_issued_twice() {
    let mut sw = Sw::new();
    counting_down(&mut sw);
    sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    // The reload happened: the new worker hears of the navigation first.
    restart(&mut sw, 3_000.0);
    navigated(&mut sw, 3);
    assert_eq!(
        sw.tab(3).retry.unwrap().issued,
        Some(InFlight::new(sw.now, &sw.instance))
    );
    sw.now += 1_000.0;
    assert_eq!(reloads(&get_view(&mut sw, 3), 3), 0);
    // A reload with no news for too long, even in the same worker: issued again.
    sw.now += recover::RELOAD_LIMIT_MS;
    assert_eq!(reloads(&get_view(&mut sw, 3), 3), 1);
}

fn culprit_setup(sw: &mut Sw) -> Vec<Value> {
    sw.send(&report("NSES-UHX"), page(2));
    let exts = vec![
        ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
        ext("dark", "Fake Dark Mode", true, &["scripting"]),
        ext("notes", "Unrelated Notes", true, &["storage"]),
    ];
    list_extensions(sw, 2, &exts);
    exts
}

fn bisect_run(sw: &Sw) -> Option<BisectRun> {
    sw.local
        .get(BISECT_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .flatten()
}

#[test]
fn a_culprit_search_step_lost_with_its_worker_is_carried_out_again() {
    let mut sw = Sw::new();
    culprit_setup(&mut sw);
    let out = run_ext(&mut sw, 2, "find-culprit", None);
    let step = toggles(&out);
    assert_eq!(step, vec![(vec!["ads".into(), "dark".into()], false)]);
    assert_eq!(ledger(&sw), vec!["ads".to_string(), "dark".to_string()]);
    let run = bisect_run(&sw).unwrap();
    assert_eq!(run.issued, Some(InFlight::new(sw.now, "worker-1")));
    assert!(view_of(&get_view(&mut sw, 2)).busy);
    // Too soon for another worker to take over.
    restart(&mut sw, 1_000.0);
    assert!(toggles(&get_view(&mut sw, 2)).is_empty());
    // The step never happened (no navigation came): any call carries it out again,
    // also one about another tab.
    sw.now += 1_500.0;
    let out = get_view(&mut sw, 7);
    assert_eq!(toggles(&out), step);
    assert_eq!(reloads(&out, 2), 1);
    let list = out
        .effects
        .iter()
        .position(|e| matches!(e, Effect::ListExtensions { .. }));
    let set = out
        .effects
        .iter()
        .position(|e| matches!(e, Effect::SetEnabled { .. }));
    assert!(set < list, "listed after turning off: {:?}", out.effects);
    assert_eq!(ledger(&sw), vec!["ads".to_string(), "dark".to_string()]);
    let run = bisect_run(&sw).unwrap();
    assert_eq!(run.issued, Some(InFlight::new(sw.now, &sw.instance)));
    assert_eq!(run.search.checks(), 0, "the same step, not a new one");
    // Once the tab navigates, the step is under way: nothing is redone.
    navigated(&mut sw, 2);
    restart(&mut sw, 10_000.0);
    assert!(toggles(&get_view(&mut sw, 2)).is_empty());
}

#[test]
fn closing_the_tab_of_a_culprit_search_ends_it_and_keeps_the_way_back() {
    let mut sw = Sw::new();
    culprit_setup(&mut sw);
    run_ext(&mut sw, 2, "find-culprit", None);
    sw.send(&Msg::TabClosed { tab_id: 2 }, Sender::Internal);
    assert_eq!(bisect_run(&sw), None);
    assert_eq!(ledger(&sw), vec!["ads".to_string(), "dark".to_string()]);
    let out = get_view(&mut sw, 7);
    assert_eq!(
        view_of(&out).extras.restore,
        vec!["Fake AdBlock".to_string(), "Fake Dark Mode".to_string()]
    );
    // A search whose tab state is gone (closed while no worker ran) ends the same way.
    run_ext(&mut sw, 2, "find-culprit", None);
    sw.session.remove("tab:2");
    restart(&mut sw, 5_000.0);
    let out = get_view(&mut sw, 7);
    assert!(toggles(&out).is_empty());
    assert_eq!(bisect_run(&sw), None);
    assert!(!sw.session.contains_key("tab:2"));
}

#[test]
fn restore_keeps_the_ledger_until_a_listing_shows_the_extensions_on() {
    let mut sw = Sw::new();
    let exts = culprit_setup(&mut sw);
    run_ext(&mut sw, 2, "disable-suspects", None);
    let noted = sw.now;
    sw.now += 100.0;
    let out = run_ext(&mut sw, 5, "restore-extensions", None);
    assert_eq!(
        toggles(&out),
        vec![(vec!["ads".into(), "dark".into()], true)]
    );
    // The worker stops before the browser turned them on: still offered, on every tab.
    assert_eq!(ledger(&sw), vec!["ads".to_string(), "dark".to_string()]);
    restart(&mut sw, 5_000.0);
    assert_eq!(view_of(&get_view(&mut sw, 9)).extras.restore.len(), 2);
    let out = run_ext(&mut sw, 9, "restore-extensions", None);
    assert_eq!(
        toggles(&out),
        vec![(vec!["ads".into(), "dark".into()], true)]
    );
    let Some(Effect::ListExtensions { covers, .. }) = out
        .effects
        .iter()
        .find(|e| matches!(e, Effect::ListExtensions { .. }))
    else {
        panic!("{:?}", out.effects)
    };
    assert_eq!(*covers, sw.now);
    // The listing after it shows them on: the ledger empties.
    list_extensions_at(&mut sw, None, &exts, *covers);
    assert!(ledger(&sw).is_empty());
    assert!(noted < sw.now);
}

#[test]
fn a_listing_read_before_the_turning_off_does_not_drop_it_from_the_ledger() {
    let mut sw = Sw::new();
    let exts = culprit_setup(&mut sw);
    let navigate = |sw: &mut Sw| {
        navigated(sw, 2);
        new_document(sw, 2);
        sw.now += 1_000.0;
    };
    run_ext(&mut sw, 2, "find-culprit", None);
    navigate(&mut sw);
    // All off, the page works: "ads" goes back on for the next check.
    let out = sw.send(&report("Continue watching"), page(2));
    assert_eq!(toggles(&out), vec![(vec!["ads".into()], true)]);
    // Its listing shows "ads" on: it leaves the ledger.
    let mut dark_off = exts.clone();
    dark_off[1]["enabled"] = false.into();
    let covers = sw.now;
    list_extensions_at(&mut sw, Some(2), &dark_off, covers);
    assert_eq!(ledger(&sw), vec!["dark".to_string()]);
    navigate(&mut sw);
    // The error is back: the new detection asks for a listing first, then the last step
    // turns "ads" off again in the same call.
    let out = sw.send(&report("NSES-UHX"), page(2));
    let lists: Vec<(usize, f64)> = out
        .effects
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Effect::ListExtensions { covers, .. } => Some((i, *covers)),
            _ => None,
        })
        .collect();
    let off_at = out
        .effects
        .iter()
        .position(|e| {
            *e == Effect::SetEnabled {
                ids: vec!["ads".into()],
                enabled: false,
            }
        })
        .expect("the culprit is turned off");
    assert_eq!(lists.len(), 2, "{:?}", out.effects);
    let (early_at, early_covers) = lists[0];
    let (late_at, late_covers) = lists[1];
    assert!(early_at < off_at && off_at < late_at);
    assert!(early_covers < sw.now && late_covers == sw.now);
    // The early listing shows "ads" still on (read before the turning off): it stays in
    // the ledger. The late one shows it off.
    list_extensions_at(&mut sw, Some(2), &dark_off, early_covers);
    assert_eq!(ledger(&sw), vec!["dark".to_string(), "ads".to_string()]);
    let mut late = exts.clone();
    late[0]["enabled"] = false.into();
    list_extensions_at(&mut sw, Some(2), &late, late_covers);
    assert_eq!(ledger(&sw), vec!["ads".to_string()]);
}

#[test]
fn an_empty_early_report_does_not_wipe_what_the_page_showed() {
    let mut sw = Sw::new();
    sw.send(&report("Error Code: NSEZ-403"), page(8));
    // A document still being parsed (or torn down) reads as nothing at all.
    let empty = Msg::PageReport {
        doc: None,
        status: None,
        settled: false,
        url: PAGE.into(),
        blocks: vec![],
    };
    let out = sw.send(&empty, page(8));
    assert_eq!(panel_of(&out), Some("NSEZ-403".into()));
    assert!(sw.tab(8).detection.is_some());
    // Settled and still empty: the page really shows nothing wrong.
    let settled = Msg::PageReport {
        doc: None,
        status: None,
        settled: true,
        url: PAGE.into(),
        blocks: vec![],
    };
    sw.send(&settled, page(8));
    assert!(sw.tab(8).detection.is_none());
}

// ---- a tab that changes error or service, a countdown nobody sees, stale listings

fn page_at(tab: i64, url: &str) -> Sender {
    Sender::Runtime {
        document_id: None,
        id: Some(ID.into()),
        url: Some(url.into()),
        tab_id: Some(tab),
        frame_id: Some(0),
    }
}

fn report_at(url: &str, text: &str) -> Msg {
    Msg::PageReport {
        doc: None,
        status: None,
        settled: true,
        url: url.into(),
        blocks: vec![Block {
            place: None,
            kind: BlockKind::Container,
            text: text.into(),
        }],
    }
}

fn navigate_to(sw: &mut Sw, tab: i64, url: &str) {
    let nav = Msg::Navigating {
        request_id: None,
        tab_id: tab,
        url: url.into(),
        started_at: 0.0,
    };
    sw.send(&nav, Sender::Internal);
}

const DISNEY: &str = "https://www.disneyplus.com/video/1";
const YOUTUBE: &str = "https://www.youtube.com/watch?v=abc";

#[test]
fn the_countdown_stops_when_the_reload_shows_an_error_waiting_does_not_fix() {
    let mut sw = Sw::new();
    counting_down(&mut sw);
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 1);
    // After the reload the page shows NSEZ-403 (not an overload).
    navigate_and_report(&mut sw, 3, "Error NSEZ-403");
    assert!(sw.tab(3).retry.is_none());
    sw.now += 60_000.0;
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 0);
    assert_ne!(
        sw.tab(3).steps.get(tab::WAIT_RETRY_STEP),
        Some(&StepState::NotHelped),
        "the countdown didn't run out: it was stopped"
    );
}

#[test]
fn a_countdown_does_not_follow_the_tab_to_another_service() {
    let mut sw = Sw::new();
    counting_down(&mut sw);
    navigate_to(&mut sw, 3, YOUTUBE);
    sw.send(
        &Msg::Hello {
            doc: None,
            url: YOUTUBE.into(),
        },
        page_at(3, YOUTUBE),
    );
    let text = "An error occurred. Please try again later.";
    let out = sw.send(&report_at(YOUTUBE, text), page_at(3, YOUTUBE));
    assert!(matches!(out.reply, Reply::Verdict { retry_at: None, .. }));
    sw.now += 60_000.0;
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page_at(3, YOUTUBE));
    assert_eq!(reloads(&out, 3), 0);
}

#[test]
fn what_was_tried_on_one_service_does_not_carry_over_to_the_next() {
    let mut sw = Sw::new();
    // Netflix: the countdown gave up; clearing was marked as not helping; 503 closed.
    countdown_runs_out(&mut sw);
    assert_eq!(
        sw.tab(3).steps.get(tab::WAIT_RETRY_STEP),
        Some(&StepState::NotHelped)
    );
    let mark = Msg::MarkStep {
        tab_id: Some(3),
        step: "clear-site-data".into(),
        state: StepState::NotHelped,
    };
    sw.send(&mark, popup());
    // The same tab goes to Disney+, which answers 503: a fresh plan and a countdown.
    navigate_to(&mut sw, 3, DISNEY);
    let http = Msg::HttpResponse {
        request_id: None,
        tab_id: 3,
        url: DISNEY.into(),
        status: 503,
        main_frame: true,
    };
    sw.send(&http, Sender::Internal);
    let tab = sw.tab(3);
    assert!(tab.steps.is_empty(), "{:?}", tab.steps);
    assert!(tab.retry.is_some());
    assert!(tab.notice.is_none());
    // A reload of Disney+ keeps Disney+'s own marks.
    sw.send(&mark, popup());
    navigate_to(&mut sw, 3, DISNEY);
    assert_eq!(
        sw.tab(3).steps.get("clear-site-data"),
        Some(&StepState::NotHelped)
    );
}

#[test]
fn a_service_switched_off_during_a_countdown_is_not_reloaded() {
    let mut sw = Sw::new();
    counting_down(&mut sw);
    let off = r#"{"type":"SetSettings","settings":{"auto_panel":true,"muted_codes":[],"off_services":["netflix"]}}"#;
    sw.send_raw(off, popup());
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 0);
    assert!(sw.tab(3).retry.is_none());
    // Nor later, when the popup opens.
    sw.now += recover::RELOAD_LIMIT_MS + 1.0;
    assert_eq!(reloads(&get_view(&mut sw, 3), 3), 0);
}

#[test]
fn a_muted_or_closed_overload_does_not_reload_the_tab_by_itself() {
    let mut sw = Sw::new();
    with_settings(
        &mut sw,
        serde_json::json!({"auto_panel": true, "muted_codes": ["netflix:NSEZ-503"]}),
    );
    let out = sw.send(&report("NSEZ-503"), page(3));
    assert!(matches!(
        out.reply,
        Reply::Verdict {
            panel: None,
            retry_at: None,
            ..
        }
    ));
    // The panel switched off altogether: the same.
    let mut sw = Sw::new();
    with_settings(&mut sw, serde_json::json!({"auto_panel": false}));
    let out = sw.send(&report("NSEZ-503"), page(3));
    assert!(matches!(out.reply, Reply::Verdict { retry_at: None, .. }));
    // Closing the panel stops a countdown that was running.
    let mut sw = Sw::new();
    counting_down(&mut sw);
    sw.send(&Msg::Dismiss { tab_id: Some(3) }, popup());
    assert!(sw.tab(3).retry.is_none());
    sw.now += 60_000.0;
    let out = sw.send_raw(r#"{"type":"RetryDue"}"#, page(3));
    assert_eq!(reloads(&out, 3), 0);
}

#[test]
fn the_old_pages_last_report_is_not_taken_for_the_new_site() {
    let mut sw = Sw::new();
    let http = |url: &str, status| Msg::HttpResponse {
        request_id: None,
        tab_id: 3,
        url: url.into(),
        status,
        main_frame: true,
    };
    sw.send(&http(PAGE, 503), Sender::Internal);
    navigate_to(&mut sw, 3, YOUTUBE);
    sw.send(&http(YOUTUBE, 200), Sender::Internal);
    // The Netflix document's settle report lands after the navigation started.
    let late = Msg::PageReport {
        doc: None,
        status: Some(503),
        settled: true,
        url: PAGE.into(),
        blocks: vec![],
    };
    let out = sw.send(&late, page(3));
    assert!(matches!(out.reply, Reply::Verdict { panel: None, .. }));
    sw.send(
        &Msg::Hello {
            doc: None,
            url: YOUTUBE.into(),
        },
        page_at(3, YOUTUBE),
    );
    sw.send(&report_at(YOUTUBE, ""), page_at(3, YOUTUBE));
    let tab = sw.tab(3);
    assert!(tab.detection.is_none(), "{:?}", tab.detection);
    assert_eq!(tab.service.as_deref(), Some("youtube"));
}

#[test]
fn a_listing_after_the_user_turned_an_extension_off_keeps_restore_from_turning_it_on() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    list_extensions(
        &mut sw,
        2,
        &[ext("vpn", "Fake VPN Proxy", true, &["proxy"])],
    );
    // The user turns the VPN off in chrome://extensions: the worker lists again, for
    // every tab (no tab id), covering nothing of the ledger.
    let off = [ext("vpn", "Fake VPN Proxy", false, &["proxy"])];
    list_extensions_at(&mut sw, None, &off, 0.0);
    let listed = sw.tab(2).extensions.unwrap();
    assert!(listed.iter().all(|c| !c.enabled));
    // "Turn off suspects" in the still-open panel has nothing to turn off.
    let out = run_ext(&mut sw, 2, "disable-suspects", None);
    assert!(matches!(out.reply, Reply::Error { .. }), "{:?}", out.reply);
    assert!(toggles(&out).is_empty());
    assert!(ledger(&sw).is_empty());
    let out = run_ext(&mut sw, 2, "restore-extensions", None);
    assert!(toggles(&out).is_empty());
}

#[test]
fn a_listing_without_a_tab_never_takes_an_entry_off_the_ledger_early() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    list_extensions(
        &mut sw,
        2,
        &[ext("vpn", "Fake VPN Proxy", true, &["proxy"])],
    );
    run_ext(&mut sw, 2, "disable-suspects", None);
    assert_eq!(ledger(&sw), ["vpn"]);
    // A listing read before the turning-off ran (covers 0) still shows it on.
    let on = [ext("vpn", "Fake VPN Proxy", true, &["proxy"])];
    list_extensions_at(&mut sw, None, &on, 0.0);
    assert_eq!(ledger(&sw), ["vpn"]);
}

fn report_text(sw: &mut Sw, tab: i64, lang: &str) -> String {
    let m = serde_json::json!({"type": "GetReport", "tab_id": tab, "lang": lang, "browser": "Chrome 156", "os": "Linux", "now_iso": "2026-11-22T10:00:00Z"});
    match sw.send_raw(&m.to_string(), popup()).reply {
        Reply::Report { text } => text,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_report_speaks_its_language_names_extensions_and_agrees_with_the_listing() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    let vpn = "vpnvpnvpnvpnvpnvpnvpnvpnvpnvpnvp";
    list_extensions(&mut sw, 2, &[ext(vpn, "Hola VPN", true, &["proxy"])]);
    let es = report_text(&mut sw, 2, "es");
    assert!(es.contains("mostrado en la página"), "{es}");
    assert!(es.contains(&Word::ShownOnPage.say("es")), "{es}");
    assert!(
        !es.contains("shown on the page") && !es.contains("(inferred)"),
        "{es}"
    );
    // The proxy line names the extension (never its id) and doesn't blame it outright.
    let en = report_text(&mut sw, 2, "en");
    assert!(
        en.contains("extensions that can set a proxy: Hola VPN"),
        "{en}"
    );
    let setters = Word::ProxySetters { names: "Hola VPN" }.say("en");
    assert!(en.contains(&format!("; {setters}\n")), "{en}");
    assert!(!en.contains(vpn) && !en.contains("likely set by"), "{en}");
    // Turned off by StreamFix, then back on by the user: the report says on.
    run_ext(&mut sw, 2, "disable-suspects", None);
    let off = [ext(vpn, "Hola VPN", false, &["proxy"])];
    let at = sw.now;
    list_extensions_at(&mut sw, Some(2), &off, at);
    assert!(report_text(&mut sw, 2, "en").contains("turned off by StreamFix"));
    let on = [ext(vpn, "Hola VPN", true, &["proxy"])];
    list_extensions_at(&mut sw, None, &on, 0.0);
    let en = report_text(&mut sw, 2, "en");
    assert!(!en.contains("turned off by StreamFix"), "{en}");
}

fn focus_panel(out: &Output, tab: i64) -> Option<String> {
    out.effects.iter().find_map(|e| match e {
        Effect::Panel {
            tab_id,
            code,
            focus: true,
        } if *tab_id == tab => code.clone(),
        _ => None,
    })
}

fn quiet_of(out: &Output) -> Vec<String> {
    match &out.reply {
        Reply::Verdict { quick, .. } => quick.quiet.clone(),
        other => panic!("not a verdict: {other:?}"),
    }
}

#[test]
fn show_panel_brings_a_closed_panel_back_with_focus() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    sw.send(&Msg::Dismiss { tab_id: Some(2) }, popup());
    assert!(view_of(&get_view(&mut sw, 2)).panel_possible);
    let out = run(&mut sw, 2, "show-panel");
    assert_eq!(view_of(&out).code, "NSEZ-503");
    assert_eq!(focus_panel(&out, 2), Some("NSEZ-503".into()));
    // The content script's next report gets the panel, and the quick verdict agrees.
    let out = sw.send(&report("NSEZ-503"), page(2));
    assert_eq!(panel_of(&out), Some("NSEZ-503".into()));
    assert!(!quiet_of(&out).contains(&"NSEZ-503".to_string()));
    // Closed again: it stays closed.
    sw.send(&Msg::Dismiss { tab_id: Some(2) }, popup());
    assert_eq!(panel_of(&sw.send(&report("NSEZ-503"), page(2))), None);
}

#[test]
fn show_panel_overrides_mute_and_panel_off_for_that_code_only() {
    let mut sw = Sw::new();
    with_settings(
        &mut sw,
        serde_json::json!({"auto_panel": false, "muted_codes": ["NSEZ-503"]}),
    );
    assert_eq!(panel_of(&sw.send(&report("NSEZ-503"), page(2))), None);
    run(&mut sw, 2, "show-panel");
    assert_eq!(
        panel_of(&sw.send(&report("NSEZ-503"), page(2))),
        Some("NSEZ-503".into())
    );
    // Another code follows the settings again.
    assert_eq!(panel_of(&sw.send(&report("NSEZ-403"), page(2))), None);
    // Muting it from the panel takes the request back.
    run(&mut sw, 2, "show-panel");
    run(&mut sw, 2, "mute-code");
    assert_eq!(panel_of(&sw.send(&report("NSEZ-403"), page(2))), None);
}

#[test]
fn show_panel_without_an_error_is_refused_and_net_errors_have_no_panel() {
    let mut sw = Sw::new();
    sw.send(&report("Welcome back"), page(2));
    let out = run(&mut sw, 2, "show-panel");
    assert!(
        matches!(&out.reply, Reply::Error { error } if error == messages::refusal::NO_ERROR),
        "{:?}",
        out.reply
    );
    assert!(out.effects.is_empty());
    // A failed load shows the browser's own error page: no content script to show a panel.
    let ev = net_error(5, "net::ERR_NAME_NOT_RESOLVED");
    sw.send(&ev, Sender::Internal);
    let view = view_of(&get_view(&mut sw, 5)).clone();
    assert_eq!((view.state.as_str(), view.code.as_str()), ("error", "DNS"));
    assert!(!view.panel_possible);
    // The shortcut there does nothing either.
    let out = sw.send_raw(
        r#"{"type":"Command","name":"show-panel","tab_id":5}"#,
        Sender::Internal,
    );
    assert!(out.effects.is_empty());
    assert_eq!(sw.tab(5).requested, None);
}

#[test]
fn a_requested_panel_is_for_the_error_at_hand_only() {
    let mut sw = Sw::new();
    with_settings(&mut sw, serde_json::json!({"auto_panel": false}));
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "show-panel");
    // A reload showing the same error keeps it.
    assert_eq!(
        panel_of(&navigate_and_report(&mut sw, 2, "NSEZ-403")),
        Some("NSEZ-403".into())
    );
    // Fixed: the request ends with the error; the same code later follows the settings.
    navigate_and_report(&mut sw, 2, "Continue watching");
    assert_eq!(sw.tab(2).requested, None);
    assert_eq!(panel_of(&navigate_and_report(&mut sw, 2, "NSEZ-403")), None);
}

#[test]
fn the_show_panel_shortcut_is_a_browser_event() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    sw.send(&Msg::Dismiss { tab_id: Some(2) }, popup());
    let cmd = r#"{"type":"Command","name":"show-panel","tab_id":2}"#;
    // Only the worker's own listener may send it: not a page, not an extension page.
    for from in [page(2), popup()] {
        let out = sw.send_raw(cmd, from);
        assert!(matches!(out.reply, Reply::Error { .. }));
        assert!(out.effects.is_empty());
    }
    let out = sw.send_raw(cmd, Sender::Internal);
    assert_eq!(focus_panel(&out, 2), Some("NSEZ-503".into()));
    assert_eq!(sw.tab(2).requested.as_deref(), Some("NSEZ-503"));
    // Another command, or a tab with nothing on it: nothing happens.
    for other in [
        r#"{"type":"Command","name":"other","tab_id":2}"#,
        r#"{"type":"Command","name":"show-panel","tab_id":7}"#,
        r#"{"type":"Command","name":"show-panel"}"#,
    ] {
        let out = sw.send_raw(other, Sender::Internal);
        assert!(matches!(out.reply, Reply::Ok), "{other}: {:?}", out.reply);
        assert!(out.effects.is_empty(), "{other}");
    }
}

#[test]
fn a_missing_drm_component_is_fixed_first_where_the_browser_keeps_it() {
    let mut sw = Sw::new();
    sw.send(&report("M7702-1003"), page(2));
    let view = view_of(&get_view(&mut sw, 2)).clone();
    let ids: Vec<&str> = view.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids[..2], ["update-drm", "update-browser"]);
    assert!(view.steps[0].how[0].contains("`chrome://components`"));
    // Firefox users get Firefox's way, and not Chrome's.
    let mut ff = Sw::new();
    ff.browser = crate::core::sitedata::Browser::Firefox;
    ff.send(&report("M7702-1003"), page(2));
    let view = view_of(&get_view(&mut ff, 2)).clone();
    let ids: Vec<&str> = view.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids[..2], ["enable-drm-firefox", "update-browser"]);
    assert!(!ids.contains(&"update-drm"));
    // M7361-1253 is a network error, not a DRM one.
    sw.send(&report("M7361-1253"), page(3));
    let view = view_of(&get_view(&mut sw, 3)).clone();
    assert_eq!(view.code, "M7361-1253");
    assert!(view.steps.iter().all(|s| s.id != "update-drm"));
}

#[test]
fn the_old_document_speaks_for_nothing_while_the_next_one_loads() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    run(&mut sw, 2, "confirm");
    // The clearing reloads the tab; the old page, still on screen, reports its error.
    navigated(&mut sw, 2);
    let out = sw.send(&report("NSEZ-403"), page(2));
    assert_eq!(panel_of(&out), None);
    assert!(out.effects.is_empty(), "{:?}", out.effects);
    let tab = sw.tab(2);
    assert!(tab.detection.is_none());
    assert_ne!(
        tab.steps.get("clear-site-data"),
        Some(&StepState::NotHelped)
    );
    // The new page works: the clearing helped.
    new_document(&mut sw, 2);
    sw.send(&report("Continue watching"), page(2));
    assert_eq!(sw.tab(2).steps["clear-site-data"], StepState::Helped);
}

#[test]
fn a_navigation_that_ends_without_a_new_document_lets_the_old_one_speak_again() {
    let ended: [Msg; 2] = [
        // A 204 answer, or a download taking over.
        Msg::HttpResponse {
            request_id: None,
            tab_id: 2,
            url: PAGE.into(),
            status: 204,
            main_frame: true,
        },
        // Stop.
        net_error(2, "net::ERR_ABORTED"),
    ];
    for end in ended {
        let mut sw = Sw::new();
        sw.send(&report("NSEZ-403"), page(2));
        navigated(&mut sw, 2);
        sw.send(&end, Sender::Internal);
        let out = sw.send(&report("NSEZ-403"), page(2));
        assert_eq!(panel_of(&out), Some("NSEZ-403".into()), "after {end:?}");
        assert_eq!(sw.tab(2).detection.unwrap().code, "NSEZ-403");
    }
    // A navigation the browser never said more of is over after a while.
    let mut sw = Sw::new();
    navigated(&mut sw, 2);
    sw.now += tab::NAVIGATION_PENDING_MS;
    assert_eq!(
        panel_of(&sw.send(&report("NSEZ-403"), page(2))),
        Some("NSEZ-403".into())
    );
}

#[test]
fn the_tabs_to_tell_are_those_whose_view_changed() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-503"), page(2));
    sw.send(&report("NSEZ-503"), page(3));
    let out = sw.send(&Msg::TabClosed { tab_id: 3 }, Sender::Internal);
    let stored: Vec<String> = sw.session.keys().cloned().collect();
    assert_eq!(out.tabs_to_tell(stored.iter()), vec![3]);
    let mut out = sw.send(&report("NSEZ-503"), page(2));
    assert_eq!(out.tabs_to_tell(stored.iter()), vec![2]);
    // What StreamFix turned off shows on every watched tab.
    out.local_set.insert(
        LEDGER_KEY.into(),
        Stored::from_json_text(r#"{"off":[]}"#.into()),
    );
    let keys = ["tab:2".to_string(), "tab:7".into(), "settings".into()];
    assert_eq!(out.tabs_to_tell(keys.iter()), vec![2, 7]);
}

fn enter_code(sw: &mut Sw, tab: i64, code: &str) -> Output {
    let msg =
        serde_json::json!({"type": "Run", "tab_id": tab, "action": "enter-code", "code": code});
    sw.send_raw(&msg.to_string(), popup())
}

#[test]
fn a_code_the_user_enters_gets_the_plan_of_a_detected_one_until_the_next_page() {
    let mut sw = Sw::new();
    sw.send(&report("Watch the best shows"), page(2));
    let before = get_view(&mut sw, 2);
    let offered: Vec<&str> = view_of(&before).more.iter().map(|m| &*m.action).collect();
    assert!(offered.contains(&"enter-code"));
    assert!(view_of(&before)
        .known_codes
        .contains(&"NSEZ-403".to_string()));
    // Typed in lower case, with a typographic dash and spaces around.
    let out = enter_code(&mut sw, 2, " nsez\u{2013}403 ");
    let view = view_of(&out);
    assert_eq!(
        (view.state.as_str(), view.code.as_str()),
        ("error", "NSEZ-403")
    );
    assert_eq!(
        view.shown,
        Some(view::Shown::Told {
            value: "NSEZ-403".into()
        })
    );
    assert!(!view.steps.is_empty());
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")));
    // The page's next report, which shows no error, doesn't take it back...
    sw.send(&report("Watch the best shows"), page(2));
    assert_eq!(view_of(&get_view(&mut sw, 2)).code, "NSEZ-403");
    // ...the next page does.
    navigate_and_report(&mut sw, 2, "Watch the best shows");
    assert_eq!(view_of(&get_view(&mut sw, 2)).state, "ok");
}

#[test]
fn entered_codes_of_a_known_shape_are_accepted_and_anything_else_refused() {
    let mut sw = Sw::new();
    sw.send(&report("Watch the best shows"), page(2));
    let entry = |out: &Output| {
        let d = &view_of(out).code;
        d.clone()
    };
    // An unknown code of a known shape: the service's entry for unknown codes.
    assert_eq!(entry(&enter_code(&mut sw, 2, "zx-9912")), "ZX-9912");
    // An HTTP status.
    let out = enter_code(&mut sw, 2, "503");
    assert_eq!(sw.tab(2).detection.unwrap().entry, "HTTP-503", "{out:?}");
    for junk in [
        "",
        "hello",
        "I don't know",
        "12",
        "NSEZ-403 and more",
        &"A".repeat(500),
    ] {
        let out = enter_code(&mut sw, 2, junk);
        assert!(
            matches!(&out.reply, Reply::Error { error } if error == messages::refusal::NOT_A_CODE),
            "{junk:?}: {out:?}"
        );
    }
    // Not on a tab of a watched service.
    let out = enter_code(&mut sw, 9, "NSEZ-403");
    assert!(
        matches!(&out.reply, Reply::Error { error } if error == messages::refusal::NOT_SERVICE)
    );
}

fn plan_ids(out: &Output) -> Vec<(String, bool)> {
    view_of(out)
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.worked))
        .collect()
}

#[test]
fn the_step_that_fixed_an_error_comes_first_the_next_time_it_shows() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    let before = plan_ids(&get_view(&mut sw, 2));
    let (last, _) = before.last().cloned().unwrap();
    assert!(before.iter().all(|(_, w)| !w));
    // The user says the last step helped.
    let msg = serde_json::json!({"type": "MarkStep", "tab_id": 2, "step": last, "state": "helped"});
    sw.send_raw(&msg.to_string(), popup());
    // Next time, on another tab and page: that step first, said so, and next to do.
    navigate_and_report(&mut sw, 5, "NSEZ-403");
    let view = get_view(&mut sw, 5);
    let after = plan_ids(&view);
    assert_eq!(after[0], (last.clone(), true));
    assert_eq!(after.len(), before.len());
    assert!(view_of(&view).steps[0].next);
    // Another error's plan is as it was.
    navigate_and_report(&mut sw, 6, "NSEZ-503");
    assert!(plan_ids(&get_view(&mut sw, 6)).iter().all(|(_, w)| !w));
    // Forgotten from the options page: the catalog's order again.
    let out = sw.send_raw(r#"{"type":"ForgetFixes"}"#, popup());
    assert!(matches!(
        out.reply,
        Reply::Settings {
            options: OptionsView { remembered: 0, .. }
        }
    ));
    assert_eq!(plan_ids(&get_view(&mut sw, 5)), before);
}

#[test]
fn a_step_the_page_recovered_after_is_remembered_too() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    run(&mut sw, 2, "confirm");
    navigate_and_report(&mut sw, 2, "Watch the best shows");
    let remembered = |sw: &mut Sw| match sw.send_raw(r#"{"type":"GetSettings"}"#, popup()).reply {
        Reply::Settings {
            options: OptionsView { remembered, .. },
        } => remembered,
        other => panic!("{other:?}"),
    };
    assert_eq!(remembered(&mut sw), 1);
    navigate_and_report(&mut sw, 2, "NSEZ-403");
    assert_eq!(
        plan_ids(&get_view(&mut sw, 2))[0],
        ("clear-site-data".into(), true)
    );
}

/// The tab's connection check, measured at `bytes` per second.
fn measure_at(sw: &mut Sw, tab: i64, bytes: u64) -> Output {
    let out = run(sw, tab, "run-connection-check");
    let Some(Effect::MeasureConnection { run: started, .. }) = out.effects.first().cloned() else {
        panic!("{:?}", out.effects)
    };
    let measured = serde_json::json!({"type": "ConnectionMeasured", "tab_id": tab, "run": started, "measurement": {
        "online": true,
        "probes": [{"url": "u", "outcome": {"kind": "ok", "status": 200}}],
        "download": {"bytes": bytes, "ms": 1000.0}
    }});
    sw.send_raw(&measured.to_string(), Sender::Internal);
    get_view(sw, tab)
}

#[test]
fn a_line_too_slow_for_hd_with_no_error_gets_the_network_steps() {
    let mut sw = Sw::new();
    sw.send(&report("Continue watching"), page(2));
    // 2.4 Mbps: below HD's 5.
    let out = measure_at(&mut sw, 2, 300_000);
    let view = view_of(&out);
    assert_eq!(view.state, "ok");
    assert_eq!(view.connection.as_ref().unwrap().verdict, "sd");
    let steps: Vec<&str> = view.steps.iter().map(|s| &*s.id).collect();
    assert_eq!(
        steps,
        ["restart-network", "disable-vpn", "data-cap", "contact-isp"]
    );
    assert!(view.steps[0].next);
    assert!(view.meaning.contains("Netflix") && view.meaning.contains("5 Mbps"));
    // Nothing is "stopping playback" here: the sentence for an error on screen is left out.
    let explain = view.connection.as_ref().unwrap().explain.join(" ");
    assert!(!explain.contains("stopping playback"), "{explain}");
    // Fast enough for HD (8 Mbps): no advice.
    sw.now += 60_000.0;
    let view = view_of(&measure_at(&mut sw, 2, 1_000_000)).clone();
    assert_eq!(view.connection.as_ref().unwrap().verdict, "hd");
    assert!(view.steps.is_empty() && view.meaning.is_empty());
}

#[test]
fn the_view_decides_what_the_extensions_section_offers_and_where_sections_go() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    let before = view_of(&get_view(&mut sw, 2)).clone();
    let step = |v: &view::View| {
        v.steps
            .iter()
            .find(|s| s.action.as_deref() == Some("check-extensions"))
            .cloned()
    };
    if let Some(s) = step(&before) {
        assert_eq!((s.again, s.shows), (false, Some(view::Section::Extensions)));
        assert!(!before.loose.contains(&view::Section::Extensions));
    } else {
        assert!(before.loose.contains(&view::Section::Extensions));
    }
    assert_eq!(before.ext, view::ExtOffer::default(), "nothing listed yet");

    let two = [
        ext("vpn", "Fake VPN Proxy", true, &["proxy"]),
        ext("ads", "Fake AdBlock", true, &["declarativeNetRequest"]),
        ext("notes", "Unrelated Notes", true, &["storage"]),
    ];
    list_extensions(&mut sw, 2, &two);
    let v = view_of(&get_view(&mut sw, 2)).clone();
    assert_eq!(v.ext.actions, ["disable-suspects", "find-culprit"]);
    let mut each = v.ext.disable_each.clone();
    each.sort();
    assert_eq!(each, ["ads", "vpn"]);
    assert!(v.ext.by_hand.is_empty());
    if let Some(s) = step(&v) {
        assert!(
            s.again,
            "a listing on screen: the step offers to check again"
        );
    }

    // One suspect: nothing to search among.
    list_extensions(&mut sw, 2, &two[..1]);
    assert_eq!(
        view_of(&get_view(&mut sw, 2)).ext.actions,
        ["disable-suspects"]
    );

    // A browser that can't turn extensions off names the suspects instead.
    let msg = serde_json::json!({"type": "GetView", "tab_id": 2, "lang": "en"});
    let out = sw.send_raw_with_browser(&msg.to_string(), crate::core::sitedata::Browser::Firefox);
    let v = view_of(&out);
    assert!(v.ext.actions.is_empty() && v.ext.disable_each.is_empty());
    assert_eq!(v.ext.by_hand, ["Fake VPN Proxy"]);
}

#[test]
fn the_confirmation_lists_every_kind_the_clearing_removes() {
    let mut sw = Sw::new();
    sw.send(&report("NSEZ-403"), page(2));
    run(&mut sw, 2, "clear-site-data");
    let v = view_of(&get_view(&mut sw, 2)).clone();
    let confirm = v.confirm.expect("a confirmation first");
    assert_eq!(confirm.types, crate::core::sitedata::CHROME_TYPES);
}

#[test]
fn each_options_change_is_applied_to_the_settings_as_stored() {
    let mut sw = Sw::new();
    let change = |sw: &mut Sw, change: Value| {
        let msg = serde_json::json!({"type": "ChangeSetting", "change": change});
        match sw.send_raw(&msg.to_string(), popup()).reply {
            Reply::Settings {
                options: OptionsView {
                    settings, services, ..
                },
            } => (settings, services),
            other => panic!("{other:?}"),
        }
    };
    // The options page shows YouTube on, then the user turns it off.
    let (settings, services) = change(
        &mut sw,
        serde_json::json!({"kind": "service", "id": "youtube", "on": false}),
    );
    assert_eq!(settings.off_services, ["youtube"]);
    assert!(services.iter().any(|s| s.id == "youtube" && !s.on));
    assert!(services.iter().any(|s| s.id == "netflix" && s.on));
    // Meanwhile the panel mutes a code; the page's next change keeps it.
    sw.send(&report("NSEZ-503"), page(3));
    run(&mut sw, 3, "mute-code");
    let (settings, _) = change(
        &mut sw,
        serde_json::json!({"kind": "auto-panel", "on": false}),
    );
    assert!(!settings.auto_panel);
    assert_eq!(settings.muted_codes, ["netflix:NSEZ-503"]);
    assert_eq!(settings.off_services, ["youtube"]);
    // Turning YouTube on twice, and unmuting, leave nothing behind.
    for _ in 0..2 {
        change(
            &mut sw,
            serde_json::json!({"kind": "service", "id": "youtube", "on": true}),
        );
    }
    let (settings, _) = change(
        &mut sw,
        serde_json::json!({"kind": "unmute", "key": "netflix:NSEZ-503"}),
    );
    assert_eq!(
        settings,
        crate::core::state::Settings {
            auto_panel: false,
            ..Default::default()
        }
    );
    // The page can't change settings; a change of an unknown kind is refused.
    let msg =
        serde_json::json!({"type": "ChangeSetting", "change": {"kind": "auto-panel", "on": true}});
    assert!(matches!(
        sw.send_raw(&msg.to_string(), page(3)).reply,
        Reply::Error { .. }
    ));
    let msg = serde_json::json!({"type": "ChangeSetting", "change": {"kind": "everything"}});
    assert!(matches!(
        sw.send_raw(&msg.to_string(), popup()).reply,
        Reply::Error { .. }
    ));
}

#[test]
fn a_proxy_error_with_no_vpn_extension_points_outside_the_browser() {
    let mut sw = Sw::new();
    sw.send(&report("M7111-1331-5059"), page(2));
    assert!(
        !view_of(&get_view(&mut sw, 2)).proxy_outside_browser,
        "nothing listed yet"
    );
    list_extensions(
        &mut sw,
        2,
        &[ext("notes", "Unrelated Notes", true, &["storage"])],
    );
    assert!(view_of(&get_view(&mut sw, 2)).proxy_outside_browser);
    list_extensions(
        &mut sw,
        2,
        &[ext("vpn", "Fake VPN Proxy", true, &["proxy"])],
    );
    assert!(
        !view_of(&get_view(&mut sw, 2)).proxy_outside_browser,
        "a VPN extension explains it"
    );
    // An error that says nothing of a proxy never points there.
    sw.send(&report("NSEZ-503"), page(3));
    list_extensions(
        &mut sw,
        3,
        &[ext("notes", "Unrelated Notes", true, &["storage"])],
    );
    assert!(!view_of(&get_view(&mut sw, 3)).proxy_outside_browser);
}
