//! What the user's buttons do: retry, clear the site's data (after a confirmation),
//! mute, dismiss, show the panel on request.

use super::{view_reply, Store};
use crate::core::catalog::{strings, Catalog};
use crate::core::detector::Detection;
use crate::core::messages::{refusal, Action, Effect, Reply};
use crate::core::plan::StepState;
use crate::core::sitedata;
use crate::core::state::{Cleared, InFlight, Judging, Notice, Pending, TabState};
use crate::core::view::panel_possible;

pub const CLEAR_STEP: &str = "clear-site-data";
/// A connection check takes at most about 35 s (probes 8 s each, the download 15 s):
/// one older than this was lost (its worker stopped) and another may start.
pub const MEASURE_LIMIT_MS: f64 = 60_000.0;

/// A connection check started at `at` whose answer will never come.
pub(super) fn measure_lost(at: f64, now: f64) -> bool {
    now - at > MEASURE_LIMIT_MS
}

pub(super) fn run(
    catalog: &Catalog,
    store: &mut Store,
    tab_id: i64,
    action: Action,
    ext_id: Option<String>,
    code: Option<String>,
) -> Result<Reply, String> {
    if let Some(p) = action.needs() {
        store.needs(p)?;
    }
    let mut tab = store.tab(tab_id);
    match action {
        Action::CheckExtensions
        | Action::DisableExtension
        | Action::DisableSuspects
        | Action::FindCulprit
        | Action::RestoreExtensions => {
            super::extensions::run(catalog, store, tab_id, &mut tab, action, ext_id)?;
        }
        Action::RunConnectionCheck => {
            let service = tab
                .service
                .as_deref()
                .and_then(|s| catalog.service(s))
                .ok_or_else(|| refusal::NOT_SERVICE.to_string())?;
            // One at a time: two would share the line and each read half the speed.
            let now = store.ctx.now;
            if tab.measuring.is_none_or(|at| measure_lost(at, now)) {
                store.out.effects.push(Effect::MeasureConnection {
                    tab_id,
                    run: now,
                    probes: strings(&service.probe_urls),
                    download: service.download_url.to_string(),
                });
                tab.measuring = Some(now);
                tab.connection = None;
            }
        }
        Action::RetryNow => {
            if let Some(r) = &mut tab.retry {
                r.reloading = true;
                r.issued = Some(InFlight::new(store.ctx.now, &store.ctx.env.instance));
            }
            tab.notice = None;
            store.out.effects.push(Effect::Reload { tab_id });
        }
        Action::CancelRetry => {
            tab.retry = None;
            if let Some(d) = &tab.detection {
                if !tab.retry_cancelled.contains(&d.code) {
                    tab.retry_cancelled.push(d.code.clone());
                }
            }
        }
        Action::ClearSiteData => {
            if tab.service.is_none() {
                return Err(refusal::NOT_SERVICE.to_string());
            }
            tab.pending = Some(Pending::ClearSiteData);
            tab.notice = None;
        }
        Action::Cancel => tab.pending = None,
        Action::Confirm => {
            let Some(Pending::ClearSiteData) = tab.pending.take() else {
                return Err(refusal::NOTHING_TO_CONFIRM.to_string());
            };
            let service = tab
                .service
                .as_deref()
                .and_then(|s| catalog.service(s))
                .ok_or_else(|| refusal::NOT_SERVICE.to_string())?;
            let plan = sitedata::plan(service, store.ctx.env.browser);
            store.out.effects.push(Effect::ClearSiteData {
                tab_id,
                origins: plan.origins,
                hostnames: plan.hostnames,
                types: plan.types,
                skipped: plan.skipped,
                cookie_domains: plan.cookie_domains,
                this_store_only: plan.this_store_only,
            });
            tab.steps.insert(CLEAR_STEP.to_string(), StepState::Done);
            tab.judging = Some(Judging {
                step: CLEAR_STEP.to_string(),
                armed: false,
                error: tab.detection.as_ref().map(Detection::key),
            });
            tab.notice = Some(Notice::Clearing);
            // Until its report comes back; a worker stop in between is recovered.
            tab.clearing = Some(InFlight::new(store.ctx.now, &store.ctx.env.instance));
        }
        Action::MuteCode => {
            let key = tab
                .detection
                .as_ref()
                .map(Detection::key)
                .ok_or_else(|| refusal::NO_ERROR.to_string())?;
            let mut settings = store.settings();
            if !settings.muted_codes.contains(&key) {
                settings.muted_codes.push(key);
            }
            store.put_settings(&settings);
            tab.requested = None;
            store.out.effects.push(Effect::Panel {
                tab_id,
                code: None,
                focus: false,
            });
        }
        Action::ShowPanel => {
            if !request_panel(store, tab_id, &mut tab) {
                return Err(refusal::NO_ERROR.to_string());
            }
        }
        Action::EnterCode => {
            let code = code.unwrap_or_default();
            super::tab::enter_code(catalog, store, tab_id, &mut tab, &code)?;
        }
    }
    store.put_tab(tab_id, &tab);
    let lang = store.ctx.env.lang.clone();
    Ok(view_reply(catalog, store, tab_id, Some(&tab), &lang))
}

/// The service worker cleared the data: say what happened, then reload to see whether
/// it helped (the next page outcome judges the step).
pub(super) fn site_data_cleared(
    store: &mut Store,
    tab_id: i64,
    removed: Vec<String>,
    failed: Vec<String>,
    skipped: Vec<String>,
) -> Reply {
    let mut tab = store.tab(tab_id);
    tab.clearing = None;
    tab.cleared = Some(Cleared {
        removed: removed.clone(),
        failed: failed.clone(),
        skipped: skipped.clone(),
    });
    tab.notice = Some(Notice::Cleared {
        removed,
        failed,
        skipped,
    });
    store.put_tab(tab_id, &tab);
    store.out.effects.push(Effect::Reload { tab_id });
    Reply::Ok
}

pub(super) fn dismiss(store: &mut Store, tab_id: i64) -> Reply {
    let mut tab = store.tab(tab_id);
    tab.requested = None;
    if let Some(d) = &tab.detection {
        if !tab.dismissed.contains(&d.code) {
            tab.dismissed.push(d.code.clone());
        }
        // The countdown is shown in the panel: closed with it, the tab no longer reloads
        // by itself (a reload already under way goes on).
        tab.retry.take_if(|r| !r.reloading);
    }
    store.put_tab(tab_id, &tab);
    store.out.effects.push(Effect::Panel {
        tab_id,
        code: None,
        focus: false,
    });
    Reply::Ok
}

/// The user asked for the panel (popup button, keyboard shortcut): it goes on the page
/// for the tab's error whatever would keep it away, and takes the keyboard focus. False
/// when the tab shows no error the panel can go with (none, or the browser's own error
/// page for a failed load). The caller stores `tab`.
pub(super) fn request_panel(store: &mut Store, tab_id: i64, tab: &mut TabState) -> bool {
    let Some(code) = tab
        .detection
        .as_ref()
        .filter(|_| panel_possible(tab))
        .map(|d| d.code.clone())
    else {
        return false;
    };
    tab.dismissed.retain(|c| *c != code);
    tab.requested = Some(code.clone());
    store.out.effects.push(Effect::Panel {
        tab_id,
        code: Some(code),
        focus: true,
    });
    true
}
