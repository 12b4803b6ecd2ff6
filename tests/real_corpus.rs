//! The real-world corpus (`tests/fixtures/real/`): error screens and look-alikes gathered
//! from public sources, each with its provenance. This checks the corpus itself is sound
//! (every file listed, sourced, on a watched address of its service, enough look-alikes),
//! and replays through the detector what the content script reported on each page in
//! Chromium (`reports.json`, recorded by `tests/e2e/specs/10-real-corpus.mjs` with
//! `STREAMFIX_RECORD_CORPUS=1`): the same verdicts as the browser, natively.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use streamfix::core::catalog::Catalog;
use streamfix::core::detector::{detect_page, watched_service, Block};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real");
const SERVICES: [&str; 5] = ["netflix", "youtube", "disneyplus", "primevideo", "max"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Case {
    #[serde(default)]
    known_miss: Option<String>,
    file: String,
    service: String,
    url: String,
    expect: String,
    code: String,
    title: String,
    lang: String,
    inserted_after_load: bool,
    provenance: String,
    source: String,
}

fn corpus() -> Result<Corpus, toml::de::Error> {
    let text = std::fs::read_to_string(Path::new(DIR).join("cases.toml")).unwrap_or_default();
    toml::from_str(&text)
}

#[test]
fn every_case_is_listed_sourced_and_served_where_its_service_lives() {
    let catalog = Catalog::embedded();
    let corpus = corpus().expect("cases.toml");
    let sources = std::fs::read_to_string(Path::new(DIR).join("SOURCES.md")).unwrap_or_default();
    let mut listed = BTreeSet::new();
    for c in &corpus.case {
        let what = &c.file;
        assert!(listed.insert(c.file.clone()), "{what} listed twice");
        assert!(
            SERVICES.contains(&c.service.as_str()),
            "{what}: service {}",
            c.service
        );
        assert!(
            c.file.starts_with(&format!("{}/", c.service)),
            "{what}: not in its service's folder"
        );
        assert!(
            ["error", "quiet"].contains(&c.expect.as_str()),
            "{what}: expect {}",
            c.expect
        );
        assert!(
            ["verbatim", "trimmed", "rebuilt"].contains(&c.provenance.as_str()),
            "{what}: provenance {}",
            c.provenance
        );
        let page = std::fs::read_to_string(Path::new(DIR).join(&c.file)).unwrap_or_default();
        let first = page.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("<!-- provenance: ") && first.contains("source:"),
            "{what}: the first line must say where the page comes from"
        );
        assert!(page.len() < 150_000, "{what}: {} bytes", page.len());
        // Its source (an address, repository@commit:path, or the id of a file in the public
        // code index the corpus was gathered with) is in the sources list.
        let listed_source = c
            .source
            .split(|ch: char| {
                ch.is_whitespace() || ch == ';' || ch == ',' || ch == '(' || ch == ')'
            })
            .filter(|t| {
                t.contains("://")
                    || t.contains('@')
                    || (t.len() >= 8 && t.bytes().all(|b| b.is_ascii_digit()))
            })
            .any(|t| sources.contains(t.trim_end_matches(['.', ':'])));
        assert!(
            listed_source,
            "{what}: source not in SOURCES.md: {}",
            c.source
        );
        let watched = watched_service(&catalog, &c.url).map(|s| s.id.to_string());
        let helps = c.url.contains("help.") || c.url.contains("support.");
        assert!(
            watched.as_deref() == Some(c.service.as_str()) || (helps && c.expect == "quiet"),
            "{what}: {} is not a watched {} page ({watched:?})",
            c.url,
            c.service
        );
    }
    // Every page on disk is a case.
    for service in SERVICES {
        for entry in std::fs::read_dir(Path::new(DIR).join(service))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = format!("{service}/{}", entry.file_name().to_string_lossy());
            assert!(listed.contains(&name), "{name} is not in cases.toml");
        }
    }
}

#[test]
fn the_corpus_covers_every_service_with_enough_look_alikes() {
    let corpus = corpus().expect("cases.toml");
    let quiet = corpus.case.iter().filter(|c| c.expect == "quiet").count();
    assert!(corpus.case.len() >= 40, "{} cases", corpus.case.len());
    assert!(
        quiet * 3 >= corpus.case.len(),
        "{quiet} look-alikes of {}",
        corpus.case.len()
    );
    for service in SERVICES {
        for expect in ["error", "quiet"] {
            assert!(
                corpus
                    .case
                    .iter()
                    .any(|c| c.service == service && c.expect == expect),
                "no {expect} case for {service}"
            );
        }
    }
}

#[test]
fn the_detector_gives_each_recorded_page_its_verdict() {
    let catalog = Catalog::embedded();
    let text = std::fs::read_to_string(Path::new(DIR).join("reports.json")).unwrap_or_default();
    let reports: std::collections::BTreeMap<String, Vec<Vec<Block>>> =
        serde_json::from_str(&text).expect("reports.json");
    for c in corpus().expect("cases.toml").case {
        let what = &c.file;
        let sets = reports
            .get(&c.file)
            .unwrap_or_else(|| panic!("{what}: no recorded reports (record them again)"));
        // A page StreamFix doesn't watch (a help centre) reports nothing at all.
        let found: Vec<String> = sets
            .iter()
            .filter_map(|blocks| detect_page(&catalog, &c.url, blocks).map(|d| d.code))
            .collect();
        let right = match c.expect.as_str() {
            "quiet" => found.is_empty(),
            _ => !found.is_empty() && (c.code.is_empty() || found.contains(&c.code)),
        };
        match (&c.known_miss, right) {
            (None, false) => panic!(
                "{what}: expected {} {:?}, detected {found:?}",
                c.expect, c.code
            ),
            (Some(why), true) => {
                panic!("{what}: handled right now ({found:?}): take known_miss ({why}) off")
            }
            _ => {}
        }
    }
}
