//! The other extensions: list and classify them, turn suspects off (recorded first in the
//! ledger), find the culprit by halves, and put back exactly what StreamFix turned off.

use super::Store;
use crate::core::catalog::{strings, Catalog};
use crate::core::conflicts::{
    self, Bisect, Classified, ExtensionInfo, Ledger, ProxySettings, Step,
};
use crate::core::messages::{refusal, Action, Effect, Permission, Reply};
use crate::core::plan::StepState;
use crate::core::sitedata::Browser;
use crate::core::state::{
    tab_id_of, tab_key, BisectRun, InFlight, Judging, Notice, TabState, BISECT_KEY,
    LEDGER_ASIDE_KEY,
};

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
        list_extensions(store, Some(tab_id));
        return Ok(());
    }
    if action == Action::RestoreExtensions {
        restore(store, tab);
        return Ok(());
    }
    let classified = tab
        .extensions
        .clone()
        .ok_or_else(|| refusal::NOT_LISTED.to_string())?;
    if store.ctx.env.browser == Browser::Firefox {
        let names: Vec<String> = classified
            .iter()
            .filter(|c| c.suspect)
            .map(|c| c.name.clone())
            .collect();
        // The surface names them in its guide to about:addons.
        return Err(refusal::with(
            refusal::NO_TOGGLE,
            &crate::core::util::join(&names, ", "),
        ));
    }
    match action {
        Action::DisableExtension => {
            let id = ext_id.ok_or_else(|| refusal::NO_EXTENSION.to_string())?;
            let ids = conflicts::plan_disable(&classified, &[id]);
            if ids.is_empty() {
                return Err(refusal::CANT_TURN_OFF.to_string());
            }
            turn_off(catalog, store, tab_id, tab, &classified, ids);
        }
        Action::DisableSuspects => {
            let ids = conflicts::plan_disable(&classified, &conflicts::suspects(&classified));
            if ids.is_empty() {
                return Err(refusal::NO_SUSPECTS.to_string());
            }
            turn_off(catalog, store, tab_id, tab, &classified, ids);
        }
        Action::FindCulprit => {
            let ids = conflicts::plan_disable(&classified, &conflicts::suspects(&classified));
            if ids.is_empty() {
                return Err(refusal::NO_SUSPECTS.to_string());
            }
            let (search, step) = Bisect::start(&ids);
            let finished = apply(store, tab_id, tab, &classified, step);
            let run = (!finished).then_some(BisectRun {
                tab_id,
                search,
                armed: false,
                issued: Some(InFlight::new(store.ctx.now, &store.ctx.env.instance)),
            });
            store.put_local(BISECT_KEY, &run);
        }
        _ => {}
    }
    Ok(())
}

/// Asks for a listing. It judges the ledger entries noted before this call, and this
/// call's own only when their `SetEnabled` comes before it (effects run in order): a
/// listing read before an extension was turned off must not drop it from the ledger.
pub(super) fn list_extensions(store: &mut Store, tab_id: Option<i64>) {
    // Without the permission there is nothing to list (the worker can't).
    if store.needs(Permission::Management).is_err() {
        return;
    }
    let applied = store
        .out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::SetEnabled { .. }));
    let now = store.ctx.now;
    store.out.effects.push(Effect::ListExtensions {
        tab_id,
        covers: if applied { now } else { now - 1.0 },
    });
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
    let (mut ledger, _) = store.ledger();
    for id in &ids {
        ledger.note_off(id, &name_of(classified, id), now);
        ledger.refresh(id, now);
    }
    store.put_ledger(&ledger);
    store.out.effects.push(Effect::SetEnabled {
        ids,
        enabled: false,
    });
    list_extensions(store, Some(tab_id));
    store.out.effects.push(Effect::Reload { tab_id });
    tab.steps.insert(CHECK_STEP.to_string(), StepState::Done);
    tab.judging = Some(Judging {
        step: CHECK_STEP.to_string(),
        armed: false,
        error: tab
            .detection
            .as_ref()
            .map(crate::core::detector::Detection::key),
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
    let (mut ledger, _) = store.ledger();
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
    // What is turned back on leaves the ledger only once a listing shows it on: a
    // restart before `SetEnabled` ran must not forget it.
    for id in &disable {
        ledger.note_off(id, &name_of(classified, id), now);
        ledger.refresh(id, now);
    }
    for id in &enable {
        ledger.turning_on(id);
    }
    store.put_ledger(&ledger);
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
    list_extensions(store, Some(tab_id));
    store.out.effects.push(Effect::Reload { tab_id });
    finished
}

/// Turns back on exactly what StreamFix turned off, and ends any culprit search. The
/// ledger keeps the entries until the listing that follows shows them on again: if the
/// worker stops before `SetEnabled` ran, "restore" is still offered.
fn restore(store: &mut Store, tab: &mut TabState) {
    let (mut ledger, salvaged) = store.ledger();
    let unreadable_done = !salvaged.is_empty();
    let mut ids = ledger.to_restore();
    let mut names: Vec<String> = ledger.off.iter().map(|e| e.name.clone()).collect();
    ids.extend(salvaged.iter().cloned());
    names.extend(salvaged);
    // The next listing that shows them on settles them; the unreadable ledger is done.
    for id in &ids {
        ledger.turning_on(id);
    }
    store.put_ledger(&ledger);
    if unreadable_done {
        store.put_local(LEDGER_ASIDE_KEY, &None::<Ledger>);
    }
    store.put_local(BISECT_KEY, &None::<BisectRun>);
    if !ids.is_empty() {
        store
            .out
            .effects
            .push(Effect::SetEnabled { ids, enabled: true });
    }
    list_extensions(store, None);
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
    run.issued = Some(InFlight::new(store.ctx.now, &store.ctx.env.instance));
    store.put_local(BISECT_KEY, &(!finished).then_some(run));
}

/// A culprit-search step whose reload never came (the worker that carried it out
/// stopped before turning extensions off or reloading): carry out the whole wanted
/// state again and reload. Its tab gone: the search ends; what is off stays in the
/// ledger, so "restore" is offered.
pub(super) fn recover(store: &mut Store, limit_ms: f64) {
    let run: Option<BisectRun> = store.local(BISECT_KEY);
    let Some(mut run) = run.filter(|r| !r.armed) else {
        return;
    };
    let now = store.ctx.now;
    let me = store.ctx.env.instance.clone();
    if run
        .issued
        .as_ref()
        .is_some_and(|i| !i.is_stale(now, &me, limit_ms))
    {
        return;
    }
    let tab_id = run.tab_id;
    let known = store.out.session_set.contains_key(&tab_key(tab_id))
        || store.ctx.session.contains_key(&tab_key(tab_id));
    if !known {
        store.put_local(BISECT_KEY, &None::<BisectRun>);
        return;
    }
    let mut tab = store.tab(tab_id);
    let classified = tab.extensions.clone().unwrap_or_default();
    let finished = apply(store, tab_id, &mut tab, &classified, run.search.resume());
    store.put_tab(tab_id, &tab);
    run.issued = Some(InFlight::new(now, &me));
    store.put_local(BISECT_KEY, &(!finished).then_some(run));
}

/// The tab of a culprit search was closed: the search ends there. What it turned off
/// stays in the ledger ("restore" is offered on every tab).
pub(super) fn tab_closed(store: &mut Store, tab_id: i64) {
    let run: Option<BisectRun> = store.local(BISECT_KEY);
    if run.is_some_and(|r| r.tab_id == tab_id) {
        store.put_local(BISECT_KEY, &None::<BisectRun>);
    }
}

/// The browser listed the extensions: classify, reconcile the ledger, read the proxy.
pub(super) fn listed(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: Option<i64>,
    list: &[ExtensionInfo],
    proxy: Option<&ProxySettings>,
    _can_toggle: bool,
    covers: Option<f64>,
) -> Reply {
    let (mut ledger, _) = store.ledger();
    let before = ledger.clone();
    ledger.reconcile_covering(list, covers.unwrap_or(f64::INFINITY));
    if ledger != before {
        store.put_ledger(&ledger);
    }
    // For one tab; without one (the user turned an extension on or off, installed or
    // removed one), for every tab that shows a listing, so none acts on a stale one.
    let tabs: Vec<(i64, TabState)> = match tab_id {
        Some(t) => vec![(t, store.tab(t))],
        None => store
            .ctx
            .session
            .keys()
            .filter_map(|k| tab_id_of(k))
            .map(|t| (t, store.tab(t)))
            .filter(|(_, tab)| tab.extensions.is_some())
            .collect(),
    };
    for (tab_id, mut tab) in tabs {
        // An extension matters when it can reach the service the tab is on; on a tab of
        // no service, any service's.
        let domains = tab
            .service
            .as_deref()
            .and_then(|s| catalog.service(s))
            .map(|s| strings(&s.domains))
            .unwrap_or_else(|| conflicts::streaming_domains(catalog));
        let classified = conflicts::classify(catalog, &store.ctx.env.self_id, &domains, list);
        tab.proxy = Some(conflicts::proxy_report(proxy, &classified, list, &[]));
        tab.extensions = Some(classified);
        tab.listed_at = store.ctx.now;
        store.put_tab(tab_id, &tab);
    }
    Reply::Ok
}
