//! The services beyond Netflix (issue 11), played through the one dispatcher as the
//! service worker calls it: each is watched on its own hosts, clearing and probing stay on
//! them, and a service turned off in the options is neither watched nor judged.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};
    use streamfix::core::catalog::{strings, Catalog};
    use streamfix::core::engine::{dispatch, Context, Output, Stored};
    use streamfix::core::messages::OptionsView;
    use streamfix::core::messages::{Effect, Reply};
    use streamfix::core::sitedata::{self, Browser};

    const ID: &str = "streamfixid";
    const ORIGIN: &str = "chrome-extension://streamfixid/";

    /// The worker's stores between calls.
    #[derive(Default)]
    struct Stores {
        session: BTreeMap<String, Value>,
        local: BTreeMap<String, Value>,
    }

    impl Stores {
        fn call(&mut self, catalog: &Catalog, msg: Value, sender: Value) -> Output {
            let ctx = Context::from_json_text(
                &json!({
                    "sender": sender,
                    "env": { "self_id": ID, "self_origin": ORIGIN, "lang": "en", "browser": "chrome" },
                    "session": self.session,
                    "local": self.local,
                    "now": 1_000_000.0,
                })
                .to_string(),
            )
            .unwrap();
            let out = dispatch(catalog, &msg.to_string(), &ctx);
            // Stored values come back as raw JSON text, as the worker stores them.
            let parse = |m: &streamfix::core::util::Map<Stored>| {
                m.iter()
                    .map(|(k, v)| (k.clone(), serde_json::from_str::<Value>(v.get()).unwrap()))
                    .collect::<Vec<_>>()
            };
            self.session.extend(parse(&out.session_set));
            self.local.extend(parse(&out.local_set));
            out
        }
    }

    fn page(url: &str, tab: i64) -> Value {
        json!({ "kind": "runtime", "id": ID, "url": url, "tab_id": tab, "frame_id": 0 })
    }

    fn popup() -> Value {
        json!({ "kind": "runtime", "id": ID, "url": format!("{ORIGIN}popup.html") })
    }

    fn report(url: &str, text: &str) -> Value {
        json!({ "type": "PageReport", "url": url, "status": null, "settled": true,
                "blocks": [{ "kind": "container", "text": text }] })
    }

    fn panel(out: &Output) -> Option<String> {
        match &out.reply {
            Reply::Verdict { panel, .. } => panel.clone(),
            other => panic!("not a verdict: {other:?}"),
        }
    }

    fn watching(out: &Output) -> bool {
        match &out.reply {
            Reply::Watch { watching, .. } => *watching,
            other => panic!("not a watch reply: {other:?}"),
        }
    }

    /// One error screen per new service, as its page reports it.
    const SCREENS: [(&str, &str, &str, &str); 4] = [
        (
            "youtube",
            "https://www.youtube.com/watch?v=abc",
            "An error occurred. Please try again later. (Playback ID: x1)",
            "YT-ERROR",
        ),
        (
            "disneyplus",
            "https://www.disneyplus.com/video/1",
            "Something went wrong. (Error Code 83)",
            "83",
        ),
        (
            "primevideo",
            "https://www.primevideo.com/detail/0X",
            "Error Code: 1007",
            "1007",
        ),
        (
            "max",
            "https://play.max.com/video/watch/1",
            "We're having trouble playing this title right now.",
            "MAX-CANT-PLAY",
        ),
    ];

    #[test]
    fn each_service_is_watched_and_gets_its_panel_and_badge() {
        let catalog = Catalog::embedded();
        for (i, (service, url, text, code)) in SCREENS.iter().enumerate() {
            let mut s = Stores::default();
            let tab = i as i64 + 1;
            let hello = s.call(
                &catalog,
                json!({"type": "Hello", "url": url}),
                page(url, tab),
            );
            assert!(watching(&hello), "{service} not watched");
            let out = s.call(&catalog, report(url, text), page(url, tab));
            assert_eq!(panel(&out).as_deref(), Some(*code), "{service}");
            assert!(
                out.effects
                    .iter()
                    .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")),
                "{service}: no badge"
            );
            assert_eq!(s.session[&format!("tab:{tab}")]["service"], *service);
        }
    }

    #[test]
    fn a_service_turned_off_is_not_watched_nor_judged_and_the_others_are() {
        let catalog = Catalog::embedded();
        let mut s = Stores::default();
        let out = s.call(&catalog, json!({"type": "GetSettings"}), popup());
        let Reply::Settings {
            options: OptionsView {
                settings, services, ..
            },
        } = out.reply
        else {
            panic!("{:?}", out.reply)
        };
        assert!(
            settings.off_services.is_empty(),
            "all services are on by default"
        );
        let ids: Vec<&str> = services.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["netflix", "youtube", "disneyplus", "primevideo", "max"]
        );

        let set = json!({"type": "SetSettings", "settings": {"auto_panel": true, "muted_codes": [], "off_services": ["youtube"]}});
        s.call(&catalog, set.clone(), popup());
        // A page cannot change the settings.
        let refused = s.call(&catalog, set, page("https://www.youtube.com/", 9));
        assert!(matches!(refused.reply, Reply::Error { .. }));

        let (_, yt, yt_text, _) = SCREENS[0];
        assert!(!watching(&s.call(
            &catalog,
            json!({"type": "Hello", "url": yt}),
            page(yt, 1)
        )));
        // Even a report that arrives anyway (a script that was already running) is not judged.
        let out = s.call(&catalog, report(yt, yt_text), page(yt, 1));
        assert_eq!(panel(&out), None);
        assert!(s.session["tab:1"]["detection"].is_null());
        assert!(!out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")));
        // HTTP failures on a turned-off service are not judged either.
        let http = json!({"type": "HttpResponse", "tab_id": 1, "url": yt, "status": 503, "main_frame": true});
        s.call(&catalog, http, json!({"kind": "internal"}));
        assert!(s.session["tab:1"]["detection"].is_null());

        // Disney+ is still on.
        let (_, dp, dp_text, dp_code) = SCREENS[1];
        assert!(watching(&s.call(
            &catalog,
            json!({"type": "Hello", "url": dp}),
            page(dp, 2)
        )));
        let out = s.call(&catalog, report(dp, dp_text), page(dp, 2));
        assert_eq!(panel(&out).as_deref(), Some(dp_code));

        // And back on.
        let on = json!({"type": "SetSettings", "settings": {"auto_panel": true, "muted_codes": [], "off_services": []}});
        s.call(&catalog, on, popup());
        let out = s.call(&catalog, report(yt, yt_text), page(yt, 1));
        assert_eq!(panel(&out).as_deref(), Some("YT-ERROR"));
    }

    #[test]
    fn a_code_muted_on_one_service_still_opens_the_panel_on_another() {
        let catalog = Catalog::embedded();
        let (_, dp, dp_text, dp_code) = SCREENS[1];
        let settings = |muted: &[&str]| json!({"type": "SetSettings", "settings": {"auto_panel": true, "muted_codes": muted, "off_services": []}});
        let mut s = Stores::default();
        // The same number muted on Prime Video: Disney+'s code 83 still opens the panel.
        s.call(&catalog, settings(&["primevideo:83"]), popup());
        let out = s.call(&catalog, report(dp, dp_text), page(dp, 1));
        assert_eq!(panel(&out).as_deref(), Some(dp_code));

        // Muted from Disney+'s own panel: kept as Disney+'s, listed with its name.
        let out = s.call(
            &catalog,
            json!({"type": "Run", "tab_id": 1, "action": "mute-code"}),
            popup(),
        );
        assert!(out.effects.contains(&Effect::Panel {
            tab_id: 1,
            code: None,
            focus: false,
        }));
        let out = s.call(&catalog, json!({"type": "GetSettings"}), popup());
        let Reply::Settings {
            options:
                OptionsView {
                    settings: stored,
                    muted,
                    ..
                },
        } = out.reply
        else {
            panic!("{:?}", out.reply)
        };
        assert_eq!(stored.muted_codes, ["primevideo:83", "disneyplus:83"]);
        let listed: Vec<(&str, Option<&str>)> = muted
            .iter()
            .map(|m| (m.code.as_str(), m.service.as_deref()))
            .collect();
        assert_eq!(
            listed,
            [("83", Some("Prime Video")), ("83", Some("Disney+"))]
        );
        let out = s.call(&catalog, report(dp, dp_text), page(dp, 2));
        assert_eq!(panel(&out), None);
        assert!(out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")));

        // An entry without a service mutes the code everywhere, and is listed so.
        let out = s.call(&catalog, settings(&["83"]), popup());
        let Reply::Settings {
            options: OptionsView { muted, .. },
        } = out.reply
        else {
            panic!("{:?}", out.reply)
        };
        assert_eq!(muted[0].service, None);
        let out = s.call(&catalog, report(dp, dp_text), page(dp, 3));
        assert_eq!(panel(&out), None);
    }

    #[test]
    fn clearing_and_probing_stay_on_each_services_own_hosts() {
        let catalog = Catalog::embedded();
        for (service, url, text, _) in SCREENS {
            let svc = catalog.service(service).unwrap();
            let own = |u: &str| {
                let host = streamfix::core::detector::host_of(u).unwrap();
                svc.domains
                    .iter()
                    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
            };
            for browser in [Browser::Chrome, Browser::Firefox] {
                let plan = sitedata::plan(svc, browser);
                assert!(plan.origins.iter().all(|o| own(o)), "{service} {browser:?}");
                for h in &plan.hostnames {
                    assert!(own(&format!("https://{h}/")), "{service}: {h}");
                }
                assert_eq!(plan.cookie_domains, strings(&svc.domains), "{service}");
            }
            assert!(svc.probe_urls.iter().all(|u| own(u)), "{service} probes");
            assert!(own(&svc.download_url), "{service} download");

            let mut s = Stores::default();
            s.call(&catalog, report(url, text), page(url, 5));
            let run = |a: &str| json!({"type": "Run", "tab_id": 5, "action": a});
            let out = s.call(&catalog, run("run-connection-check"), popup());
            let Some(Effect::MeasureConnection { probes, .. }) = out
                .effects
                .iter()
                .find(|e| matches!(e, Effect::MeasureConnection { .. }))
            else {
                panic!("{service}: no measurement")
            };
            assert_eq!(probes, &strings(&svc.probe_urls));
            s.call(&catalog, run("clear-site-data"), popup());
            let out = s.call(&catalog, run("confirm"), popup());
            let Some(Effect::ClearSiteData {
                origins,
                cookie_domains,
                ..
            }) = out
                .effects
                .iter()
                .find(|e| matches!(e, Effect::ClearSiteData { .. }))
            else {
                panic!("{service}: no clearing")
            };
            assert_eq!(origins, &strings(&svc.origins));
            assert_eq!(cookie_domains, &strings(&svc.domains));
        }
    }

    #[test]
    fn youtube_clearing_never_names_google_and_says_so() {
        let catalog = Catalog::embedded();
        let yt = catalog.service("youtube").unwrap();
        let plan = sitedata::plan(yt, Browser::Firefox);
        assert!(plan
            .hostnames
            .iter()
            .chain(&plan.cookie_domains)
            .all(|h| !h.contains("google")));
        let mut s = Stores::default();
        let (_, url, text, _) = SCREENS[0];
        s.call(&catalog, report(url, text), page(url, 3));
        let run = json!({"type": "Run", "tab_id": 3, "action": "clear-site-data"});
        let out = s.call(&catalog, run, popup());
        let Reply::View { view } = out.reply else {
            panic!()
        };
        let confirm = view.confirm.expect("a confirmation first");
        assert!(confirm.note.unwrap().contains("Google"));
        // Netflix's confirmation has no such note.
        let mut s = Stores::default();
        let nf = "https://www.netflix.com/watch/1";
        s.call(&catalog, report(nf, "Error Code: NSEZ-403"), page(nf, 4));
        let run = json!({"type": "Run", "tab_id": 4, "action": "clear-site-data"});
        let Reply::View { view } = s.call(&catalog, run, popup()).reply else {
            panic!()
        };
        assert_eq!(view.confirm.unwrap().note, None);
    }

    #[test]
    fn a_removed_youtube_video_opens_no_panel_and_is_not_sent_to_cache_clearing() {
        let catalog = Catalog::embedded();
        let mut s = Stores::default();
        let url = "https://www.youtube.com/watch?v=gone";
        let out = s.call(
            &catalog,
            report(
                url,
                "Video unavailable This video has been removed by the uploader",
            ),
            page(url, 1),
        );
        // Nothing to fix on this side: no panel by itself; the badge and popup tell.
        assert_eq!(panel(&out), None);
        assert!(out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Badge { text, .. } if text == "!")));
        let view = s.call(
            &catalog,
            json!({"type": "GetView", "tab_id": 1, "lang": "en"}),
            popup(),
        );
        let Reply::View { view } = view.reply else {
            panic!()
        };
        let steps: Vec<&str> = view.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(steps, ["video-unavailable"]);
        assert!(view.meaning.contains("not a fault"));
    }

    /// A failed request is explained on every service, naming it: HTTP statuses and
    /// network errors have entries for every service; Netflix keeps its own HTTP ones.
    #[test]
    fn http_and_network_failures_are_explained_on_every_service() {
        let catalog = Catalog::embedded();
        let internal = json!({"kind": "internal"});
        let view = |s: &mut Stores, tab: i64, lang: &str| {
            let out = s.call(
                &catalog,
                json!({"type": "GetView", "tab_id": tab, "lang": lang}),
                popup(),
            );
            match out.reply {
                Reply::View { view } => view,
                other => panic!("{other:?}"),
            }
        };
        for (service, url, _, _) in SCREENS {
            let name = catalog.service(service).unwrap().name.to_string();
            let mut s = Stores::default();
            let http = json!({"type": "HttpResponse", "tab_id": 1, "url": url, "status": 503, "main_frame": true});
            let out = s.call(&catalog, http, internal.clone());
            assert_eq!(s.session["tab:1"]["detection"]["entry"], "ANY-HTTP-503");
            assert!(
                out.effects.iter().any(|e| matches!(e, Effect::Badge { title, .. }
                    if title == &format!("StreamFix: HTTP-503 \u{2014} {name} answered \"Service Unavailable\": it is overloaded or down for maintenance for now."))),
                "{service}: {:?}",
                out.effects
            );
            let v = view(&mut s, 1, "en");
            assert_eq!(v.code, "HTTP-503", "{service}");
            assert!(
                v.meaning.starts_with(&format!("{name} answered")),
                "{service}: {}",
                v.meaning
            );
            assert!(
                !v.meaning.contains('{') && !v.cause.contains('{'),
                "{}",
                v.cause
            );
            assert!(
                !v.weak,
                "{service}: a 503 means the same on every server (RFC 9110)"
            );
            // Netflix's device guides (netflix.com/clearcookies, Netflix support) are not
            // this service's.
            assert!(v.devices.is_empty(), "{service}: {:?}", v.devices);
            assert_eq!(
                v.steps[0].id, "wait-retry",
                "{service}: overload waits first"
            );
            assert!(v.retry.is_some(), "{service}: the countdown runs");
            let out = s.call(&catalog, json!({"type": "GetReport", "tab_id": 1, "lang": "en", "browser": "Chrome 148", "os": "Linux", "now_iso": "2026-11-29T22:00:00Z"}), popup());
            let Reply::Report { text } = out.reply else {
                panic!("{:?}", out.reply)
            };
            assert!(
                text.contains(&format!("{name} answered")),
                "{service}: {text}"
            );

            let dns = json!({"type": "NetError", "tab_id": 2, "url": url, "error": "net::ERR_NAME_NOT_RESOLVED", "main_frame": true});
            s.call(&catalog, dns, internal.clone());
            let v = view(&mut s, 2, "es");
            assert_eq!(v.code, "DNS", "{service}");
            assert!(
                v.meaning.contains(&format!("la dirección de {name}")),
                "{service}: {}",
                v.meaning
            );
        }
        // Netflix's own reading of a 503 comes first.
        let mut s = Stores::default();
        let nf = "https://www.netflix.com/watch/1";
        let http = json!({"type": "HttpResponse", "tab_id": 1, "url": nf, "status": 503, "main_frame": true});
        s.call(&catalog, http, internal.clone());
        assert_eq!(s.session["tab:1"]["detection"]["entry"], "HTTP-503");
        let v = view(&mut s, 1, "en");
        assert!(!v.weak);
        assert!(!v.devices.is_empty(), "Netflix keeps its device guides");
        let dns = json!({"type": "NetError", "tab_id": 2, "url": nf, "error": "net::ERR_NAME_NOT_RESOLVED", "main_frame": true});
        s.call(&catalog, dns, internal);
        assert!(view(&mut s, 2, "en").meaning.contains("Netflix's address"));
    }

    /// A page-changing extension that reaches only YouTube is a suspect on a YouTube error
    /// and not on a Netflix one.
    #[test]
    fn extension_suspects_follow_the_tabs_service() {
        let catalog = Catalog::embedded();
        let ext = json!({"id": "ytenh", "name": "Tube Tweaks", "enabled": true, "installType": "normal",
            "type": "extension", "permissions": ["scripting"], "hostPermissions": ["https://www.youtube.com/*"],
            "mayDisable": true, "isApp": false});
        for (url, tab, suspect) in [
            ("https://www.youtube.com/watch?v=a", 1, true),
            ("https://www.netflix.com/watch/1", 2, false),
        ] {
            let mut s = Stores::default();
            s.call(
                &catalog,
                report(url, "An error occurred. Error Code: NSEZ-503"),
                page(url, tab),
            );
            let listed = json!({"type": "Extensions", "tab_id": tab, "list": [ext], "proxy": null, "can_toggle": true});
            let out = s.call(&catalog, listed, json!({"kind": "internal"}));
            assert!(matches!(out.reply, Reply::Ok), "{:?}", out.reply);
            let got = &s.session[&format!("tab:{tab}")]["extensions"][0];
            assert_eq!(got["id"], "ytenh");
            assert_eq!(got["suspect"], suspect, "{url}: {got}");
        }
    }
}
