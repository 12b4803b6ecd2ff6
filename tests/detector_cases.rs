//! Data-driven checks of the page detector and of the network-error classifier.
//!
//! Cases live in `tests/fixtures/detector/cases.toml`:
//! - `[[case]]`: what a page shows (`blocks`) at a `url`, and the `data-code` the detector
//!   must report (`expect`, `""` for none) and optionally the catalog `entry`.
//! - `[[net]]`: a browser network error string and the cause `net_cause` must give
//!   (`""` for none); a non-empty cause must also lead `detect_net` to a catalog entry.
//!
//! A row marked `known_bug = "why"` records behaviour we believe is wrong but that the
//! detector does not do yet: it is reported on stderr and does not fail the run. Once it
//! passes, the run fails until the mark is removed, so a fix is never left unrecorded.

use std::collections::HashSet;
use std::io::Write;

use serde::Deserialize;
use streamfix::core::catalog::Catalog;
use streamfix::core::detector::{detect_net, detect_page, net_cause, Block, Evidence};

const CASES: &str = include_str!("fixtures/detector/cases.toml");
const DEFAULT_URL: &str = "https://www.netflix.com/watch/80100172";
const MIN_CASES: usize = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[serde(default)]
    case: Vec<Case>,
    #[serde(default)]
    net: Vec<NetCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    url: Option<String>,
    blocks: Vec<Block>,
    /// The expected `data-code`, `""` for no detection.
    expect: String,
    /// The expected catalog entry id.
    entry: Option<String>,
    /// Why the expectation is right although the detector does not meet it yet.
    known_bug: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetCase {
    error: String,
    /// `dns`, `proxy`, `offline`, `timeout`, `tls`, `network`, or `""` for none.
    cause: String,
    known_bug: Option<String>,
}

/// How one row fared against its expectation.
enum Outcome {
    Pass,
    Fail(String),
}

/// Failures, known bugs still open, and known bugs that now pass.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    known: Vec<String>,
    fixed: Vec<String>,
}

impl Report {
    fn record(&mut self, label: String, known_bug: Option<&str>, outcome: Outcome) {
        match (outcome, known_bug) {
            (Outcome::Pass, None) => {}
            (Outcome::Pass, Some(why)) => self.fixed.push(format!(
                "{label}\n    marked known_bug ({why}) but now passes: remove the mark"
            )),
            (Outcome::Fail(detail), None) => self.failures.push(format!("{label}\n{detail}")),
            (Outcome::Fail(detail), Some(why)) => self
                .known
                .push(format!("{label}\n{detail}\n    known bug: {why}")),
        }
    }

    /// Prints the open known bugs (past the test harness's capture, so they are seen on
    /// every run) and fails once with every failure.
    fn finish(self, what: &str, total: usize) {
        if !self.known.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "\n{what}: {} known bug(s), not counted as failures:",
                self.known.len()
            );
            for k in &self.known {
                let _ = writeln!(err, "  - {k}");
            }
        }
        let mut problems = self.failures;
        problems.extend(self.fixed);
        assert!(
            problems.is_empty(),
            "{what}: {} of {total} row(s) failed:\n  - {}\n",
            problems.len(),
            problems.join("\n  - ")
        );
    }
}

fn fixture() -> Result<Fixture, toml::de::Error> {
    toml::from_str(CASES)
}

fn shown(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        format!("{s:?}")
    }
}

fn check_case(catalog: &Catalog, case: &Case, url: &str) -> Outcome {
    let got = detect_page(catalog, url, &case.blocks);
    let (got_code, got_entry) = got
        .as_ref()
        .map_or(("", ""), |d| (d.code.as_str(), d.entry.as_str()));
    let code_ok = got_code == case.expect;
    let entry_ok = case.entry.as_deref().is_none_or(|e| e == got_entry);
    if code_ok && entry_ok {
        return Outcome::Pass;
    }
    Outcome::Fail(format!(
        "    expected code {} entry {}\n    got      code {} entry {}",
        shown(&case.expect),
        case.entry.as_deref().map_or("(any)".into(), shown),
        shown(got_code),
        shown(got_entry),
    ))
}

/// Mistakes in the table itself, so a typo never turns into a silently passing row.
fn table_errors(catalog: &Catalog, case: &Case, seen: &mut HashSet<String>) -> Vec<String> {
    let mut errors = Vec::new();
    if !seen.insert(case.name.clone()) {
        errors.push("duplicate case name".to_string());
    }
    if case.blocks.is_empty() {
        errors.push("a case needs at least one block".to_string());
    }
    match (&case.entry, case.expect.is_empty()) {
        (Some(_), true) => errors.push("`entry` given for a case expecting no detection".into()),
        (Some(e), false) if catalog.entry(e).is_none() => {
            errors.push(format!("`entry` {e:?} is not in the catalog"))
        }
        _ => {}
    }
    if case
        .known_bug
        .as_deref()
        .is_some_and(|w| w.trim().is_empty())
    {
        errors.push("`known_bug` must say why".into());
    }
    errors
}

#[test]
fn page_detection_cases() {
    let catalog = Catalog::embedded();
    let cases = fixture()
        .unwrap_or_else(|e| panic!("cases.toml is malformed: {e}"))
        .case;
    assert!(
        cases.len() >= MIN_CASES,
        "cases.toml holds {} page cases; keep at least {MIN_CASES}",
        cases.len()
    );
    let mut report = Report::default();
    let mut seen = HashSet::new();
    for case in &cases {
        let url = case.url.as_deref().unwrap_or(DEFAULT_URL);
        let label = format!("{} ({url})", case.name);
        let errors = table_errors(&catalog, case, &mut seen);
        if !errors.is_empty() {
            report
                .failures
                .push(format!("{label}\n    bad row: {}", errors.join("; ")));
            continue;
        }
        let outcome = check_case(&catalog, case, url);
        report.record(label, case.known_bug.as_deref(), outcome);
    }
    report.finish("page detection", cases.len());
}

#[test]
fn network_error_causes() {
    const CAUSES: [&str; 7] = ["", "dns", "proxy", "offline", "timeout", "tls", "network"];
    let catalog = Catalog::embedded();
    let rows = fixture()
        .unwrap_or_else(|e| panic!("cases.toml is malformed: {e}"))
        .net;
    assert!(!rows.is_empty(), "cases.toml holds no [[net]] rows");
    let mut report = Report::default();
    let mut seen = HashSet::new();
    for row in &rows {
        let label = format!("{:?}", row.error);
        let bad = if !CAUSES.contains(&row.cause.as_str()) {
            Some(format!("unknown cause {:?}", row.cause))
        } else if !seen.insert(row.error.clone()) {
            Some("duplicate error".to_string())
        } else {
            None
        };
        if let Some(bad) = bad {
            report.failures.push(format!("{label}\n    bad row: {bad}"));
            continue;
        }
        let got = net_cause(&row.error).unwrap_or("");
        let outcome = if got != row.cause {
            Outcome::Fail(format!(
                "    expected cause {}\n    got      cause {}",
                shown(&row.cause),
                shown(got)
            ))
        } else {
            // The cause must also reach a catalog entry (or, for none, no detection).
            match (detect_net(&catalog, DEFAULT_URL, &row.error), got) {
                (None, "") => Outcome::Pass,
                (Some(d), c) if matches!(&d.evidence, Evidence::Net { cause, .. } if cause == c) => {
                    Outcome::Pass
                }
                (d, _) => Outcome::Fail(format!(
                    "    cause {} is right but detect_net gave {d:?}",
                    shown(got)
                )),
            }
        };
        report.record(label, row.known_bug.as_deref(), outcome);
    }
    report.finish("network causes", rows.len());
}
