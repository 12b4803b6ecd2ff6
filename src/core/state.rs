//! State that must outlive a service-worker restart. The core never holds it between
//! calls: the JS passes the stored values in and writes back what the core returns.
//! Per-tab state lives in `storage.session` under `tab:<id>`; settings in
//! `storage.local` under `settings`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::detector::Detection;
use super::plan::StepState;

pub fn tab_key(tab_id: i64) -> String {
    format!("tab:{tab_id}")
}

pub const SETTINGS_KEY: &str = "settings";

/// A failed API call remembered for burst detection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ApiHit {
    pub at: f64,
    pub status: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TabState {
    pub url: String,
    /// The watched service the tab is on, if any.
    pub service: Option<String>,
    /// On a watched page (not a help page, not another site).
    pub watched: bool,
    pub detection: Option<Detection>,
    /// When the current detection was made (ms since epoch).
    pub detected_at: f64,
    /// Plan progress, kept across reloads of the tab.
    pub steps: BTreeMap<String, StepState>,
    /// Codes whose panel the user closed on this tab.
    pub dismissed: Vec<String>,
    pub api_hits: Vec<ApiHit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Show the inline panel by itself when an error appears.
    pub auto_panel: bool,
    /// Codes for which the panel is not shown by itself.
    pub muted_codes: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_panel: true,
            muted_codes: Vec::new(),
        }
    }
}
