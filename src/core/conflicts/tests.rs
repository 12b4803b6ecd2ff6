use super::*;
use serde_json::json;

const SELF_ID: &str = "streamfixselfidaaaaaaaaaaaaaaaaa";

fn catalog() -> Catalog {
    Catalog::embedded()
}

fn domains() -> Vec<String> {
    streaming_domains(&catalog())
}

fn ext(id: &str, name: &str, perms: &[&str], hosts: &[&str]) -> ExtensionInfo {
    ExtensionInfo {
        id: id.into(),
        name: name.into(),
        enabled: true,
        install_type: "normal".into(),
        r#type: "extension".into(),
        permissions: perms.iter().map(|s| s.to_string()).collect(),
        host_permissions: hosts.iter().map(|s| s.to_string()).collect(),
        may_disable: true,
        is_app: false,
    }
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn one(e: ExtensionInfo) -> Classified {
    let mut out = classify(&catalog(), SELF_ID, &domains(), &[e]);
    assert_eq!(out.len(), 1);
    out.remove(0)
}

// ------------------------------------------------------------------------------ serde

#[test]
fn extension_info_reads_chrome_json() {
    // Shaped like chrome.management.getAll() output, with fields we don't use.
    let v = json!([{
        "description": "Test fixture",
        "enabled": true,
        "homepageUrl": "",
        "hostPermissions": ["https://*.netflix.com/*", "https://netflix.com/*"],
        "icons": [],
        "id": "abcdefghijklmnopabcdefghijklmnop",
        "installType": "development",
        "isApp": false,
        "mayDisable": true,
        "name": "Fake AdBlock",
        "offlineEnabled": false,
        "optionsUrl": "",
        "permissions": ["declarativeNetRequest"],
        "shortName": "Fake AdBlock",
        "type": "extension",
        "updateUrl": "",
        "version": "1.0.0"
    }, {
        "id": "x", "name": "Odd", "enabled": false, "permissions": null, "type": null
    }]);
    let list: Vec<ExtensionInfo> = serde_json::from_value(v).unwrap();
    let e = &list[0];
    assert_eq!(e.id, "abcdefghijklmnopabcdefghijklmnop");
    assert_eq!(e.name, "Fake AdBlock");
    assert!(e.enabled && e.may_disable && !e.is_app);
    assert_eq!(e.install_type, "development");
    assert_eq!(e.r#type, "extension");
    assert_eq!(e.permissions, ids(&["declarativeNetRequest"]));
    assert_eq!(e.host_permissions.len(), 2);
    // Missing and null fields take defaults.
    let odd = &list[1];
    assert!(odd.permissions.is_empty() && odd.r#type.is_empty() && !odd.may_disable);

    // Round trip keeps Chrome's key names.
    let back = serde_json::to_value(e).unwrap();
    assert_eq!(back["installType"], "development");
    assert_eq!(back["hostPermissions"][0], "https://*.netflix.com/*");
    assert_eq!(back["mayDisable"], true);
    assert_eq!(back["isApp"], false);
    assert_eq!(back["type"], "extension");
    assert_eq!(serde_json::from_value::<ExtensionInfo>(back).unwrap(), *e);
}

#[test]
fn extension_info_rejects_wrong_types() {
    assert!(serde_json::from_value::<ExtensionInfo>(json!({"enabled": "yes"})).is_err());
}

#[test]
fn proxy_settings_read_chrome_and_firefox_json() {
    let chrome: ProxySettings = serde_json::from_value(json!({
        "levelOfControl": "controllable_by_this_extension",
        "value": {"mode": "fixed_servers", "rules": {"singleProxy": {"host": "127.0.0.1", "port": 9, "scheme": "http"}}},
        "incognitoSpecific": false
    }))
    .unwrap();
    assert_eq!(chrome.level_of_control, "controllable_by_this_extension");
    assert_eq!(chrome.value.effective_mode(), "fixed_servers");
    let back = serde_json::to_value(&chrome).unwrap();
    assert_eq!(
        back,
        json!({"levelOfControl": "controllable_by_this_extension", "value": {"mode": "fixed_servers"}})
    );
    assert_eq!(
        serde_json::from_value::<ProxySettings>(back).unwrap(),
        chrome
    );

    let firefox: ProxySettings = serde_json::from_value(json!({
        "levelOfControl": "controlled_by_other_extensions",
        "value": {"proxyType": "manual", "http": "127.0.0.1:9", "proxyDNS": false}
    }))
    .unwrap();
    assert_eq!(firefox.value.effective_mode(), "fixed_servers");
    for (ff, chrome) in [
        ("none", "direct"),
        ("autoDetect", "auto_detect"),
        ("system", "system"),
        ("autoConfig", "pac_script"),
        ("weird", ""),
    ] {
        let v = ProxyValue {
            mode: String::new(),
            proxy_type: ff.into(),
        };
        assert_eq!(v.effective_mode(), chrome);
    }
}

#[test]
fn reasons_and_classified_serialize_as_data() {
    let c = one(ext(
        "a",
        "Fake AdBlock",
        &["declarativeNetRequest"],
        &["https://*.netflix.com/*"],
    ));
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["kind"], "blocker");
    assert_eq!(v["suspect"], true);
    assert_eq!(v["can_disable"], true);
    assert_eq!(
        v["reasons"],
        json!([
            {"reason": "known-blocker"},
            {"reason": "blocks-requests", "permission": "declarativeNetRequest"},
            {"reason": "changes-streaming-site", "pattern": "https://*.netflix.com/*"}
        ])
    );
    assert_eq!(serde_json::from_value::<Classified>(v).unwrap(), c);
    assert_eq!(
        serde_json::to_value(Reason::HasProxyPermission).unwrap(),
        json!({"reason": "has-proxy-permission"})
    );
}

// ----------------------------------------------------------------------- classification

#[test]
fn fake_vpn_with_proxy_permission_is_a_vpn() {
    let c = one(ext("v", "Fake VPN Proxy", &["proxy"], &[]));
    assert_eq!(c.kind, ExtKind::Vpn);
    assert!(c.suspect && c.can_disable);
    assert!(c.reasons.contains(&Reason::KnownVpn));
    assert!(c.reasons.contains(&Reason::HasProxyPermission));
}

#[test]
fn unknown_extension_with_proxy_permission_is_a_proxy() {
    let c = one(ext("p", "Route Helper", &["proxy", "storage"], &[]));
    assert_eq!(c.kind, ExtKind::Proxy);
    assert!(c.suspect);
    assert_eq!(c.reasons, vec![Reason::HasProxyPermission]);
}

#[test]
fn known_proxy_switcher_by_name_and_by_id() {
    assert_eq!(
        one(ext("z", "Proxy SwitchyOmega", &[], &[])).kind,
        ExtKind::Proxy
    );
    let c = one(ext("gcknhkkoolaabfmlnjonogaaifnjlfnp", "FP", &[], &[]));
    assert_eq!(c.kind, ExtKind::Proxy);
    assert_eq!(c.reasons, vec![Reason::KnownProxy]);
}

#[test]
fn vpn_without_proxy_permission_is_known_by_name_or_id() {
    // A VPN app's companion extension: no `proxy`, nothing on the page.
    let c = one(ext("n", "NordVPN companion", &["nativeMessaging"], &[]));
    assert_eq!(c.kind, ExtKind::Vpn);
    assert_eq!(c.reasons, vec![Reason::KnownVpn]);
    // Hola by its store id, whatever its name says.
    let c = one(ext(
        "gkojfkhlekighikafcpjkiklfbnlmeio",
        "Better Internet",
        &[],
        &[],
    ));
    assert_eq!(c.kind, ExtKind::Vpn);
}

#[test]
fn ad_blocker_with_declarative_net_request_is_a_blocker() {
    // An unknown name: the permission alone decides.
    let c = one(ext("b", "Quiet Pages", &["declarativeNetRequest"], &[]));
    assert_eq!(c.kind, ExtKind::Blocker);
    assert!(c.suspect);
    assert_eq!(
        c.reasons,
        vec![Reason::BlocksRequests {
            permission: "declarativeNetRequest".into()
        }]
    );
    for p in ["declarativeNetRequestWithHostAccess", "webRequestBlocking"] {
        assert_eq!(
            one(ext("b", "Quiet Pages", &[p], &[])).kind,
            ExtKind::Blocker,
            "{p}"
        );
    }
    // Plain webRequest (observe only) and the feedback permission don't block.
    for p in ["webRequest", "declarativeNetRequestFeedback"] {
        assert_eq!(
            one(ext("b", "Quiet Pages", &[p], &[])).kind,
            ExtKind::Unrelated,
            "{p}"
        );
    }
    // uBlock Origin by store id.
    let c = one(ext(
        "cjpalhdlnbpafiamejdnhcphjbkeiagm",
        "uBlock Origin",
        &[],
        &[],
    ));
    assert_eq!(c.kind, ExtKind::Blocker);
    assert_eq!(c.reasons, vec![Reason::KnownBlocker]);
}

#[test]
fn storage_only_extension_is_unrelated() {
    let c = one(ext("u", "Unrelated Notes", &["storage"], &[]));
    assert_eq!(c.kind, ExtKind::Unrelated);
    assert!(!c.suspect);
    assert!(c.reasons.is_empty());
    assert!(c.can_disable);
}

#[test]
fn page_modifier_with_content_access_to_netflix() {
    // Named like a known modifier.
    let c = one(ext(
        "m",
        "Fake Dark Mode",
        &[],
        &["https://*.netflix.com/*", "https://netflix.com/*"],
    ));
    assert_eq!(c.kind, ExtKind::Modifier);
    assert!(c.suspect);
    assert_eq!(
        c.reasons,
        vec![
            Reason::KnownModifier,
            Reason::ChangesStreamingSite {
                pattern: "https://*.netflix.com/*".into()
            }
        ]
    );
    // Unknown name: the site access alone makes it a modifier.
    let c = one(ext(
        "m2",
        "Page Tweaks",
        &["scripting"],
        &["*://*.netflix.com/*"],
    ));
    assert_eq!(c.kind, ExtKind::Modifier);
    // Access to other sites only: unrelated.
    let c = one(ext(
        "m3",
        "Docs Helper",
        &[],
        &["https://docs.example.org/*"],
    ));
    assert_eq!(c.kind, ExtKind::Unrelated);
    assert!(c.reasons.is_empty());
    // Firefox may list patterns among permissions.
    let c = one(ext("m4", "Page Tweaks", &["<all_urls>", "storage"], &[]));
    assert_eq!(c.kind, ExtKind::Modifier);
}

#[test]
fn known_unrelated_by_id_quiets_only_the_site_access_rule() {
    // Bitwarden reads every page but is listed as harmless.
    let c = one(ext(
        "nngceckbapebfimnlniiiahkandclblb",
        "Bitwarden",
        &["storage"],
        &["<all_urls>"],
    ));
    assert_eq!(c.kind, ExtKind::Unrelated);
    assert!(!c.suspect);
    assert!(c.reasons.contains(&Reason::KnownUnrelated));
    // The same name under another id proves nothing.
    let c = one(ext("other", "Bitwarden", &[], &["<all_urls>"]));
    assert_eq!(c.kind, ExtKind::Modifier);
    // And a proxy permission still counts.
    let c = one(ext(
        "nngceckbapebfimnlniiiahkandclblb",
        "Bitwarden",
        &["proxy"],
        &[],
    ));
    assert_eq!(c.kind, ExtKind::Proxy);
}

#[test]
fn admin_installed_cannot_be_disabled() {
    let mut e = ext("a", "Corp AdBlock", &["declarativeNetRequest"], &[]);
    e.install_type = "admin".into();
    e.may_disable = false;
    let c = one(e.clone());
    assert!(c.suspect);
    assert!(!c.can_disable);
    // `admin` alone is enough, even if mayDisable says otherwise.
    e.may_disable = true;
    assert!(!one(e.clone()).can_disable);
    // And mayDisable false alone too.
    e.install_type = "normal".into();
    e.may_disable = false;
    assert!(!one(e).can_disable);
}

#[test]
fn self_themes_and_apps_are_skipped() {
    let mut me = ext(
        SELF_ID,
        "StreamFix",
        &["management", "webRequest"],
        &["https://*.netflix.com/*"],
    );
    me.install_type = "development".into();
    let mut theme = ext("t", "Dark Theme VPN", &[], &[]);
    theme.r#type = "theme".into();
    let mut hosted = ext("h", "Netflix App", &[], &[]);
    hosted.r#type = "hosted_app".into();
    hosted.is_app = true;
    let mut packaged = ext("p", "Proxy App", &["proxy"], &[]);
    packaged.r#type = "packaged_app".into();
    let out = classify(
        &catalog(),
        SELF_ID,
        &domains(),
        &[
            me,
            theme,
            hosted,
            packaged,
            ext("u", "Notes", &["storage"], &[]),
        ],
    );
    assert_eq!(out.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["u"]);
    // An empty self id skips nothing by id.
    let out = classify(&catalog(), "", &domains(), &[ext("", "Nameless", &[], &[])]);
    assert_eq!(out.len(), 1);
}

#[test]
fn disabled_vpn_is_not_a_suspect() {
    let mut e = ext("v", "Fake VPN Proxy", &["proxy"], &[]);
    e.enabled = false;
    let c = one(e);
    assert_eq!(c.kind, ExtKind::Vpn);
    assert!(!c.suspect);
    assert!(!c.can_disable);
    assert!(!c.enabled);
}

#[test]
fn sorted_suspects_first_then_kind_then_name() {
    let mut off_vpn = ext("v0", "A Off VPN", &["proxy"], &[]);
    off_vpn.enabled = false;
    let list = [
        ext("u", "Notes", &["storage"], &[]),
        ext("m", "Fake Dark Mode", &[], &["<all_urls>"]),
        ext("b2", "zzz adblock", &[], &[]),
        ext("b1", "AdBlock", &[], &[]),
        off_vpn,
        ext("p", "Route Helper", &["proxy"], &[]),
        ext("v", "Fake VPN Proxy", &["proxy"], &[]),
    ];
    let out = classify(&catalog(), SELF_ID, &domains(), &list);
    let order: Vec<&str> = out.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["v", "p", "b1", "b2", "m", "v0", "u"]);
    assert_eq!(suspects(&out), ids(&["v", "p", "b1", "b2", "m"]));
}

#[test]
fn fixture_extensions_classify_as_the_ui_contract_expects() {
    // The e2e fixtures (tests/fixtures/extensions) as Chrome reports them.
    let list = [
        ext("fakevpn", "Fake VPN Proxy", &["proxy"], &[]),
        ext(
            "fakeadblock",
            "Fake AdBlock",
            &["declarativeNetRequest"],
            &["https://*.netflix.com/*", "https://netflix.com/*"],
        ),
        ext("unrelated", "Unrelated Notes", &["storage"], &[]),
        ext(
            "modifier",
            "Fake Dark Mode",
            &[],
            &["https://*.netflix.com/*", "https://netflix.com/*"],
        ),
    ];
    let out = classify(&catalog(), SELF_ID, &domains(), &list);
    let kinds: Vec<(&str, ExtKind, bool)> = out
        .iter()
        .map(|c| (c.id.as_str(), c.kind, c.suspect))
        .collect();
    assert_eq!(
        kinds,
        [
            ("fakevpn", ExtKind::Vpn, true),
            ("fakeadblock", ExtKind::Blocker, true),
            ("modifier", ExtKind::Modifier, true),
            ("unrelated", ExtKind::Unrelated, false),
        ]
    );
}

#[test]
fn match_patterns_cover_the_streaming_domains() {
    let d = ids(&["netflix.com"]);
    for p in [
        "<all_urls>",
        "*://*/*",
        "https://*/*",
        "http://*/*",
        "*://*.netflix.com/*",
        "https://netflix.com/*",
        "https://www.netflix.com/watch/*",
        "https://*.www.netflix.com/*",
        "HTTPS://WWW.NETFLIX.COM/*",
        "https://www.netflix.com:443/*",
        "https://netflix.com./*",
    ] {
        assert!(pattern_covers(p, &d), "{p}");
    }
    for p in [
        "file:///*",
        "ftp://*/*",
        "https://notnetflix.com/*",
        "https://netflix.com.evil.org/*",
        "https://example.org/*",
        "chrome-extension://abc/*",
        "storage",
        "https://*.org/*",
        "",
    ] {
        assert!(!pattern_covers(p, &d), "{p}");
    }
    // No streaming domains: nothing is covered.
    assert!(!pattern_covers("<all_urls>", &[]));
    assert!(!pattern_covers("*://*/*", &[]));
    assert_eq!(
        domains(),
        ids(&[
            "netflix.com",
            "youtube.com",
            "disneyplus.com",
            "primevideo.com",
            "max.com",
            "hbomax.com"
        ])
    );
}

#[test]
fn plan_disable_filters_unknown_off_and_locked() {
    let mut off = ext("off", "Off VPN", &["proxy"], &[]);
    off.enabled = false;
    let mut locked = ext("locked", "Corp AdBlock", &[], &[]);
    locked.install_type = "admin".into();
    let list = [
        off,
        locked,
        ext("v", "Fake VPN Proxy", &["proxy"], &[]),
        ext("u", "Notes", &["storage"], &[]),
    ];
    let out = classify(&catalog(), SELF_ID, &domains(), &list);
    let plan = plan_disable(&out, &ids(&["off", "locked", "ghost", "v", "v", "u", ""]));
    // An unrelated extension may be turned off on explicit request.
    assert_eq!(plan, ids(&["v", "u"]));
    assert_eq!(suspects(&out), ids(&["v"]));
}

#[test]
fn embedded_extension_data_is_sound() {
    let c = catalog();
    let mut seen = std::collections::HashSet::new();
    for entry in c.extension.iter() {
        assert!(
            !entry.ids.is_empty() || !entry.names.is_empty(),
            "empty entry"
        );
        for n in entry.names.iter() {
            assert!(!n.trim().is_empty(), "blank name fragment");
            assert_eq!(
                n.to_lowercase(),
                *n,
                "name fragment `{n}` must be lower case"
            );
        }
        if entry.kind == ExtKind::Unrelated {
            assert!(entry.names.is_empty(), "unrelated entries match by id only");
        }
        for id in entry.ids.iter() {
            assert!(seen.insert(id.clone()), "id `{id}` listed twice");
            let chrome = id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b));
            let gecko = id.contains('@') || (id.starts_with('{') && id.ends_with('}'));
            assert!(
                chrome || gecko,
                "`{id}` is neither a Chrome nor a Firefox id"
            );
        }
    }
    // StreamFix's own name must not look interfering (it is skipped by id anyway).
    assert_eq!(
        one(ext("x", "StreamFix", &[], &[])).kind,
        ExtKind::Unrelated
    );
}

// --------------------------------------------------------------------------------- proxy

fn proxy(level: &str, mode: &str) -> ProxySettings {
    ProxySettings {
        level_of_control: level.into(),
        value: ProxyValue {
            mode: mode.into(),
            proxy_type: String::new(),
        },
    }
}

fn proxy_world() -> (Vec<ExtensionInfo>, Vec<Classified>) {
    let mut off = ext("off", "Old VPN", &["proxy"], &[]);
    off.enabled = false;
    let exts = vec![
        ext("first", "Route Helper", &["proxy"], &[]),
        off,
        ext("u", "Notes", &["storage"], &[]),
        ext("second", "Fake VPN Proxy", &["proxy"], &[]),
    ];
    let classified = classify(&catalog(), SELF_ID, &domains(), &exts);
    (exts, classified)
}

#[test]
fn fixed_servers_with_a_proxy_extension_is_an_extension_even_if_controllable() {
    let (exts, cl) = proxy_world();
    // What Chrome really reports while another extension's proxy is in force.
    let p = proxy("controllable_by_this_extension", "fixed_servers");
    let r = proxy_report(Some(&p), &cl, &exts, &[]);
    assert_eq!(
        r,
        ProxyReport {
            mode: Some("fixed_servers".into()),
            readable: true,
            controlled_by_extension: true,
            likely_controller: Some("second".into()),
            candidates: ids(&["first", "second"]),
            managed: false,
        }
    );
    // Same for a PAC script.
    let p = proxy("controlled_by_other_extensions", "pac_script");
    assert!(proxy_report(Some(&p), &cl, &exts, &[]).controlled_by_extension);
}

#[test]
fn install_order_picks_the_newest_proxy_extension() {
    let (exts, cl) = proxy_world();
    let p = proxy("controlled_by_other_extensions", "fixed_servers");
    let r = proxy_report(Some(&p), &cl, &exts, &ids(&["u", "second", "first"]));
    assert_eq!(r.likely_controller.as_deref(), Some("first"));
    assert_eq!(r.candidates, ids(&["second", "first"]));
    // Ids the order doesn't know count as older.
    let r = proxy_report(Some(&p), &cl, &exts, &ids(&["first"]));
    assert_eq!(r.candidates, ids(&["second", "first"]));
    assert_eq!(r.likely_controller.as_deref(), Some("first"));
    let r = proxy_report(Some(&p), &cl, &exts, &ids(&["second"]));
    assert_eq!(r.likely_controller.as_deref(), Some("second"));
}

#[test]
fn direct_or_system_proxy_is_not_an_extension() {
    let (exts, cl) = proxy_world();
    for mode in ["direct", "system", "auto_detect"] {
        let r = proxy_report(
            Some(&proxy("controllable_by_this_extension", mode)),
            &cl,
            &exts,
            &[],
        );
        assert!(!r.controlled_by_extension, "{mode}");
        assert_eq!(r.likely_controller, None);
        assert_eq!(r.mode.as_deref(), Some(mode));
        assert_eq!(r.candidates.len(), 2, "candidates are listed anyway");
    }
    // An extension that forced `direct` still controls the setting.
    let r = proxy_report(
        Some(&proxy("controlled_by_other_extensions", "direct")),
        &cl,
        &exts,
        &[],
    );
    assert!(r.controlled_by_extension);
}

#[test]
fn fixed_servers_without_proxy_extensions_or_by_policy() {
    let exts = vec![ext("u", "Notes", &["storage"], &[])];
    let cl = classify(&catalog(), SELF_ID, &domains(), &exts);
    let r = proxy_report(
        Some(&proxy("controllable_by_this_extension", "fixed_servers")),
        &cl,
        &exts,
        &[],
    );
    assert!(!r.controlled_by_extension);
    assert!(r.candidates.is_empty() && r.likely_controller.is_none());

    let (exts, cl) = proxy_world();
    let r = proxy_report(
        Some(&proxy("not_controllable", "fixed_servers")),
        &cl,
        &exts,
        &[],
    );
    assert!(r.managed);
    assert!(!r.controlled_by_extension);
    assert_eq!(r.likely_controller, None);
}

#[test]
fn unreadable_proxy_is_inferred_from_permissions() {
    let (exts, cl) = proxy_world();
    let r = proxy_report(None, &cl, &exts, &[]);
    assert_eq!(
        r,
        ProxyReport {
            mode: None,
            readable: false,
            controlled_by_extension: true,
            likely_controller: Some("second".into()),
            candidates: ids(&["first", "second"]),
            managed: false,
        }
    );
    let exts = vec![ext("u", "Notes", &["storage"], &[])];
    let cl = classify(&catalog(), SELF_ID, &domains(), &exts);
    let r = proxy_report(None, &cl, &exts, &[]);
    assert!(!r.readable && !r.controlled_by_extension && r.likely_controller.is_none());
}

#[test]
fn proxy_candidates_exclude_self_and_disabled() {
    let exts = vec![
        ext(SELF_ID, "StreamFix", &["proxy"], &[]),
        ext("v", "Fake VPN Proxy", &["proxy"], &[]),
    ];
    let cl = classify(&catalog(), SELF_ID, &domains(), &exts);
    let r = proxy_report(
        Some(&proxy("controlled_by_this_extension", "fixed_servers")),
        &cl,
        &exts,
        &[],
    );
    assert_eq!(r.candidates, ids(&["v"]));
    assert_eq!(r.likely_controller.as_deref(), Some("v"));
}

#[test]
fn firefox_manual_proxy_counts_as_fixed_servers() {
    let (exts, cl) = proxy_world();
    let p: ProxySettings = serde_json::from_value(json!({
        "levelOfControl": "controlled_by_other_extensions",
        "value": {"proxyType": "manual", "http": "127.0.0.1:9"}
    }))
    .unwrap();
    let r = proxy_report(Some(&p), &cl, &exts, &[]);
    assert_eq!(r.mode.as_deref(), Some("fixed_servers"));
    assert!(r.controlled_by_extension);
}

// ------------------------------------------------------------------------------ bisection

/// The browser as far as the bisection is concerned: which suspects are on.
struct World {
    on: Vec<String>,
}

impl World {
    fn new(all: &[String]) -> Self {
        World { on: all.to_vec() }
    }

    /// Carries a step out, checking it is an exact delta (no no-op toggles).
    fn apply(&mut self, disable: &[String], enable: &[String]) {
        for id in disable {
            assert!(self.on.contains(id), "asked to disable `{id}`, already off");
            self.on.retain(|x| x != id);
        }
        for id in enable {
            assert!(!self.on.contains(id), "asked to enable `{id}`, already on");
            self.on.push(id.clone());
        }
    }

    fn off(&self, all: &[String]) -> Vec<String> {
        all.iter()
            .filter(|x| !self.on.contains(x))
            .cloned()
            .collect()
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ext{i}")).collect()
}

fn ceil_log2(n: usize) -> u32 {
    let mut k = 0;
    while (1usize << k) < n {
        k += 1;
    }
    k
}

/// Runs a whole bisection, storing and reloading the state between checks as the service
/// worker does. `error` says whether the page fails with the given extensions on.
fn run(all: &[String], error: impl Fn(&[String]) -> bool) -> (Bisect, Step, World, u32) {
    let mut world = World::new(all);
    let (mut b, mut step) = Bisect::start(all);
    let mut checks = 0;
    loop {
        // Survives a service-worker restart.
        let stored = serde_json::to_string(&b).unwrap();
        b = serde_json::from_str(&stored).unwrap();
        match &step {
            Step::Apply { disable, enable } => {
                world.apply(disable, enable);
                assert_eq!(
                    world.off(all),
                    b.currently_disabled(),
                    "machine and browser agree"
                );
                let on: Vec<String> = all
                    .iter()
                    .filter(|x| world.on.contains(x))
                    .cloned()
                    .collect();
                assert_eq!(
                    b.resume(),
                    Step::Apply {
                        disable: world.off(all),
                        enable: on
                    }
                );
                checks += 1;
                assert!(checks <= 20, "runaway bisection");
                let gone = !error(&world.on);
                step = b.record(gone);
            }
            Step::Done {
                disable, enable, ..
            } => {
                world.apply(disable, enable);
                break;
            }
            Step::NotExtensions { enable } => {
                world.apply(&[], enable);
                break;
            }
        }
    }
    assert_eq!(world.off(all), b.currently_disabled());
    assert!(b.is_finished());
    assert_eq!(b.checks(), checks);
    (b, step, world, checks)
}

#[test]
fn finds_every_culprit_for_one_to_eight_suspects() {
    for n in 1..=8 {
        let all = names(n);
        for k in 0..n {
            let culprit = all[k].clone();
            let (b, step, world, checks) = run(&all, |on| on.contains(&culprit));
            let bound = ceil_log2(n) + 1;
            assert!(checks <= bound, "n={n} k={k}: {checks} checks > {bound}");
            assert!(b.max_checks() == bound);
            match step {
                Step::Done {
                    culprit: Some(c), ..
                } => assert_eq!(c, culprit, "n={n} k={k}"),
                other => panic!("n={n} k={k}: ended with {other:?}"),
            }
            assert_eq!(
                world.off(&all),
                vec![culprit.clone()],
                "only the culprit stays off"
            );
            assert_eq!(b.currently_disabled(), vec![culprit.clone()]);
            assert_eq!(b.culprit(), Some(culprit.as_str()));
            assert_eq!(b.phase(), Phase::Found);
            // Asking again changes nothing.
            let mut again = b.clone();
            assert_eq!(
                again.record(true),
                Step::Done {
                    culprit: Some(culprit.clone()),
                    disable: vec![],
                    enable: vec![]
                }
            );
        }
    }
}

#[test]
fn no_suspect_is_the_culprit() {
    for n in 1..=5 {
        let all = names(n);
        let (b, step, world, checks) = run(&all, |_| true);
        assert_eq!(checks, 1, "one check with everything off is enough");
        assert_eq!(
            step,
            Step::NotExtensions {
                enable: all.clone()
            }
        );
        assert!(world.off(&all).is_empty(), "everything is back on");
        assert!(b.currently_disabled().is_empty());
        assert_eq!(b.phase(), Phase::NotExtensions);
        assert_eq!(b.culprit(), None);
        let mut again = b.clone();
        assert_eq!(again.record(false), Step::NotExtensions { enable: vec![] });
    }
}

#[test]
fn zero_suspects_is_done_at_once() {
    let (b, step) = Bisect::start(&[]);
    assert_eq!(
        step,
        Step::Done {
            culprit: None,
            disable: vec![],
            enable: vec![]
        }
    );
    assert!(b.is_finished());
    assert_eq!(b.max_checks(), 0);
    assert!(b.currently_disabled().is_empty());
    // Empty ids and duplicates are dropped.
    let (b, step) = Bisect::start(&ids(&["", "a", "a"]));
    assert_eq!(b.suspects(), ids(&["a"]));
    assert_eq!(
        step,
        Step::Apply {
            disable: ids(&["a"]),
            enable: vec![]
        }
    );
}

#[test]
fn one_suspect_takes_one_check() {
    let all = ids(&["only"]);
    let (mut b, step) = Bisect::start(&all);
    assert_eq!(
        step,
        Step::Apply {
            disable: all.clone(),
            enable: vec![]
        }
    );
    assert_eq!(b.phase(), Phase::AllOff);
    assert_eq!(
        b.record(true),
        Step::Done {
            culprit: Some("only".into()),
            disable: vec![],
            enable: vec![]
        }
    );
    assert_eq!(b.currently_disabled(), all);
}

#[test]
fn two_extensions_together_name_one_of_them() {
    let all = names(6);
    let (a, c) = (all[1].clone(), all[4].clone());
    let (_, step, world, _) = run(&all, |on| on.contains(&a) && on.contains(&c));
    match step {
        Step::Done {
            culprit: Some(x), ..
        } => {
            assert!(x == a || x == c);
            assert_eq!(world.off(&all), vec![x]);
        }
        other => panic!("ended with {other:?}"),
    }
}

#[test]
fn a_flaky_error_still_ends_with_everything_but_one_on() {
    // Gone with everything off and never back (it went away by itself): a name still
    // comes out, in the bound, and only that one stays off.
    let all = names(5);
    let (_, step, world, checks) = run(&all, |_| false);
    assert!(checks <= 4);
    assert!(matches!(
        step,
        Step::Done {
            culprit: Some(_),
            ..
        }
    ));
    assert_eq!(world.off(&all).len(), 1);
}

#[test]
fn bisect_state_serializes_plainly() {
    let (b, _) = Bisect::start(&ids(&["a", "b", "c"]));
    let v = serde_json::to_value(&b).unwrap();
    assert_eq!(v["phase"], "all-off");
    assert_eq!(v["suspects"], json!(["a", "b", "c"]));
    assert_eq!(v["checks"], 0);
    let step = serde_json::to_value(Step::Apply {
        disable: ids(&["a"]),
        enable: vec![],
    })
    .unwrap();
    assert_eq!(
        step,
        json!({"type": "Apply", "disable": ["a"], "enable": []})
    );
    let done = serde_json::to_value(Step::Done {
        culprit: None,
        disable: vec![],
        enable: vec![],
    })
    .unwrap();
    assert_eq!(done["type"], "Done");
    assert_eq!(done["culprit"], json!(null));
}

#[test]
fn resume_restates_the_whole_wanted_state() {
    let all = names(4);
    let (mut b, _) = Bisect::start(&all);
    assert_eq!(
        b.resume(),
        Step::Apply {
            disable: all.clone(),
            enable: vec![]
        }
    );
    let step = b.record(true);
    assert_eq!(
        step,
        Step::Apply {
            disable: vec![],
            enable: ids(&["ext0", "ext1"])
        }
    );
    assert_eq!(
        b.resume(),
        Step::Apply {
            disable: ids(&["ext2", "ext3"]),
            enable: ids(&["ext0", "ext1"])
        }
    );
    // Error back: culprit in ext0/ext1; ext2, ext3 innocent and turned back on.
    let step = b.record(false);
    assert_eq!(
        step,
        Step::Apply {
            disable: ids(&["ext1"]),
            enable: ids(&["ext2", "ext3"])
        }
    );
    assert_eq!(b.candidates(), ids(&["ext0", "ext1"]));
    // Error back again: ext0 is it, turned off for good.
    let step = b.record(false);
    assert_eq!(
        step,
        Step::Done {
            culprit: Some("ext0".into()),
            disable: ids(&["ext0"]),
            enable: ids(&["ext1"])
        }
    );
    assert_eq!(
        b.resume(),
        Step::Done {
            culprit: Some("ext0".into()),
            disable: ids(&["ext0"]),
            enable: ids(&["ext1", "ext2", "ext3"])
        }
    );
    assert_eq!(b.checks(), 3);
}

// --------------------------------------------------------------------------------- ledger

#[test]
fn ledger_notes_without_duplicates_and_restores_in_order() {
    let mut l = Ledger::default();
    assert!(l.is_empty());
    l.note_off("v", "Fake VPN Proxy", 1.0);
    l.note_off("b", "Fake AdBlock", 2.0);
    l.note_off("v", "Renamed", 3.0);
    l.note_off("", "nothing", 4.0);
    assert_eq!(l.to_restore(), ids(&["v", "b"]));
    assert_eq!(l.off[0].name, "Fake VPN Proxy");
    assert_eq!(l.off[0].at, 1.0);
    l.note_on("v");
    l.note_on("ghost");
    assert_eq!(l.to_restore(), ids(&["b"]));

    let v = serde_json::to_value(&l).unwrap();
    assert_eq!(
        v,
        json!({"off": [{"id": "b", "name": "Fake AdBlock", "at": 2.0, "seen_off": false}]})
    );
    assert_eq!(serde_json::from_value::<Ledger>(v).unwrap(), l);
    // Older or partial stored values still read.
    assert_eq!(
        serde_json::from_value::<Ledger>(json!({})).unwrap(),
        Ledger::default()
    );
    let partial: Ledger = serde_json::from_value(json!({"off": [{"id": "x"}]})).unwrap();
    assert_eq!(partial.to_restore(), ids(&["x"]));
}

#[test]
fn ledger_reconcile_drops_what_the_user_turned_on_or_removed() {
    let mut l = Ledger::default();
    for id in ["still-off", "user-on", "uninstalled"] {
        l.note_off(id, id, 0.0);
    }
    let off = |id: &str| {
        let mut x = ext(id, id, &[], &[]);
        x.enabled = false;
        x
    };
    // The listing after the turning off shows them all off.
    l.reconcile(&[off("still-off"), off("user-on"), off("uninstalled")]);
    assert_eq!(
        l.to_restore(),
        ids(&["still-off", "user-on", "uninstalled"])
    );
    let exts = [
        off("still-off"),
        ext("user-on", "B", &[], &[]),
        ext("other", "C", &[], &[]),
    ];
    l.reconcile(&exts);
    assert_eq!(l.to_restore(), ids(&["still-off"]));
    // An empty list is a failed read, not "everything was uninstalled".
    l.reconcile(&[]);
    assert_eq!(l.to_restore(), ids(&["still-off"]));
}

#[test]
fn ledger_never_holds_what_the_user_had_turned_off() {
    // The flow the engine follows: plan, note, disable; later restore.
    let mut user_off = ext("user-off", "Fake VPN Proxy", &["proxy"], &[]);
    user_off.enabled = false;
    let mut exts = vec![
        user_off,
        ext("b", "Fake AdBlock", &["declarativeNetRequest"], &[]),
        ext("m", "Fake Dark Mode", &[], &["<all_urls>"]),
    ];
    let cl = classify(&catalog(), SELF_ID, &domains(), &exts);
    let all: Vec<String> = cl.iter().map(|c| c.id.clone()).collect();
    let plan = plan_disable(&cl, &all);
    assert_eq!(plan, ids(&["b", "m"]));
    let mut l = Ledger::default();
    for id in &plan {
        let name = cl
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.name.clone())
            .unwrap();
        l.note_off(id, &name, 10.0);
        exts.iter_mut()
            .filter(|e| e.id == *id)
            .for_each(|e| e.enabled = false);
    }
    l.reconcile(&exts);
    assert_eq!(l.to_restore(), ids(&["b", "m"]));
    for id in l.to_restore() {
        exts.iter_mut()
            .filter(|e| e.id == id)
            .for_each(|e| e.enabled = true);
        l.note_on(&id);
    }
    assert!(l.is_empty());
    assert!(!exts[0].enabled, "the user's choice is kept");
}

#[test]
fn bisection_and_ledger_together() {
    // find-culprit over the fixtures: the ledger ends holding only the culprit.
    let exts = vec![
        ext("v", "Fake VPN Proxy", &["proxy"], &[]),
        ext("b", "Fake AdBlock", &["declarativeNetRequest"], &[]),
        ext("m", "Fake Dark Mode", &[], &["<all_urls>"]),
        ext("u", "Notes", &["storage"], &[]),
    ];
    let cl = classify(&catalog(), SELF_ID, &domains(), &exts);
    let targets = plan_disable(&cl, &suspects(&cl));
    assert_eq!(targets, ids(&["v", "b", "m"]));
    let mut l = Ledger::default();
    let (mut b, mut step) = Bisect::start(&targets);
    let mut on: Vec<String> = targets.clone();
    let mut t = 0.0;
    loop {
        let (disable, enable, last) = match &step {
            Step::Apply { disable, enable } => (disable.clone(), enable.clone(), false),
            Step::Done {
                disable, enable, ..
            } => (disable.clone(), enable.clone(), true),
            Step::NotExtensions { enable } => (vec![], enable.clone(), true),
        };
        for id in &disable {
            t += 1.0;
            l.note_off(id, id, t);
            on.retain(|x| x != id);
        }
        for id in &enable {
            on.push(id.clone());
            l.note_on(id);
        }
        let mut sorted = l.to_restore();
        sorted.sort();
        let mut expect = b.currently_disabled();
        expect.sort();
        assert_eq!(sorted, expect, "ledger and bisection agree");
        if last {
            break;
        }
        step = b.record(!on.contains(&"b".to_string()));
    }
    assert_eq!(l.to_restore(), ids(&["b"]));
}

#[test]
fn ledger_reconcile_keeps_what_a_listing_does_not_cover() {
    let mut l = Ledger::default();
    l.note_off("early", "Early", 100.0);
    l.note_off("late", "Late", 200.0);
    // Seen off once each, so a listing showing them on could mean the user's doing.
    for e in l.off.iter_mut() {
        e.seen_off = true;
    }
    // Both shown on, by a listing read after the changes noted until 150 only.
    let on = [
        ext("early", "Early", &[], &[]),
        ext("late", "Late", &[], &[]),
    ];
    l.reconcile_covering(&on, 150.0);
    assert_eq!(l.to_restore(), ids(&["late"]), "noted later: kept");
    // Turned off again later (a step carried out anew): an older listing no longer
    // covers it, a newer one does.
    l.note_off("late", "Renamed", 300.0);
    l.refresh("late", 300.0);
    assert_eq!((l.off[0].name.as_str(), l.off[0].at), ("Late", 300.0));
    l.refresh("late", 250.0);
    assert_eq!(l.off[0].at, 300.0, "never moves back");
    l.reconcile_covering(&on, 299.0);
    assert_eq!(l.to_restore(), ids(&["late"]));
    // Turned off anew, it has to be seen off again first.
    l.reconcile_covering(&on, 300.0);
    assert_eq!(l.to_restore(), ids(&["late"]));
    l.turning_on("late");
    l.reconcile_covering(&on, 300.0);
    assert!(l.is_empty());
}

#[test]
fn ledger_keeps_an_entry_whose_turning_off_hung_until_it_is_seen_off() {
    let mut l = Ledger::default();
    l.note_off("slow", "Slow VPN", 100.0);
    let on = [ext("slow", "Slow VPN", &[], &[])];
    let mut off = ext("slow", "Slow VPN", &[], &[]);
    off.enabled = false;
    // The worker gave up waiting for setEnabled; the listing after it still shows it on.
    l.reconcile_covering(&on, 100.0);
    assert_eq!(
        l.to_restore(),
        ids(&["slow"]),
        "kept: the call may still land"
    );
    // It landed later: a listing shows it off, then the user turns it on himself.
    l.reconcile_covering(&[off], 200.0);
    assert_eq!(l.to_restore(), ids(&["slow"]));
    l.reconcile_covering(&on, 300.0);
    assert!(l.is_empty());
}

#[test]
fn an_unreadable_ledger_still_names_its_extensions() {
    let text = r#"{"version":9,"entries":[{"id":"abcdefghijklmnopabcdefghijklmnop","why":{"id":"vpn"}},{"id" : "b"},{"name":"no id"}]}"#;
    assert_eq!(
        Ledger::salvage(text),
        ids(&["abcdefghijklmnopabcdefghijklmnop", "vpn", "b"])
    );
    assert!(Ledger::salvage("garbage").is_empty());
}
