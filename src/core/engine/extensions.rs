//! The other extensions: list and classify them, turn suspects off (recorded first in the
//! ledger), find the culprit by halves, and put back exactly what StreamFix turned off.

use super::Store;
use crate::core::catalog::Catalog;
use crate::core::conflicts::{
    self, Bisect, Classified, ExtensionInfo, Ledger, ProxySettings, Step,
};
use crate::core::messages::{Action, Effect, Reply};
use crate::core::plan::StepState;
use crate::core::sitedata::Browser;
use crate::core::state::{BisectRun, Judging, Notice, TabState, BISECT_KEY, LEDGER_KEY};

pub const CHECK_STEP: &str = "check-extensions";

pub(super) fn run(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    action: Action,
    ext_id: Option<String>,
) -> Result<(), String> {
    if action == Action::CheckExtensions {
        store.out.effects.push(Effect::ListExtensions {
            tab_id: Some(tab_id),
        });
        return Ok(());
    }
    if action == Action::RestoreExtensions {
        restore(store, tab);
        return Ok(());
    }
    let classified = tab
        .extensions
        .clone()
        .ok_or("StreamFix has not listed the extensions yet: check them first")?;
    if store.ctx.env.browser == Browser::Firefox {
        let names: Vec<String> = classified
            .iter()
            .filter(|c| c.suspect)
            .map(|c| c.name.clone())
            .collect();
        return Err(format!(
            "this browser doesn't let one extension turn others off. Open about:addons and turn off: {}",
            names.join(", ")
        ));
    }
    match action {
        Action::DisableExtension => {
            let id = ext_id.ok_or("no extension given")?;
            let ids = conflicts::plan_disable(&classified, &[id]);
            if ids.is_empty() {
                return Err(
                    "StreamFix can't turn this extension off: it is off already or installed by your organization"
                        .into(),
                );
            }
            turn_off(catalog, store, tab_id, tab, &classified, ids);
        }
        Action::DisableSuspects => {
            let ids = conflicts::plan_disable(&classified, &conflicts::suspects(&classified));
            if ids.is_empty() {
                return Err("there is no suspect extension StreamFix can turn off".into());
            }
            turn_off(catalog, store, tab_id, tab, &classified, ids);
        }
        Action::FindCulprit => {
            let ids = conflicts::plan_disable(&classified, &conflicts::suspects(&classified));
            if ids.is_empty() {
                return Err("there is no suspect extension StreamFix can turn off".into());
            }
            let (search, step) = Bisect::start(&ids);
            let finished = apply(store, tab_id, tab, &classified, step);
            let run = (!finished).then_some(BisectRun {
                tab_id,
                search,
                armed: false,
            });
            store.put_local(BISECT_KEY, &run);
        }
        _ => {}
    }
    Ok(())
}

fn name_of(classified: &[Classified], id: &str) -> String {
    classified
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// Records, then turns off, then reloads; the next page outcome judges the step.
fn turn_off(
    _catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    classified: &[Classified],
    ids: Vec<String>,
) {
    let now = store.ctx.now;
    let mut ledger: Ledger = store.local(LEDGER_KEY);
    for id in &ids {
        ledger.note_off(id, &name_of(classified, id), now);
    }
    store.put_local(LEDGER_KEY, &ledger);
    store.out.effects.push(Effect::SetEnabled {
        ids,
        enabled: false,
    });
    store.out.effects.push(Effect::ListExtensions {
        tab_id: Some(tab_id),
    });
    store.out.effects.push(Effect::Reload { tab_id });
    tab.steps.insert(CHECK_STEP.to_string(), StepState::Done);
    tab.judging = Some(Judging {
        step: CHECK_STEP.to_string(),
        armed: false,
    });
    tab.notice = None;
}

/// Carries out one step of the culprit search. True when the search is over.
fn apply(
    store: &mut Store,
    tab_id: i64,
    tab: &mut TabState,
    classified: &[Classified],
    step: Step,
) -> bool {
    let now = store.ctx.now;
    let mut ledger: Ledger = store.local(LEDGER_KEY);
    let (disable, enable, finished) = match step {
        Step::Apply { disable, enable } => (disable, enable, false),
        Step::Done {
            culprit,
            disable,
            enable,
        } => {
            if let Some(c) = &culprit {
                tab.notice = Some(Notice::Culprit {
                    name: name_of(classified, c),
                });
                tab.steps.insert(CHECK_STEP.to_string(), StepState::Helped);
            }
            (disable, enable, true)
        }
        Step::NotExtensions { enable } => {
            tab.notice = Some(Notice::NotExtensions);
            tab.steps
                .insert(CHECK_STEP.to_string(), StepState::NotHelped);
            (Vec::new(), enable, true)
        }
    };
    // Recorded before it is turned off, so a restart in between still knows to restore.
    for id in &disable {
        ledger.note_off(id, &name_of(classified, id), now);
    }
    for id in &enable {
        ledger.note_on(id);
    }
    store.put_local(LEDGER_KEY, &ledger);
    if !disable.is_empty() {
        store.out.effects.push(Effect::SetEnabled {
            ids: disable,
            enabled: false,
        });
    }
    if !enable.is_empty() {
        store.out.effects.push(Effect::SetEnabled {
            ids: enable,
            enabled: true,
        });
    }
    store.out.effects.push(Effect::ListExtensions {
        tab_id: Some(tab_id),
    });
    store.out.effects.push(Effect::Reload { tab_id });
    finished
}

/// Turns back on exactly what StreamFix turned off, and ends any culprit search.
fn restore(store: &mut Store, tab: &mut TabState) {
    let mut ledger: Ledger = store.local(LEDGER_KEY);
    let ids = ledger.to_restore();
    let names: Vec<String> = ledger.off.iter().map(|e| e.name.clone()).collect();
    for id in &ids {
        ledger.note_on(id);
    }
    store.put_local(LEDGER_KEY, &ledger);
    store.put_local(BISECT_KEY, &None::<BisectRun>);
    if !ids.is_empty() {
        store
            .out
            .effects
            .push(Effect::SetEnabled { ids, enabled: true });
    }
    store
        .out
        .effects
        .push(Effect::ListExtensions { tab_id: None });
    tab.notice = Some(Notice::Restored { names });
}

/// The tab of a running culprit search started loading again: its next outcome counts.
pub(super) fn navigating(store: &mut Store, tab_id: i64) {
    let run: Option<BisectRun> = store.local(BISECT_KEY);
    if let Some(mut run) = run.filter(|r| r.tab_id == tab_id && !r.armed) {
        run.armed = true;
        store.put_local(BISECT_KEY, &Some(run));
    }
}

/// A page outcome on the tab of a running culprit search: feed it, take the next step.
pub(super) fn outcome(store: &mut Store, tab_id: i64, tab: &mut TabState, error: bool) {
    let run: Option<BisectRun> = store.local(BISECT_KEY);
    let Some(mut run) = run.filter(|r| r.tab_id == tab_id && r.armed) else {
        return;
    };
    let classified = tab.extensions.clone().unwrap_or_default();
    let step = run.search.record(!error);
    let finished = apply(store, tab_id, tab, &classified, step);
    run.armed = false;
    store.put_local(BISECT_KEY, &(!finished).then_some(run));
}

/// The browser listed the extensions: classify, reconcile the ledger, read the proxy.
pub(super) fn listed(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: Option<i64>,
    list: &[ExtensionInfo],
    proxy: Option<&ProxySettings>,
    _can_toggle: bool,
    listed_at: f64,
) -> Reply {
    // An extension matters when it can reach the service the tab is on; without a tab,
    // any service's.
    let domains = tab_id
        .and_then(|t| store.tab(t).service)
        .and_then(|s| catalog.service(&s))
        .map(|s| s.domains.clone())
        .unwrap_or_else(|| conflicts::streaming_domains(catalog));
    let classified = conflicts::classify(catalog, &store.ctx.env.self_id, &domains, list);
    let mut ledger: Ledger = store.local(LEDGER_KEY);
    let before = ledger.clone();
    ledger.reconcile(list, listed_at);
    if ledger != before {
        store.put_local(LEDGER_KEY, &ledger);
    }
    if let Some(tab_id) = tab_id {
        let mut tab = store.tab(tab_id);
        tab.proxy = Some(conflicts::proxy_report(proxy, &classified, list, &[]));
        tab.extensions = Some(classified);
        store.put_tab(tab_id, &tab);
    }
    Reply::Ok
}
