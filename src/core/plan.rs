//! The fix plan: the catalog's ordered steps for a diagnosis, each with the user's progress.

use super::util::Map;

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Step};
use super::sitedata::Browser;

/// Progress of one plan step (`data-step-state`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    #[default]
    Todo,
    Done,
    Helped,
    NotHelped,
}

/// The steps of an entry in order, with their recorded states.
pub fn steps<'a>(
    catalog: &'a Catalog,
    entry_id: &str,
    states: &Map<StepState>,
    browser: Browser,
) -> Vec<(&'a Step, StepState)> {
    let Some(entry) = catalog.entry(entry_id) else {
        return Vec::new();
    };
    entry
        .steps
        .iter()
        .filter_map(|id| catalog.step(id))
        .filter(|s| s.browser.as_deref().is_none_or(|b| b == browser.name()))
        .map(|s| (s, states.get(&s.id).copied().unwrap_or_default()))
        .collect()
}

/// The step to do next: the first one still to do.
pub fn next_step<'a>(plan: &[(&'a Step, StepState)]) -> Option<&'a Step> {
    plan.iter()
        .find(|(_, st)| *st == StepState::Todo)
        .map(|(s, _)| *s)
}

// ---- decoding (see core::json)

crate::json_unit!(StepState { Todo "todo", Done "done", Helped "helped", NotHelped "not-helped" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_follows_catalog_order_and_states() {
        let c = Catalog::embedded();
        let mut states = Map::new();
        let plan = steps(&c, "NSEZ-503", &states, Browser::Chrome);
        assert_eq!(plan[0].0.id, "wait-retry");
        assert_eq!(next_step(&plan).unwrap().id, "wait-retry");
        states.insert("wait-retry".to_string(), StepState::NotHelped);
        let plan = steps(&c, "NSEZ-503", &states, Browser::Chrome);
        assert_eq!(plan[0].1, StepState::NotHelped);
        assert_eq!(next_step(&plan).unwrap().id, plan[1].0.id);
    }

    #[test]
    fn unknown_entry_has_no_plan() {
        let c = Catalog::embedded();
        assert!(steps(&c, "NOPE", &Map::new(), Browser::Chrome).is_empty());
    }
}
