//! The actions a button can ask for. Its own file: `build.rs` includes it to check that
//! every step's `action` in `data/steps.toml` is one of them.

use serde::{Deserialize, Serialize};

/// The actions a button can ask for, named as their `data-action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Reload the tab now (and count it as a retry).
    RetryNow,
    /// Stop the wait-and-retry countdown.
    CancelRetry,
    /// Ask to clear the streaming site's data (opens the confirmation).
    ClearSiteData,
    /// Confirm the pending destructive action.
    Confirm,
    /// Cancel the pending destructive action.
    Cancel,
    /// Don't open the panel by itself for the current code any more.
    MuteCode,
    /// List the other extensions, classified.
    CheckExtensions,
    /// Turn one extension off (`ext_id`).
    DisableExtension,
    /// Turn every suspect off.
    DisableSuspects,
    /// Find which suspect causes the error, by halves.
    FindCulprit,
    /// Turn back on exactly what StreamFix turned off.
    RestoreExtensions,
    /// Measure the connection to the service.
    RunConnectionCheck,
    /// Put the panel on the page for the current error, even when the user closed or
    /// muted it, or it doesn't open by itself, and move the keyboard focus into it.
    ShowPanel,
    /// Diagnose the code the user typed or picked (`Run::code`), as if the page had
    /// shown it.
    EnterCode,
}
