//! A tab's state belongs to a document. Each order in which Chrome and Firefox deliver a
//! navigation's events (the request's start, its answer, the new document's Hello and
//! reports, the old document's last reports) ends in the same state.

use super::*;
use crate::core::detector::Evidence;
use crate::core::messages::DocStamp;

/// How the browser lets the core tell documents apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// `sender.documentId` (Chrome 106+, recent Firefox).
    Sender,
    /// Only the content script's own random id.
    Script,
}

/// The order a navigation's events reach the worker in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Chrome: start, answer, then the new document's Hello and reports.
    Early,
    /// Firefox on a site with a service worker: Hello and the first reports, then the
    /// request's start and answer, stamped before the Hello.
    Late,
}

const ORDERS: [(Order, Names); 4] = [
    (Order::Early, Names::Sender),
    (Order::Early, Names::Script),
    (Order::Late, Names::Sender),
    (Order::Late, Names::Script),
];

const TAB: i64 = 4;

/// One tab as a browser drives it.
struct Tab {
    sw: Sw,
    names: Names,
    /// The document on screen (a counter) and when it said Hello.
    doc: u32,
    doc_at: f64,
    requests: u32,
}

impl Tab {
    fn new(names: Names) -> Self {
        Tab {
            sw: Sw::new(),
            names,
            doc: 0,
            doc_at: 0.0,
            requests: 0,
        }
    }

    fn sender(&self, doc: u32) -> Sender {
        Sender::Runtime {
            id: Some(ID.into()),
            url: Some(PAGE.into()),
            tab_id: Some(TAB),
            frame_id: Some(0),
            document_id: (self.names == Names::Sender).then(|| format!("browser-{doc}")),
        }
    }

    fn stamp(&self, doc: u32, at: f64) -> Option<DocStamp> {
        Some(DocStamp {
            id: format!("script-{doc}"),
            at,
        })
    }

    fn tick(&mut self, ms: f64) {
        self.sw.now += ms;
    }

    /// A new document says Hello.
    fn hello(&mut self) -> Output {
        self.doc += 1;
        self.doc_at = self.sw.now;
        self.hello_again()
    }

    /// The document on screen says Hello again (restored from the back/forward cache).
    fn hello_again(&mut self) -> Output {
        let msg = Msg::Hello {
            url: PAGE.into(),
            doc: self.stamp(self.doc, self.sw.now),
        };
        self.sw.send(&msg, self.sender(self.doc))
    }

    /// The document on screen reports what it shows (`None`: nothing readable yet).
    fn report(&mut self, text: Option<&str>, settled: bool) -> Output {
        let (doc, at) = (self.doc, self.doc_at);
        self.report_of(doc, at, PAGE, text, settled)
    }

    fn report_of(
        &mut self,
        doc: u32,
        at: f64,
        url: &str,
        text: Option<&str>,
        settled: bool,
    ) -> Output {
        let msg = Msg::PageReport {
            url: url.into(),
            blocks: text
                .map(|t| Block {
                    place: None,
                    kind: BlockKind::Container,
                    text: t.into(),
                })
                .into_iter()
                .collect(),
            status: None,
            settled,
            doc: self.stamp(doc, at),
        };
        let mut sender = self.sender(doc);
        if let Sender::Runtime { url: u, .. } = &mut sender {
            *u = Some(url.into());
        }
        self.sw.send(&msg, sender)
    }

    /// A main-frame request starts (or is redirected to `url`), stamped `started_at`.
    fn start(&mut self, req: &str, url: &str, started_at: f64) -> Output {
        let msg = Msg::Navigating {
            tab_id: TAB,
            url: url.into(),
            started_at,
            request_id: Some(req.into()),
        };
        self.sw.send(&msg, Sender::Internal)
    }

    fn answer(&mut self, req: &str, status: u16) -> Output {
        let msg = Msg::HttpResponse {
            tab_id: TAB,
            url: PAGE.into(),
            status,
            main_frame: true,
            request_id: Some(req.into()),
        };
        self.sw.send(&msg, Sender::Internal)
    }

    fn fail(&mut self, req: &str, error: &str) -> Output {
        let msg = Msg::NetError {
            tab_id: TAB,
            url: PAGE.into(),
            error: error.into(),
            main_frame: true,
            request_id: Some(req.into()),
        };
        self.sw.send(&msg, Sender::Internal)
    }

    fn next_request(&mut self) -> String {
        self.requests += 1;
        format!("r{}", self.requests)
    }

    /// The tab loads a new page in `order`: it answers `status` and shows `text` (a
    /// first empty report, then what it shows, then the settled report). Returns the
    /// verdict of the last report.
    fn load(&mut self, order: Order, status: u16, text: Option<&str>) -> Output {
        let req = self.next_request();
        self.tick(1_000.0);
        let started = self.sw.now;
        if order == Order::Early {
            self.start(&req, PAGE, started);
            self.tick(20.0);
            self.answer(&req, status);
            self.tick(10.0);
        } else {
            self.tick(30.0);
        }
        self.hello();
        self.report(None, false);
        self.tick(5.0);
        let mut last = self.report(text, false);
        if order == Order::Late {
            self.tick(10.0);
            self.start(&req, PAGE, started);
            self.tick(5.0);
            self.answer(&req, status);
        }
        if text.is_none() {
            self.tick(2_500.0);
            last = self.report(None, true);
        }
        last
    }

    fn state(&self) -> TabState {
        self.sw.tab(TAB)
    }

    fn code(&self) -> Option<String> {
        self.state().detection.map(|d| d.code)
    }
}

/// The tab shows NSEZ-403 and the user cleared the site's data: the reload is due.
fn cleared_on_error(t: &mut Tab, order: Order) {
    t.load(order, 200, Some("Error Code: NSEZ-403"));
    run(&mut t.sw, TAB, "clear-site-data");
    run(&mut t.sw, TAB, "confirm");
    let cleared = Msg::SiteDataCleared {
        tab_id: TAB,
        removed: vec!["cookies".into()],
        failed: vec![],
        skipped: vec![],
    };
    let out = t.sw.send(&cleared, Sender::Internal);
    assert_eq!(out.effects, vec![Effect::Reload { tab_id: TAB }]);
}

#[test]
fn after_a_successful_retry_the_healthy_page_is_fixed_in_every_order() {
    for (order, names) in ORDERS {
        let mut t = Tab::new(names);
        let out = t.load(
            order,
            200,
            Some("Pardon the interruption. Error Code: NSEZ-503"),
        );
        assert_eq!(
            panel_of(&out),
            Some("NSEZ-503".into()),
            "{order:?} {names:?}"
        );
        let at = t.state().retry.expect("a countdown").next_at;
        t.sw.now = at;
        let out = t.sw.send_raw(r#"{"type":"RetryDue"}"#, t.sender(t.doc));
        assert_eq!(reloads(&out, TAB), 1);
        let out = t.load(order, 200, None);
        let s = t.state();
        assert_eq!(
            panel_of(&out),
            None,
            "{order:?} {names:?}: the old code's panel"
        );
        assert_eq!(s.detection, None, "{order:?} {names:?}: the old detection");
        assert_eq!(s.retry, None, "{order:?} {names:?}: the countdown");
        assert_eq!(
            s.steps.get(WAIT),
            Some(&StepState::Helped),
            "{order:?} {names:?}"
        );
        assert_eq!(
            s.notice,
            Some(Notice::Fixed { step: WAIT.into() }),
            "{order:?} {names:?}"
        );
    }
}

const WAIT: &str = tab::WAIT_RETRY_STEP;

#[test]
fn the_new_pages_error_survives_its_late_request_events() {
    for (order, names) in ORDERS {
        let mut t = Tab::new(names);
        t.load(order, 200, None);
        let out = t.load(order, 200, Some("Error Code: NSEZ-403"));
        assert_eq!(panel_of(&out), Some("NSEZ-403".into()));
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{order:?} {names:?}");
        let out = get_view(&mut t.sw, TAB);
        assert_eq!(view_of(&out).code, "NSEZ-403");
    }
}

#[test]
fn a_step_is_judged_by_the_page_its_reload_brought_in_every_order() {
    for (order, names) in ORDERS {
        for (shown, verdict) in [
            (Some("Error Code: NSEZ-403"), StepState::NotHelped),
            (None, StepState::Helped),
        ] {
            let mut t = Tab::new(names);
            cleared_on_error(&mut t, order);
            t.load(order, 200, shown);
            assert_eq!(
                t.state().steps.get("clear-site-data"),
                Some(&verdict),
                "{order:?} {names:?} {shown:?}"
            );
        }
    }
}

#[test]
fn a_late_start_is_placed_by_time_not_by_address() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        t.load(Order::Early, 200, None);
        // The request went to another address and was redirected; the page then rewrote
        // its own address (history.replaceState). Its events arrive after its Hello.
        t.tick(1_000.0);
        let started = t.sw.now;
        t.tick(40.0);
        t.hello();
        let rewritten = format!("{PAGE}?trackid=1#player");
        let at = t.doc_at;
        t.report_of(t.doc, at, &rewritten, Some("Error Code: NSEZ-403"), false);
        t.start("r9", "https://netflix.com/watch/1", started);
        t.start("r9", PAGE, started + 15.0);
        t.answer("r9", 200);
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{names:?}");
        assert_eq!(
            t.state().navigating_at,
            0.0,
            "{names:?}: a navigation under way"
        );
        // The page's next report still counts.
        t.report_of(
            t.doc,
            at,
            &rewritten,
            Some("Error Code: NSEZ-403 (retry)"),
            true,
        );
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"));
    }
}

#[test]
fn the_old_documents_reports_change_nothing() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        t.load(Order::Early, 200, Some("Error Code: NSEZ-403"));
        let (old, old_at) = (t.doc, t.doc_at);
        cleared_on_error(&mut t, Order::Early);
        let (old2, old2_at) = (t.doc, t.doc_at);
        assert!(old2 > old);
        // The reload starts; the old page, still on screen, reports its error again.
        t.tick(1_000.0);
        let started = t.sw.now;
        t.start("r7", PAGE, started);
        t.tick(5.0);
        let out = t.report_of(old2, old2_at, PAGE, Some("Error Code: NSEZ-403"), true);
        assert_eq!(panel_of(&out), None);
        let s = t.state();
        assert_eq!(s.detection, None, "{names:?}");
        assert_ne!(
            s.steps.get("clear-site-data"),
            Some(&StepState::NotHelped),
            "{names:?}: judged by the old page"
        );
        t.answer("r7", 200);
        t.tick(10.0);
        t.hello();
        // The old page's last word arrives after the new one spoke (another process).
        let out = t.report_of(old2, old2_at, PAGE, Some("Error Code: NSEZ-403"), true);
        assert_eq!(panel_of(&out), None);
        assert_eq!(t.state().detection, None, "{names:?}");
        // An even older document too.
        t.report_of(old, old_at, PAGE, Some("Error Code: NSEZ-503"), true);
        assert_eq!(t.state().detection, None, "{names:?}");
        // The new page is healthy once settled: the clearing helped.
        t.report(None, true);
        assert_eq!(
            t.state().steps.get("clear-site-data"),
            Some(&StepState::Helped),
            "{names:?}"
        );
    }
}

#[test]
fn a_navigation_handled_after_the_old_pages_reports_still_counts() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        cleared_on_error(&mut t, Order::Early);
        // The reload started, but the old page's reports were handled first.
        t.tick(1_000.0);
        let started = t.sw.now;
        t.tick(50.0);
        t.report(Some("Error Code: NSEZ-403"), false);
        t.tick(50.0);
        t.report(Some("Error Code: NSEZ-403"), true);
        t.tick(10.0);
        t.start("r8", PAGE, started);
        assert_eq!(
            t.state().detection,
            None,
            "{names:?}: the navigation was dropped"
        );
        assert!(t.state().judging.is_some_and(|j| j.armed), "{names:?}");
        t.answer("r8", 200);
        t.tick(10.0);
        t.hello();
        t.report(Some("Error Code: NSEZ-403"), false);
        assert_eq!(
            t.state().steps.get("clear-site-data"),
            Some(&StepState::NotHelped),
            "{names:?}"
        );
    }
}

#[test]
fn an_http_error_page_keeps_its_answer_in_every_order_and_a_healthy_one_drops_it() {
    for (order, names) in ORDERS {
        let mut t = Tab::new(names);
        t.load(order, 200, None);
        // A 503 page showing no code of its own.
        t.load(order, 503, Some("Service Unavailable"));
        assert_eq!(
            t.state().detection.map(|d| d.evidence),
            Some(Evidence::Http { status: 503 }),
            "{order:?} {names:?}"
        );
        t.report(Some("Service Unavailable"), true);
        assert!(
            t.code().is_some(),
            "{order:?} {names:?}: the settled report"
        );
        // The next load is healthy.
        t.load(order, 200, None);
        assert_eq!(t.state().detection, None, "{order:?} {names:?}");
    }
}

#[test]
fn the_status_replaces_a_screen_that_only_said_it_failed_and_its_panel_follows() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        t.load(Order::Early, 200, None);
        // The 503 page's words reach the worker before its own answer does.
        let req = t.next_request();
        t.tick(1_000.0);
        let started = t.sw.now;
        t.tick(30.0);
        t.hello();
        t.report(Some("Service Unavailable"), false);
        assert_eq!(t.code().as_deref(), Some("SOMETHING-WRONG"), "{names:?}");
        t.tick(10.0);
        t.start(&req, PAGE, started);
        let out = t.answer(&req, 503);
        assert_eq!(t.code().as_deref(), Some("HTTP-503"), "{names:?}");
        assert!(
            out.effects
                .iter()
                .any(|e| matches!(e, Effect::Panel { code: Some(c), .. } if c == "HTTP-503")),
            "{names:?}: {:?}",
            out.effects
        );
        // A later report of the same words keeps the status.
        t.report(Some("Service Unavailable"), true);
        assert_eq!(t.code().as_deref(), Some("HTTP-503"), "{names:?}");
    }
}

#[test]
fn late_events_of_older_requests_are_ignored() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        t.load(Order::Early, 200, None);
        t.load(Order::Early, 200, Some("Error Code: NSEZ-403"));
        // r1 brought the first page, r2 the one on screen: news of r1 is stale.
        t.answer("r1", 503);
        t.fail("r1", "net::ERR_NAME_NOT_RESOLVED");
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{names:?}");
        // A late answer of the page's own request doesn't outdo what the page shows.
        t.answer("r2", 503);
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{names:?}");
        // A new request that fails is news.
        t.tick(1_000.0);
        let started = t.sw.now;
        t.start("r3", PAGE, started);
        t.fail("r3", "net::ERR_NAME_NOT_RESOLVED");
        assert!(
            matches!(
                t.state().detection.map(|d| d.evidence),
                Some(Evidence::Net { .. })
            ),
            "{names:?}"
        );
        // A failed load leaves no document: the next page that speaks is healthy.
        t.load(Order::Late, 200, None);
        assert_eq!(t.state().detection, None, "{names:?}");
    }
}

#[test]
fn a_page_restored_from_the_cache_speaks_for_itself_again() {
    for names in [Names::Sender, Names::Script] {
        let mut t = Tab::new(names);
        t.load(Order::Early, 200, Some("Error Code: NSEZ-403"));
        let (first, first_at) = (t.doc, t.doc_at);
        t.load(Order::Early, 200, None);
        assert_eq!(t.state().detection, None);
        // Back: no request, the first page is restored and says Hello again.
        let second = t.doc;
        t.tick(1_000.0);
        t.doc = first;
        t.doc_at = first_at;
        t.hello_again();
        t.report(Some("Error Code: NSEZ-403"), true);
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{names:?}");
        // The page that was left says nothing any more.
        t.report_of(second, first_at + 1_000.0, PAGE, None, true);
        assert_eq!(t.code().as_deref(), Some("NSEZ-403"), "{names:?}");
    }
}
