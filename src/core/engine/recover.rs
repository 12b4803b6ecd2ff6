//! Work a stopped service worker left half-done. The browser may stop the worker at any
//! moment (idle, update, crash), also between writing the state and carrying out the
//! effects, or while an effect's browser call is still running. What was handed over is
//! recorded with the worker instance that carries it out (`InFlight`); the next call in
//! another instance (or after a long silence) finds it and settles it:
//!
//! - a clearing of the site's data becomes "interrupted: try again" (it is not redone
//!   without a new confirmation);
//! - a wait-and-retry reload is issued again (the countdown goes on);
//! - a culprit-search step is carried out again (`Bisect::resume`, idempotent).
//!
//! Nothing is ever lost from the ledger here: what StreamFix turned off stays listed
//! until a listing shows it on again.

use super::{Origin, Store};
use crate::core::messages::{Effect, Msg};
use crate::core::state::{tab_key, InFlight, Notice};

/// How long a clearing may take before it counts as lost even in the same worker.
pub const CLEAR_LIMIT_MS: f64 = 60_000.0;
/// How long a retry reload may go without news before it is issued again.
pub const RELOAD_LIMIT_MS: f64 = 30_000.0;
/// How long a culprit-search step may go without its reload before it is redone.
pub const STEP_LIMIT_MS: f64 = 60_000.0;
/// While a reload is under way, the content script asks again this long after.
pub const RECHECK_MS: f64 = 5_000.0;

/// The tab whose half-done work a message may settle, if any. Not on the events that
/// are themselves the news of that work (a navigation, the clearing's report, a closed
/// tab): they settle it the regular way.
pub(super) fn tab_to_recover(msg: &Msg, from: &Origin) -> Option<Option<i64>> {
    let own = match from {
        Origin::Page { tab_id, .. } => Some(*tab_id),
        Origin::Extension { tab_id, .. } => *tab_id,
        Origin::Internal => None,
    };
    let asked = match msg {
        Msg::Navigating { .. } | Msg::SiteDataCleared { .. } | Msg::TabClosed { .. } => {
            return None
        }
        Msg::GetView { tab_id, .. }
        | Msg::MarkStep { tab_id, .. }
        | Msg::Run { tab_id, .. }
        | Msg::GetReport { tab_id, .. }
        | Msg::RetryDue { tab_id }
        | Msg::Dismiss { tab_id }
        | Msg::Command { tab_id, .. }
        | Msg::Extensions { tab_id, .. } => *tab_id,
        Msg::HttpResponse { tab_id, .. }
        | Msg::NetError { tab_id, .. }
        | Msg::ConnectionMeasured { tab_id, .. } => Some(*tab_id),
        Msg::Hello { .. }
        | Msg::PageReport { .. }
        | Msg::CoreInfo {}
        | Msg::GetSettings {}
        | Msg::SetSettings { .. }
        | Msg::ChangeSetting { .. }
        | Msg::ForgetFixes {} => None,
    };
    Some(asked.or(own))
}

/// Settles what a gone worker left half-done: on `tab_id`, and the culprit search.
pub(super) fn recover(store: &mut Store, tab_id: Option<i64>) {
    if let Some(tab_id) = tab_id {
        recover_tab(store, tab_id);
    }
    super::extensions::recover(store, STEP_LIMIT_MS);
}

fn recover_tab(store: &mut Store, tab_id: i64) {
    if !store.ctx.session.contains_key(&tab_key(tab_id)) {
        return;
    }
    let now = store.ctx.now;
    let me = store.ctx.env.instance.clone();
    let mut tab = store.tab(tab_id);
    let mut changed = false;
    if tab
        .clearing
        .as_ref()
        .is_some_and(|c| c.is_stale(now, &me, CLEAR_LIMIT_MS))
    {
        // Some data may be gone, some not: say so, and offer it again (after a new
        // confirmation). The step is not done and nothing is judged.
        tab.clearing = None;
        tab.steps.remove(super::actions::CLEAR_STEP);
        tab.judging = tab
            .judging
            .take()
            .filter(|j| j.step != super::actions::CLEAR_STEP);
        tab.notice = Some(Notice::ClearInterrupted);
        changed = true;
    }
    if let Some(r) = tab.retry.as_mut().filter(|r| r.reloading) {
        let stale = r
            .issued
            .as_ref()
            .is_none_or(|i| i.is_stale(now, &me, RELOAD_LIMIT_MS));
        if stale {
            r.issued = Some(InFlight::new(now, &me));
            store.out.effects.push(Effect::Reload { tab_id });
            changed = true;
        }
    }
    // A connection check whose answer never came (its worker stopped mid-way): over.
    if tab
        .measuring
        .is_some_and(|at| super::actions::measure_lost(at, now))
    {
        tab.measuring = None;
        changed = true;
    }
    if changed {
        store.put_tab(tab_id, &tab);
    }
}
