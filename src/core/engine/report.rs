//! Gathers a tab's diagnosis, checks and steps into the support report.

use super::Store;
use crate::core::catalog::Catalog;
use crate::core::conflicts::ProxyReport;
use crate::core::connection;
use crate::core::detector::Evidence;
use crate::core::plan::{self, StepState};
use crate::core::report::{self, ReportExt, ReportInput, ReportStep, Word};
use crate::core::state::TabState;

/// What only the asking page knows.
pub(super) struct Env<'a> {
    pub lang: &'a str,
    pub browser: &'a str,
    pub os: &'a str,
    pub now_iso: &'a str,
}

fn state_name(s: StepState) -> &'static str {
    match s {
        StepState::Todo => "todo",
        StepState::Done => "done",
        StepState::Helped => "helped",
        StepState::NotHelped => "not-helped",
    }
}

/// The proxy in the report's language. Unreadable settings are said to be so; the
/// extensions able to set a proxy are named (not their ids), never blamed outright.
fn proxy_line(p: &ProxyReport, tab: &TabState, lang: &str) -> String {
    let name = |id: &String| {
        tab.extensions
            .iter()
            .flatten()
            .find(|c| c.id == *id)
            .map_or_else(|| id.clone(), |c| c.name.clone())
    };
    let mut names: Vec<String> = p.likely_controller.iter().map(name).collect();
    for id in &p.candidates {
        let n = name(id);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let mut line = match &p.mode {
        Some(mode) => Word::ProxyMode { mode }.say(lang),
        None => Word::ProxyUnreadable.say(lang),
    };
    if !names.is_empty() {
        let names = crate::core::util::join(&names, ", ");
        line.push_str("; ");
        line.push_str(&Word::ProxySetters { names: &names }.say(lang));
    }
    line
}

pub(super) fn render_tab(catalog: &Catalog, store: &Store, tab: &TabState, env: &Env) -> String {
    let d = tab.detection.as_ref();
    let entry = d.and_then(|d| catalog.entry(&d.entry));
    let (ledger, _) = store.ledger();
    let evidence = d.map(|d| match &d.evidence {
        Evidence::Page { .. } => Word::ShownOnPage.say(env.lang),
        Evidence::Http { status } => Word::HttpAnswer { status: *status }.say(env.lang),
        Evidence::Net { error, .. } => error.clone(),
        Evidence::Told => Word::EnteredByUser.say(env.lang),
    });
    let steps = entry
        .map(|e| plan::steps(catalog, &e.id, &tab.steps, store.ctx.env.browser))
        .unwrap_or_default()
        .into_iter()
        .map(|(s, st)| ReportStep {
            title: s.title.get(env.lang).to_string(),
            state: state_name(st).to_string(),
        })
        .collect();
    let extensions = tab
        .extensions
        .iter()
        .flatten()
        .filter(|c| c.suspect || ledger.off.iter().any(|e| e.id == c.id))
        .map(|c| ReportExt {
            name: c.name.clone(),
            kind: c.kind.as_str().to_string(),
            suspect: c.suspect,
            // In the ledger but on again (the user turned it back on): on.
            state: if !c.enabled && ledger.off.iter().any(|e| e.id == c.id) {
                "turned off by StreamFix".into()
            } else if c.enabled {
                "on".into()
            } else {
                "off".into()
            },
        })
        .collect();
    // The detection's service (the tab's, if nothing is detected).
    let service = d
        .map(|d| d.service.as_str())
        .or(tab.service.as_deref())
        .and_then(|s| catalog.service(s))
        .map(|s| s.name.to_string());
    let input = ReportInput {
        browser: env.browser.to_string(),
        os: env.os.to_string(),
        lang: env.lang.to_string(),
        now_iso: env.now_iso.to_string(),
        meaning: entry.map(|e| {
            e.meaning
                .for_service(env.lang, service.as_deref().unwrap_or(""))
        }),
        service,
        code: d.map(|d| d.code.clone()),
        detected_iso: None,
        evidence,
        proxy: tab.proxy.as_ref().map(|p| proxy_line(p, tab, env.lang)),
        extensions,
        connection: tab
            .connection
            .as_ref()
            .map(|c| connection::summary_line(c, env.lang)),
        steps,
        extension_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    report::render(&input)
}
