//! Gathers a tab's diagnosis, checks and steps into the support report.

use super::Store;
use crate::core::catalog::Catalog;
use crate::core::conflicts::{Ledger, ProxyReport};
use crate::core::connection;
use crate::core::detector::Evidence;
use crate::core::plan::{self, StepState};
use crate::core::report::{self, ReportExt, ReportInput, ReportStep};
use crate::core::state::{TabState, LEDGER_KEY};

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

fn proxy_line(p: &ProxyReport) -> String {
    let mode = p.mode.as_deref().unwrap_or("unknown");
    let by = match (&p.likely_controller, p.candidates.is_empty()) {
        (Some(id), _) => format!(", likely set by extension {id}"),
        (None, false) => format!(
            ", extensions able to set it: {}",
            crate::core::util::join(&p.candidates, ", ")
        ),
        (None, true) => String::new(),
    };
    format!(
        "mode {mode}{}{by}",
        if p.readable { "" } else { " (inferred)" }
    )
}

pub(super) fn render_tab(catalog: &Catalog, store: &Store, tab: &TabState, env: &Env) -> String {
    let d = tab.detection.as_ref();
    let entry = d.and_then(|d| catalog.entry(&d.entry));
    let ledger: Ledger = store.local(LEDGER_KEY);
    let evidence = d.map(|d| match &d.evidence {
        Evidence::Page { .. } => "shown on the page".to_string(),
        Evidence::Http { status } => format!("HTTP {status} answer"),
        Evidence::Net { error, .. } => error.clone(),
    });
    let steps = entry
        .map(|e| plan::steps(catalog, &e.id, &tab.steps))
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
            state: if ledger.off.iter().any(|e| e.id == c.id) {
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
        proxy: tab.proxy.as_ref().map(proxy_line),
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
