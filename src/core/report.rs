//! The support report: plain text the user copies (`copy-report`) and hands to the
//! service's support or to their internet provider.
//!
//! The report holds only what the caller passes in, after sanitising every field: control
//! and invisible formatting characters are dropped, whitespace is folded to single
//! spaces, anything shaped like an email address, a URL with a query or fragment, a
//! `key=value` secret or a long opaque token (session ids, cookies) becomes `[removed]`,
//! and each field is cut to [`MAX_FIELD_CHARS`] characters, each list to
//! [`MAX_LIST_ITEMS`] items. The output's only control character is `\n`.

use serde::{Deserialize, Serialize};

use super::sentences::{self, report::Key};
use super::util;

/// Longest a field may be in the report, in characters.
pub const MAX_FIELD_CHARS: usize = 200;
/// Most extensions or steps listed.
pub const MAX_LIST_ITEMS: usize = 50;
/// What replaces private-looking text.
pub const REDACTED: &str = "[removed]";
/// Input read per field before sanitising; the rest can't reach the report anyway.
const MAX_SCAN_CHARS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// Browser and version, e.g. `Chrome 156`.
    pub browser: String,
    pub os: String,
    /// UI language tag (`es-419`): the labels' language, English if the data lacks it.
    pub lang: String,
    /// When the report is made, ISO 8601, from the caller's clock.
    pub now_iso: String,
    /// Service name (`Netflix`).
    #[serde(default)]
    pub service: Option<String>,
    /// The code shown (`NSEZ-503`) or the entry id (`HTTP-503`, `DNS`).
    #[serde(default)]
    pub code: Option<String>,
    /// One sentence: what it means.
    #[serde(default)]
    pub meaning: Option<String>,
    /// When the error was detected, ISO 8601.
    #[serde(default)]
    pub detected_iso: Option<String>,
    /// How it was detected, one line (`page text`, `HTTP 503`, `net::ERR_...`).
    #[serde(default)]
    pub evidence: Option<String>,
    /// Proxy state, one line.
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default)]
    pub extensions: Vec<ReportExt>,
    /// The connection check, one line (`connection::summary_line`).
    #[serde(default)]
    pub connection: Option<String>,
    #[serde(default)]
    pub steps: Vec<ReportStep>,
    /// StreamFix's own version.
    pub extension_version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportExt {
    pub name: String,
    /// `vpn`, `proxy`, `blocker`, `modifier`, `unrelated`.
    pub kind: String,
    pub suspect: bool,
    /// `on`, `off`, `turned off by StreamFix`.
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportStep {
    pub title: String,
    /// `todo`, `done`, `helped`, `not-helped`.
    pub state: String,
}

/// Characters that are not control characters but still hide or reorder text: bidi
/// controls, zero-width characters, line and paragraph separators, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

fn looks_like_email(token: &str) -> bool {
    let Some((local, domain)) = token.split_once('@') else {
        return false;
    };
    let domain = domain.trim_end_matches(|c: char| !c.is_alphanumeric());
    !local
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
}

fn looks_like_url(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    if util::contains(&lower, "://")
        || lower.starts_with("www.")
        || util::contains(&lower, "mailto:")
    {
        return true;
    }
    // `host.tld/path`: a dot before the first slash.
    lower
        .split_once('/')
        .is_some_and(|(host, _)| host.contains('.') && !host.contains(' '))
}

/// A value that may be a secret: `name=value` with a long value, or a long run of
/// letters and digits mixed (session ids, tokens, cookie values).
fn looks_like_secret(token: &str) -> bool {
    if let Some((_, value)) = token.split_once('=') {
        if value.chars().count() >= 16 {
            return true;
        }
    }
    let opaque =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '%' | '.');
    token.chars().count() >= 32
        && token.chars().all(opaque)
        && token.chars().any(|c| c.is_ascii_digit())
        && token.chars().any(|c| c.is_ascii_alphabetic())
}

fn is_private(token: &str) -> bool {
    looks_like_email(token)
        || (looks_like_url(token) && token.contains(['?', '#', '@']))
        || looks_like_secret(token)
}

/// Cuts to `max` characters, marking the cut with `…`.
fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// One field, made safe for the report: one line, no control or invisible characters,
/// private-looking tokens removed, at most [`MAX_FIELD_CHARS`] characters.
pub fn sanitize(raw: &str) -> String {
    let mut scanned: String = raw.chars().take(MAX_SCAN_CHARS).collect();
    if scanned.len() < raw.len() {
        // Drop the last, possibly partial, word: half an address would slip through.
        let cut = scanned
            .rfind(|c: char| c.is_whitespace() || c.is_control())
            .unwrap_or(0);
        scanned.truncate(cut);
    }
    let spaced: String = scanned
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !is_invisible(*c))
        .collect();
    let words: Vec<&str> = spaced
        .split_whitespace()
        .map(|w| if is_private(w) { REDACTED } else { w })
        .collect();
    cap(&util::join(&words, " "), MAX_FIELD_CHARS)
}

/// What the report says, in no language: `say` finds the words in
/// `data/sentences/report.toml` and fills in the arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<'a> {
    Title,
    Summary,
    Environment,
    Checked,
    StepsTried,
    ForSupport,
    Service,
    ErrorCode,
    Meaning,
    ErrorSeenAt,
    DetectedFrom,
    ReportMadeAt,
    Browser,
    OperatingSystem,
    StreamfixVersion,
    Proxy,
    Connection,
    OtherExtensions,
    NoneDetected,
    NotKnown,
    NotChecked,
    NoneListed,
    NoneRecorded,
    KindVpn,
    KindProxy,
    KindBlocker,
    KindModifier,
    KindUnrelated,
    Suspect,
    ExtOn,
    ExtOff,
    ExtTurnedOff,
    StepTodo,
    StepDone,
    StepHelped,
    StepNotHelped,
    /// How many items a cut list left out.
    More {
        n: usize,
    },
    ProxyMode {
        mode: &'a str,
    },
    ProxyUnreadable,
    /// Extension names, already joined.
    ProxySetters {
        names: &'a str,
    },
    ShownOnPage,
    HttpAnswer {
        status: u16,
    },
    EnteredByUser,
    Closing,
}

impl Word<'_> {
    /// Its sentence in the data.
    fn key(&self) -> Key {
        match self {
            Word::Title => Key::Title,
            Word::Summary => Key::Summary,
            Word::Environment => Key::Environment,
            Word::Checked => Key::Checked,
            Word::StepsTried => Key::StepsTried,
            Word::ForSupport => Key::ForSupport,
            Word::Service => Key::Service,
            Word::ErrorCode => Key::ErrorCode,
            Word::Meaning => Key::Meaning,
            Word::ErrorSeenAt => Key::ErrorSeenAt,
            Word::DetectedFrom => Key::DetectedFrom,
            Word::ReportMadeAt => Key::ReportMadeAt,
            Word::Browser => Key::Browser,
            Word::OperatingSystem => Key::OperatingSystem,
            Word::StreamfixVersion => Key::StreamfixVersion,
            Word::Proxy => Key::Proxy,
            Word::Connection => Key::Connection,
            Word::OtherExtensions => Key::OtherExtensions,
            Word::NoneDetected => Key::NoneDetected,
            Word::NotKnown => Key::NotKnown,
            Word::NotChecked => Key::NotChecked,
            Word::NoneListed => Key::NoneListed,
            Word::NoneRecorded => Key::NoneRecorded,
            Word::KindVpn => Key::KindVpn,
            Word::KindProxy => Key::KindProxy,
            Word::KindBlocker => Key::KindBlocker,
            Word::KindModifier => Key::KindModifier,
            Word::KindUnrelated => Key::KindUnrelated,
            Word::Suspect => Key::Suspect,
            Word::ExtOn => Key::ExtOn,
            Word::ExtOff => Key::ExtOff,
            Word::ExtTurnedOff => Key::ExtTurnedOff,
            Word::StepTodo => Key::StepTodo,
            Word::StepDone => Key::StepDone,
            Word::StepHelped => Key::StepHelped,
            Word::StepNotHelped => Key::StepNotHelped,
            Word::More { .. } => Key::More,
            Word::ProxyMode { .. } => Key::ProxyMode,
            Word::ProxyUnreadable => Key::ProxyUnreadable,
            Word::ProxySetters { .. } => Key::ProxySetters,
            Word::ShownOnPage => Key::ShownOnPage,
            Word::HttpAnswer { .. } => Key::HttpAnswer,
            Word::EnteredByUser => Key::EnteredByUser,
            Word::Closing => Key::Closing,
        }
    }

    /// The `{name}`s it fills in, with their values.
    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Word::More { n } => vec![("n", n.to_string())],
            Word::ProxyMode { mode } => vec![("mode", mode.to_string())],
            Word::ProxySetters { names } => vec![("names", names.to_string())],
            Word::HttpAnswer { status } => vec![("status", status.to_string())],
            _ => Vec::new(),
        }
    }

    /// Its words for a UI language tag (`es-419`); English where the data has no such
    /// language.
    pub fn say(&self, lang: &str) -> String {
        let args = self.args();
        let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        sentences::fill(self.key().words(sentences::lang_index(lang)), &args)
    }
}

struct Writer<'a> {
    lang: &'a str,
    out: String,
}

impl Writer<'_> {
    fn word(&self, w: Word) -> String {
        w.say(self.lang)
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn heading(&mut self, w: Word) {
        let h = self.word(w);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        let rule = "-".repeat(h.chars().count());
        self.line(&h);
        self.line(&rule);
    }

    /// `Label:  value` rows, values aligned.
    fn rows(&mut self, rows: &[(String, String)]) {
        let width = rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        for (label, value) in rows {
            let pad = " ".repeat(width.saturating_sub(label.chars().count()));
            let row = format!("{label}:{pad} {value}");
            self.line(row.trim_end());
        }
    }

    fn more(&mut self, total: usize) {
        if total > MAX_LIST_ITEMS {
            let n = total - MAX_LIST_ITEMS;
            let s = format!("  {}", self.word(Word::More { n }));
            self.line(&s);
        }
    }
}

fn kind_words(kind: &str) -> Option<Word<'static>> {
    Some(match kind {
        "vpn" => Word::KindVpn,
        "proxy" => Word::KindProxy,
        "blocker" => Word::KindBlocker,
        "modifier" => Word::KindModifier,
        "unrelated" => Word::KindUnrelated,
        _ => return None,
    })
}

fn ext_state_words(state: &str) -> Option<Word<'static>> {
    Some(match state {
        "on" => Word::ExtOn,
        "off" => Word::ExtOff,
        "turned off by StreamFix" => Word::ExtTurnedOff,
        _ => return None,
    })
}

fn step_state_words(state: &str) -> Option<Word<'static>> {
    Some(match state {
        "todo" => Word::StepTodo,
        "done" => Word::StepDone,
        "helped" => Word::StepHelped,
        "not-helped" => Word::StepNotHelped,
        _ => return None,
    })
}

/// A known word in the report's language, or the sanitised raw value.
fn word_or_raw(word: Option<Word>, raw: &str, w: &Writer) -> String {
    word.map_or_else(|| sanitize(raw), |word| w.word(word))
}

/// Sanitised, or `None` when nothing is left.
fn field(v: Option<&String>) -> Option<String> {
    v.map(|s| sanitize(s)).filter(|s| !s.is_empty())
}

fn or_unknown(s: String, w: &Writer) -> String {
    if s.is_empty() {
        w.word(Word::NotKnown)
    } else {
        s
    }
}

/// The support report, plain text with `\n` line ends.
pub fn render(input: &ReportInput) -> String {
    let mut w = Writer {
        lang: &input.lang,
        out: String::new(),
    };

    let title = w.word(Word::Title);
    w.line(&title);
    w.line(&"=".repeat(title.chars().count()));

    // Summary
    w.heading(Word::Summary);
    let mut rows = Vec::new();
    if let Some(s) = field(input.service.as_ref()) {
        rows.push((w.word(Word::Service), s));
    }
    let code = field(input.code.as_ref()).unwrap_or_else(|| w.word(Word::NoneDetected));
    rows.push((w.word(Word::ErrorCode), code));
    if let Some(s) = field(input.meaning.as_ref()) {
        rows.push((w.word(Word::Meaning), s));
    }
    if let Some(s) = field(input.detected_iso.as_ref()) {
        rows.push((w.word(Word::ErrorSeenAt), s));
    }
    if let Some(s) = field(input.evidence.as_ref()) {
        rows.push((w.word(Word::DetectedFrom), s));
    }
    rows.push((
        w.word(Word::ReportMadeAt),
        or_unknown(sanitize(&input.now_iso), &w),
    ));
    w.rows(&rows);

    // Environment
    w.heading(Word::Environment);
    let rows = vec![
        (
            w.word(Word::Browser),
            or_unknown(sanitize(&input.browser), &w),
        ),
        (
            w.word(Word::OperatingSystem),
            or_unknown(sanitize(&input.os), &w),
        ),
        (
            w.word(Word::StreamfixVersion),
            or_unknown(sanitize(&input.extension_version), &w),
        ),
    ];
    w.rows(&rows);

    // What StreamFix checked
    w.heading(Word::Checked);
    let not_checked = w.word(Word::NotChecked);
    let rows = vec![
        (
            w.word(Word::Proxy),
            field(input.proxy.as_ref()).unwrap_or_else(|| not_checked.clone()),
        ),
        (
            w.word(Word::Connection),
            field(input.connection.as_ref()).unwrap_or_else(|| not_checked.clone()),
        ),
    ];
    w.rows(&rows);
    let label = w.word(Word::OtherExtensions);
    if input.extensions.is_empty() {
        let none = w.word(Word::NoneListed);
        w.line(&format!("{label}: {none}"));
    } else {
        w.line(&format!("{label} ({}):", input.extensions.len()));
        for ext in input.extensions.iter().take(MAX_LIST_ITEMS) {
            let mut parts = vec![or_unknown(sanitize(&ext.name), &w)];
            let kind = word_or_raw(kind_words(&ext.kind), &ext.kind, &w);
            if !kind.is_empty() {
                parts.push(kind);
            }
            if ext.suspect {
                parts.push(w.word(Word::Suspect));
            }
            let state = word_or_raw(ext_state_words(&ext.state), &ext.state, &w);
            if !state.is_empty() {
                parts.push(state);
            }
            w.line(&format!("  - {}", util::join(&parts, " · ")));
        }
        w.more(input.extensions.len());
    }

    // Steps
    w.heading(Word::StepsTried);
    if input.steps.is_empty() {
        let none = w.word(Word::NoneRecorded);
        w.line(&none);
    } else {
        for step in input.steps.iter().take(MAX_LIST_ITEMS) {
            let title = or_unknown(sanitize(&step.title), &w);
            let state = word_or_raw(step_state_words(&step.state), &step.state, &w);
            if state.is_empty() {
                w.line(&format!("  - {title}"));
            } else {
                w.line(&format!("  - {title}: {state}"));
            }
        }
        w.more(input.steps.len());
    }

    // Closing
    w.heading(Word::ForSupport);
    let closing = w.word(Word::Closing);
    w.line(&closing);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> ReportInput {
        ReportInput {
            browser: "Chrome 156".into(),
            os: "Windows 11".into(),
            lang: "en-US".into(),
            now_iso: "2026-02-01T20:15:00Z".into(),
            extension_version: "0.1.0".into(),
            ..ReportInput::default()
        }
    }

    fn full() -> ReportInput {
        ReportInput {
            service: Some("Netflix".into()),
            code: Some("NSEZ-503".into()),
            meaning: Some("Netflix can't reach its servers right now.".into()),
            detected_iso: Some("2026-02-01T20:10:00Z".into()),
            evidence: Some("page text".into()),
            proxy: Some("no proxy (direct connection)".into()),
            extensions: vec![
                ReportExt {
                    name: "Hola VPN".into(),
                    kind: "vpn".into(),
                    suspect: true,
                    state: "turned off by StreamFix".into(),
                },
                ReportExt {
                    name: "Dark Reader".into(),
                    kind: "modifier".into(),
                    suspect: false,
                    state: "on".into(),
                },
            ],
            connection: Some("about 7.0 Mbps measured, enough for HD".into()),
            steps: vec![
                ReportStep {
                    title: "Turn off VPN or proxy".into(),
                    state: "not-helped".into(),
                },
                ReportStep {
                    title: "Clear Netflix's site data".into(),
                    state: "helped".into(),
                },
                ReportStep {
                    title: "Restart your router".into(),
                    state: "todo".into(),
                },
            ],
            ..minimal()
        }
    }

    fn no_controls(s: &str) {
        assert!(
            s.chars()
                .all(|c| c == '\n' || !(c.is_control() || is_invisible(c))),
            "{s:?}"
        );
        assert!(!s.contains('\r'));
    }

    #[test]
    fn full_report_has_every_section() {
        let r = render(&full());
        no_controls(&r);
        for want in [
            "StreamFix support report",
            "Summary",
            "Service:",
            "Netflix",
            "NSEZ-503",
            "Netflix can't reach its servers right now.",
            "2026-02-01T20:10:00Z",
            "2026-02-01T20:15:00Z",
            "Environment",
            "Chrome 156",
            "Windows 11",
            "0.1.0",
            "What StreamFix checked",
            "no proxy (direct connection)",
            "about 7.0 Mbps measured, enough for HD",
            "Other extensions (2):",
            "  - Hola VPN · VPN · suspect · turned off by StreamFix",
            "  - Dark Reader · page modifier · on",
            "Steps tried",
            "  - Turn off VPN or proxy: did not help",
            "  - Clear Netflix's site data: helped",
            "  - Restart your router: not tried yet",
            "For support",
            "other devices on the same network",
            "Wi-Fi or a cable",
            "internet provider",
        ] {
            assert!(r.contains(want), "missing {want:?} in\n{r}");
        }
        // Labels of a section line up.
        assert!(r.contains("Browser:           Chrome 156"), "{r}");
        assert!(r.contains("StreamFix version: 0.1.0"), "{r}");
        assert!(r.ends_with('\n'));
    }

    #[test]
    fn minimal_report_is_tidy() {
        let r = render(&minimal());
        no_controls(&r);
        assert!(r.contains("Error code:     none detected"), "{r}");
        assert!(r.contains("Proxy:      not checked"), "{r}");
        assert!(r.contains("Other extensions: none listed"), "{r}");
        assert!(r.contains("None recorded."), "{r}");
        assert!(r.contains(&Word::NoneRecorded.say("en-US")), "{r}");
        assert!(!r.contains("Service:"), "{r}");
        assert!(!r.contains("Meaning:"), "{r}");
        assert!(!r.contains("\n\n\n"));
        assert!(r.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn minimal_input_parses_from_json() {
        let json = r#"{"browser":"Firefox 140","os":"Linux","lang":"en","now_iso":"2026-02-01T00:00:00Z","extension_version":"0.1.0"}"#;
        let input: ReportInput = serde_json::from_str(json).unwrap();
        assert!(render(&input).contains("Firefox 140"));
        let bad = r#"{"browser":"x","os":"y","lang":"en","now_iso":"z","extension_version":"1","cookies":"a=b"}"#;
        assert!(serde_json::from_str::<ReportInput>(bad).is_err());
        let bad_ext = r#"{"browser":"x","os":"y","lang":"en","now_iso":"z","extension_version":"1","extensions":[{"name":"a","kind":"vpn","suspect":true,"state":"on","id":"abc"}]}"#;
        assert!(serde_json::from_str::<ReportInput>(bad_ext).is_err());
    }

    #[test]
    fn spanish_labels() {
        let mut input = full();
        input.lang = "es-419".into();
        let r = render(&input);
        no_controls(&r);
        for want in [
            "Informe de StreamFix para soporte",
            "Resumen",
            "Servicio:",
            "Código de error:",
            "Entorno",
            "Navegador:",
            "Sistema operativo:",
            "Versión de StreamFix:",
            "Qué revisó StreamFix",
            "Otras extensiones (2):",
            "Hola VPN · VPN · sospechosa · desactivada por StreamFix",
            "Dark Reader · modificador de páginas · activada",
            "Pasos probados",
            "Turn off VPN or proxy: no ayudó",
            "Restart your router: sin probar",
            "Para soporte",
            "proveedor de internet",
        ] {
            assert!(r.contains(want), "missing {want:?} in\n{r}");
        }
        assert!(!r.contains("Summary") && !r.contains("Browser:"), "{r}");
        let mut m = minimal();
        m.lang = "ES".into();
        let r = render(&m);
        assert!(
            r.contains("no se detectó ninguno") && r.contains("sin revisar"),
            "{r}"
        );
    }

    #[test]
    fn private_data_in_free_fields_is_removed() {
        let mut input = full();
        input.meaning = Some("Write to john.doe@example.com for help".into());
        input.evidence =
            Some("loaded https://www.netflix.com/watch/81234?trackId=155&tctx=abc failed".into());
        input.proxy = Some("PAC https://user:secret@proxy.corp.example:8080/pac.js".into());
        input.connection = Some("see netflix.com/browse?jbv=1 or www.x.com/#token".into());
        input.code = Some("NetflixId=v%3D2%26ct%3DBQAOAAEBEKVb".into());
        input.extensions[0].name = "Mail me (me@mail.org)".into();
        input.steps[0].title = "session 3f9a8c7d6e5b4a3928171615141312110f0e0d0c".into();
        let r = render(&input);
        for gone in [
            "john.doe",
            "example.com",
            "trackId",
            "tctx",
            "secret",
            "jbv",
            "#token",
            "BQAOAAEBEKVb",
            "me@mail.org",
            "3f9a8c7d6e5b",
        ] {
            assert!(!r.contains(gone), "{gone:?} leaked in\n{r}");
        }
        assert!(r.contains("Write to [removed] for help"), "{r}");
        assert!(r.contains("loaded [removed] failed"), "{r}");
        assert!(r.contains("Mail me [removed]"), "{r}");
        // Ordinary text and URLs without a query stay.
        let mut input = minimal();
        input.meaning = Some("Why? See https://help.netflix.com/en/node/306 first.".into());
        input.evidence = Some("net::ERR_NAME_NOT_RESOLVED".into());
        input.code = Some("M7111-1331-5059".into());
        let r = render(&input);
        assert!(
            r.contains("Why? See https://help.netflix.com/en/node/306 first."),
            "{r}"
        );
        assert!(r.contains("net::ERR_NAME_NOT_RESOLVED"), "{r}");
        assert!(r.contains("M7111-1331-5059"), "{r}");
    }

    #[test]
    fn long_and_garbage_input_is_capped_and_cleaned() {
        let mut input = full();
        input.meaning = Some("word ".repeat(10_000));
        input.browser = "Chrome\u{0}\u{7}\r\n156\u{202E}\u{200B}\u{1b}[31m".into();
        input.os = "\u{2028}\t\u{FEFF}".into();
        input.service = Some("é".repeat(500));
        input.evidence = Some(format!("{} a@b.co", "x ".repeat(5_000)));
        input.extensions = (0..120)
            .map(|i| ReportExt {
                name: format!("Ext {i}\n"),
                kind: "weird\u{1}kind".into(),
                suspect: i % 2 == 0,
                state: "on".into(),
            })
            .collect();
        input.steps = (0..60)
            .map(|i| ReportStep {
                title: format!("Step {i}"),
                state: "exploded".into(),
            })
            .collect();
        let r = render(&input);
        no_controls(&r);
        for line in r.lines() {
            // Label + value + list decorations stay well under the cap's reach.
            assert!(line.chars().count() <= MAX_FIELD_CHARS + 40, "{line}");
        }
        assert!(r.contains("Chrome 156 [31m"), "{r}");
        assert!(r.contains("Operating system:  not known"), "{r}");
        assert!(r.contains("Other extensions (120):"));
        assert!(r.contains("  - Ext 49 "), "{r}");
        assert!(!r.contains("Ext 50 "), "{r}");
        assert!(r.contains("… and 70 more"), "{r}");
        assert!(
            r.contains("Step 49: exploded") && !r.contains("Step 50"),
            "{r}"
        );
        assert!(r.contains("… and 10 more"), "{r}");
        assert!(r.contains(&format!("  {}\n", Word::More { n: 70 }.say("en"))));
        assert!(r.contains("weird kind"));
        assert!(r.contains('…'));
    }

    #[test]
    fn sanitize_rules() {
        assert_eq!(sanitize("  a\u{0}b \t c\n"), "a b c");
        assert_eq!(sanitize(""), "");
        assert_eq!(sanitize("\u{202E}"), "");
        let s = sanitize(&"é".repeat(1000));
        assert_eq!(s.chars().count(), MAX_FIELD_CHARS);
        assert!(s.ends_with('…'));
        assert_eq!(sanitize("x@y.z"), REDACTED);
        assert_eq!(sanitize("ask@ home"), "ask@ home");
        assert_eq!(sanitize("http://a.b/c?d=e"), REDACTED);
        assert_eq!(sanitize("http://a.b/c"), "http://a.b/c");
        // An address cut by the scan limit is not left half-visible.
        let long = format!("{}someone@example.com", "a ".repeat(MAX_SCAN_CHARS / 2 - 4));
        assert!(!sanitize(&long).contains("someone"));
    }

    /// Every word the report can say, with something to fill in.
    fn every_word() -> Vec<Word<'static>> {
        use Word::*;
        vec![
            Title,
            Summary,
            Environment,
            Checked,
            StepsTried,
            ForSupport,
            Service,
            ErrorCode,
            Meaning,
            ErrorSeenAt,
            DetectedFrom,
            ReportMadeAt,
            Browser,
            OperatingSystem,
            StreamfixVersion,
            Proxy,
            Connection,
            OtherExtensions,
            NoneDetected,
            NotKnown,
            NotChecked,
            NoneListed,
            NoneRecorded,
            KindVpn,
            KindProxy,
            KindBlocker,
            KindModifier,
            KindUnrelated,
            Suspect,
            ExtOn,
            ExtOff,
            ExtTurnedOff,
            StepTodo,
            StepDone,
            StepHelped,
            StepNotHelped,
            More { n: 7 },
            ProxyMode { mode: "pac_script" },
            ProxyUnreadable,
            ProxySetters { names: "A, B" },
            ShownOnPage,
            HttpAnswer { status: 429 },
            EnteredByUser,
            Closing,
        ]
    }

    /// Each sentence of report.toml is said by some `Word`, and each `Word` fills in
    /// exactly the names its sentence has, in every language.
    #[test]
    fn every_sentence_is_a_word_and_fills_in_its_names() {
        let words = every_word();
        for key in Key::ALL {
            assert!(
                words.iter().any(|w| w.key() == *key),
                "{} unsaid",
                key.name()
            );
        }
        for w in &words {
            for lang in sentences::LANGS {
                let said = w.say(lang);
                assert!(
                    !said.contains('{') && !said.contains('}'),
                    "{w:?} {lang}: {said}"
                );
                for (_, value) in w.args() {
                    assert!(said.contains(&value), "{w:?} {lang}: {said}");
                }
            }
        }
    }

    #[test]
    fn words_follow_the_language_tag() {
        assert_eq!(Word::More { n: 3 }.say("es-419"), "… y 3 más");
        assert_eq!(Word::More { n: 3 }.say("fr-CA"), "… and 3 more");
        assert_eq!(
            Word::HttpAnswer { status: 503 }.say("ES"),
            "respuesta HTTP 503"
        );
        assert_eq!(Word::HttpAnswer { status: 503 }.say(""), "HTTP 503 answer");
        // What is filled in is not read for names again.
        assert_eq!(Word::ProxyMode { mode: "{n}" }.say("en"), "mode {n}");
    }
}
