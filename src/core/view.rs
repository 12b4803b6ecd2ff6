//! What the popup and the inline panel show, decided here and rendered as-is by the JS.
//! Every string is already in the user's language; the JS only adds its own labels.

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, StepKind};
use super::plan::{self, StepState};
use super::state::TabState;

/// Actions this build can perform. An automatic step whose action is not listed is shown
/// without a button rather than with one that does nothing.
pub const AVAILABLE_ACTIONS: &[&str] = &["retry-now"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub kind: StepKind,
    /// The `data-action` of the button for automatic steps.
    pub action: Option<String>,
    pub title: String,
    pub how: Vec<String>,
    pub state: StepState,
    /// The first step still to do is the one to focus on.
    pub next: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub how: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// `ok` or `error` (`data-state`).
    pub state: String,
    /// The detected code or cause (`data-code`); empty when there is no error.
    pub code: String,
    pub service: String,
    pub meaning: String,
    pub cause: String,
    pub causes: Vec<String>,
    /// The entry's facts are not strongly sourced.
    pub weak: bool,
    pub steps: Vec<StepView>,
    pub devices: Vec<DeviceView>,
    /// The tab is on a watched service at all.
    pub watched: bool,
}

/// The view of one tab.
pub fn tab_view(catalog: &Catalog, tab: Option<&TabState>, lang: &str) -> View {
    let watched = tab.is_some_and(|t| t.watched);
    let detection = tab.and_then(|t| t.detection.as_ref());
    let entry = detection.and_then(|d| catalog.entry(&d.entry));
    let (Some(d), Some(entry), Some(tab)) = (detection, entry, tab) else {
        return View {
            state: "ok".into(),
            code: String::new(),
            service: tab
                .and_then(|t| t.service.as_deref())
                .and_then(|s| catalog.service(s))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            meaning: String::new(),
            cause: String::new(),
            causes: Vec::new(),
            weak: false,
            steps: Vec::new(),
            devices: Vec::new(),
            watched,
        };
    };
    let plan = plan::steps(catalog, &entry.id, &tab.steps);
    let next = plan::next_step(&plan).map(|s| s.id.clone());
    View {
        state: "error".into(),
        code: d.code.clone(),
        service: catalog
            .service(&d.service)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        meaning: entry.meaning.get(lang).to_string(),
        cause: entry.cause.get(lang).to_string(),
        causes: entry
            .causes
            .iter()
            .map(|c| c.get(lang).to_string())
            .collect(),
        weak: entry.weak,
        steps: plan
            .iter()
            .map(|(s, state)| StepView {
                id: s.id.clone(),
                kind: s.kind,
                action: s
                    .action
                    .clone()
                    .filter(|a| AVAILABLE_ACTIONS.contains(&a.as_str())),
                title: s.title.get(lang).to_string(),
                how: s.how.iter().map(|h| h.get(lang).to_string()).collect(),
                state: *state,
                next: next.as_deref() == Some(s.id.as_str()),
            })
            .collect(),
        devices: catalog
            .device
            .iter()
            .map(|dv| DeviceView {
                id: dv.id.clone(),
                name: dv.name.get(lang).to_string(),
                how: dv.how.iter().map(|h| h.get(lang).to_string()).collect(),
            })
            .collect(),
        watched,
    }
}
