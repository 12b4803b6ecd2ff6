//! Interfering extensions and proxy: find them, explain them, turn them off, put them back.
//!
//! - [`classify`]: what each other extension is (`vpn`, `proxy`, `blocker`, `modifier`,
//!   `unrelated`), why ([`Reason`], data the UI localizes) and whether StreamFix may turn
//!   it off. Input is `chrome.management.getAll()` as is ([`ExtensionInfo`]).
//! - [`proxy_report`]: whether the browser's proxy is set and which extension most likely
//!   set it, from `chrome.proxy.settings.get()` ([`ProxySettings`]) or, when that can't be
//!   read, from the extensions holding `proxy`.
//! - [`Bisect`]: "find the culprit", a serializable state machine that survives service
//!   worker restarts (stored in `storage.local`) and says what to turn off and on before
//!   each reload-and-check.
//! - [`Ledger`]: the record of what StreamFix turned off, so exactly that is put back.
//!
//! Pure: no I/O, no clock. The caller passes times and browser facts in.

use serde::{Deserialize, Deserializer, Serialize};

use super::catalog::{Catalog, ExtKind, KnownExtension};

// ------------------------------------------------------------------------------ input

/// One entry of `chrome.management.getAll()` (also `browser.management` in Firefox).
/// Lenient on purpose: unknown fields are ignored (browsers add fields), and a missing or
/// `null` field takes its default, so one odd entry never fails the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionInfo {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub enabled: bool,
    /// `admin`, `development`, `normal`, `sideload` or `other`.
    #[serde(default, deserialize_with = "null_default")]
    pub install_type: String,
    /// `extension`, `theme`, `hosted_app`, `packaged_app`, `legacy_packaged_app`,
    /// `login_screen_extension`.
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub r#type: String,
    /// API permissions (`proxy`, `declarativeNetRequest`, `storage`...).
    #[serde(default, deserialize_with = "null_default")]
    pub permissions: Vec<String>,
    /// Match patterns the extension may access, content-script matches included
    /// (Chrome reports the effective hosts).
    #[serde(default, deserialize_with = "null_default")]
    pub host_permissions: Vec<String>,
    /// False when policy forbids turning it off.
    #[serde(rename = "mayDisable", default, deserialize_with = "null_default")]
    pub may_disable: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub is_app: bool,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

impl ExtensionInfo {
    fn has_permission(&self, perm: &str) -> bool {
        self.permissions.iter().any(|p| p == perm)
    }

    /// Themes and apps can't touch a streaming page; they are not listed.
    fn is_listed_kind(&self) -> bool {
        let t = self.r#type.as_str();
        !(self.is_app || t == "theme" || t.ends_with("app"))
    }
}

// ------------------------------------------------------------------------ classification

/// Why an extension was classified as it was. Data, not sentences: the UI localizes the
/// tag (`{"reason": "known-vpn"}`, `{"reason": "blocks-requests", "permission": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// Named in the rule data as a VPN.
    KnownVpn,
    /// Named in the rule data as a proxy switcher.
    KnownProxy,
    /// Named in the rule data as an ad or content blocker.
    KnownBlocker,
    /// Named in the rule data as a page modifier.
    KnownModifier,
    /// Listed in the rule data (by store id) as reading pages without interfering.
    KnownUnrelated,
    /// Holds `proxy`: can route all traffic elsewhere.
    HasProxyPermission,
    /// Can block or redirect requests (`declarativeNetRequest`, `webRequestBlocking`...).
    BlocksRequests { permission: String },
    /// Can read and change the streaming site's pages; `pattern` is the first match
    /// pattern that covers it (`<all_urls>`, `*://*.netflix.com/*`...).
    ChangesStreamingSite { pattern: String },
}

/// One other extension as the UI lists it (`data-ext-id`, `data-kind`, `data-suspect`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classified {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub kind: ExtKind,
    /// Enabled and not `unrelated`: it could be causing the error.
    pub suspect: bool,
    pub reasons: Vec<Reason>,
    /// StreamFix may turn it off: enabled, `mayDisable` and not installed by policy.
    pub can_disable: bool,
}

/// Permissions that let an extension block or redirect requests.
pub const BLOCKING_PERMISSIONS: &[&str] = &[
    "declarativeNetRequest",
    "declarativeNetRequestWithHostAccess",
    "webRequestBlocking",
];

/// Every registrable domain of every service in the rule data, for [`classify`].
pub fn streaming_domains(catalog: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in catalog.service.iter().flat_map(|s| s.domains.iter()) {
        let d = d.to_ascii_lowercase();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Classifies the other extensions. Skips StreamFix itself (`self_id`), themes and apps.
/// Sorted: suspects first, then by kind (vpn, proxy, blocker, modifier, unrelated), then
/// by name.
pub fn classify(
    catalog: &Catalog,
    self_id: &str,
    streaming_domains: &[String],
    exts: &[ExtensionInfo],
) -> Vec<Classified> {
    let mut out: Vec<Classified> = exts
        .iter()
        .filter(|e| (self_id.is_empty() || e.id != self_id) && e.is_listed_kind())
        .map(|e| classify_one(&catalog.extension, streaming_domains, e))
        .collect();
    super::util::sort_by(&mut out, |a, b| {
        (
            !a.suspect,
            kind_rank(a.kind),
            super::util::lowercase(&a.name),
            &a.id,
        ) < (
            !b.suspect,
            kind_rank(b.kind),
            super::util::lowercase(&b.name),
            &b.id,
        )
    });
    out
}

/// The kinds in precedence order: an extension that is several things is the first.
const KIND_ORDER: [ExtKind; 5] = [
    ExtKind::Vpn,
    ExtKind::Proxy,
    ExtKind::Blocker,
    ExtKind::Modifier,
    ExtKind::Unrelated,
];

fn kind_rank(kind: ExtKind) -> usize {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KIND_ORDER.len())
}

fn known_reason(kind: ExtKind) -> Reason {
    match kind {
        ExtKind::Vpn => Reason::KnownVpn,
        ExtKind::Proxy => Reason::KnownProxy,
        ExtKind::Blocker => Reason::KnownBlocker,
        ExtKind::Modifier => Reason::KnownModifier,
        ExtKind::Unrelated => Reason::KnownUnrelated,
    }
}

/// The kinds the rule data gives this extension: by exact id, or by name fragment
/// (`unrelated` entries by id only: a name proves nothing about being harmless).
fn known_kinds(known: &[KnownExtension], ext: &ExtensionInfo) -> Vec<ExtKind> {
    let name = super::util::lowercase(&ext.name);
    let mut kinds = Vec::new();
    for entry in known {
        let by_id = !ext.id.is_empty() && entry.ids.iter().any(|i| *i == ext.id);
        let by_name = entry.kind != ExtKind::Unrelated
            && entry
                .names
                .iter()
                .any(|n| !n.is_empty() && super::util::contains(&name, &super::util::lowercase(n)));
        if (by_id || by_name) && !kinds.contains(&entry.kind) {
            kinds.push(entry.kind);
        }
    }
    super::util::sort_by_key(&mut kinds, |k| kind_rank(*k));
    kinds
}

fn classify_one(known: &[KnownExtension], domains: &[String], ext: &ExtensionInfo) -> Classified {
    let kinds = known_kinds(known, ext);
    let mut reasons: Vec<Reason> = kinds.iter().map(|k| known_reason(*k)).collect();
    let has_proxy = ext.has_permission("proxy");
    if has_proxy {
        reasons.push(Reason::HasProxyPermission);
    }
    let blocking: Vec<&str> = BLOCKING_PERMISSIONS
        .iter()
        .copied()
        .filter(|p| ext.has_permission(p))
        .collect();
    for p in &blocking {
        reasons.push(Reason::BlocksRequests {
            permission: (*p).to_string(),
        });
    }
    // Firefox may list match patterns among `permissions`; Chrome keeps them apart.
    let site_pattern = ext
        .host_permissions
        .iter()
        .chain(ext.permissions.iter().filter(|p| looks_like_pattern(p)))
        .find(|p| pattern_covers(p, domains));
    if let Some(pattern) = site_pattern {
        reasons.push(Reason::ChangesStreamingSite {
            pattern: pattern.clone(),
        });
    }

    let is = |k: ExtKind| kinds.contains(&k);
    let kind = if is(ExtKind::Vpn) {
        ExtKind::Vpn
    } else if has_proxy || is(ExtKind::Proxy) {
        ExtKind::Proxy
    } else if !blocking.is_empty() || is(ExtKind::Blocker) {
        ExtKind::Blocker
    } else if is(ExtKind::Modifier) || (site_pattern.is_some() && !is(ExtKind::Unrelated)) {
        ExtKind::Modifier
    } else {
        ExtKind::Unrelated
    };
    Classified {
        id: ext.id.clone(),
        name: ext.name.clone(),
        enabled: ext.enabled,
        kind,
        suspect: ext.enabled && kind != ExtKind::Unrelated,
        reasons,
        can_disable: ext.enabled && ext.may_disable && ext.install_type != "admin",
    }
}

fn looks_like_pattern(p: &str) -> bool {
    p == "<all_urls>" || crate::core::util::contains(p, "://")
}

/// Whether a match pattern (`<all_urls>`, `*://*/*`, `https://*.netflix.com/*`...) covers
/// any page of the given registrable domains (none given: nothing is covered).
pub fn pattern_covers(pattern: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return false;
    }
    let pattern = pattern.trim().to_ascii_lowercase();
    if pattern == "<all_urls>" {
        return true;
    }
    let Some((scheme, rest)) = crate::core::util::find(&pattern, "://").map(|i| {
        use crate::core::util::cut;
        (cut(&pattern, ..i), cut(&pattern, i + 3..))
    }) else {
        return false;
    };
    if !matches!(scheme, "*" | "http" | "https") {
        return false;
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    if host == "*" {
        return true;
    }
    let (wildcard, base) = match host.strip_prefix("*.") {
        Some(base) => (true, base),
        None => (false, host),
    };
    if base.is_empty() {
        return false;
    }
    domains.iter().any(|d| {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        let under = |h: &str, parent: &str| h == parent || h.ends_with(&format!(".{parent}"));
        // `www.netflix.com` (or `*.www.netflix.com`) is part of the site; `*.com` covers it.
        under(base, &d) || (wildcard && under(&d, base))
    })
}

/// The ids of suspects StreamFix may turn off, in list order: what `disable-suspects` and
/// `find-culprit` work on.
pub fn suspects(classified: &[Classified]) -> Vec<String> {
    classified
        .iter()
        .filter(|c| c.suspect && c.can_disable)
        .map(|c| c.id.clone())
        .collect()
}

/// Of the ids asked for, those StreamFix may and needs to turn off: known, enabled and
/// disableable, each once, in the order asked. An extension the user already turned off
/// never enters the plan, so it never enters the [`Ledger`] and is never turned back on.
pub fn plan_disable(classified: &[Classified], ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let ok = classified
            .iter()
            .any(|c| c.id == *id && c.enabled && c.can_disable);
        if ok && !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

// --------------------------------------------------------------------------------- proxy

/// What `chrome.proxy.settings.get({})` returns (Firefox: `browser.proxy.settings.get`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxySettings {
    /// `not_controllable`, `controlled_by_other_extensions`, `controllable_by_this_extension`,
    /// `controlled_by_this_extension`.
    #[serde(default, deserialize_with = "null_default")]
    pub level_of_control: String,
    #[serde(default, deserialize_with = "null_default")]
    pub value: ProxyValue,
}

/// The proxy configuration. Chrome says `mode`; Firefox says `proxyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyValue {
    /// Chrome: `direct`, `auto_detect`, `pac_script`, `fixed_servers`, `system`.
    #[serde(default, deserialize_with = "null_default")]
    pub mode: String,
    /// Firefox: `none`, `autoDetect`, `system`, `manual`, `autoConfig`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub proxy_type: String,
}

impl ProxyValue {
    /// The mode in Chrome's words, whichever browser reported it; empty when unknown.
    pub fn effective_mode(&self) -> &str {
        if !self.mode.is_empty() {
            return &self.mode;
        }
        match self.proxy_type.as_str() {
            "none" => "direct",
            "autoDetect" => "auto_detect",
            "system" => "system",
            "manual" => "fixed_servers",
            "autoConfig" => "pac_script",
            _ => "",
        }
    }
}

/// Who controls the browser's proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyReport {
    /// The proxy mode in Chrome's words (`fixed_servers`...); None when unreadable.
    pub mode: Option<String>,
    /// The settings could be read; false means the rest is inferred from permissions.
    pub readable: bool,
    /// An extension (most likely) set the proxy.
    pub controlled_by_extension: bool,
    /// The id of the extension that most likely set it.
    pub likely_controller: Option<String>,
    /// Enabled extensions holding `proxy`, oldest to newest as far as known.
    pub candidates: Vec<String>,
    /// Policy controls the proxy (`not_controllable`): turning extensions off won't help.
    pub managed: bool,
}

/// Reports who set the proxy. `classified` is [`classify`] over the same `exts` (it decides
/// which extensions count: not StreamFix, not themes or apps); `exts` keeps
/// `management.getAll()`'s order; `install_order` lists ids oldest to newest as far as
/// known (may be empty; ids it lacks count as older than those it has).
///
/// `levelOfControl` alone is not trusted: Chrome can say `controllable_by_this_extension`
/// while another, earlier-installed extension's proxy is in force. So a `fixed_servers` or
/// `pac_script` mode counts as set by an extension whenever an enabled extension holds
/// `proxy`, and the most recently installed of them is the likely controller.
pub fn proxy_report(
    proxy: Option<&ProxySettings>,
    classified: &[Classified],
    exts: &[ExtensionInfo],
    install_order: &[String],
) -> ProxyReport {
    let candidates = proxy_candidates(classified, exts, install_order);
    let newest = candidates.last().cloned();
    let Some(settings) = proxy else {
        return ProxyReport {
            mode: None,
            readable: false,
            controlled_by_extension: newest.is_some(),
            likely_controller: newest,
            candidates,
            managed: false,
        };
    };
    let mode = settings.value.effective_mode();
    let level = settings.level_of_control.as_str();
    let managed = level == "not_controllable";
    let proxied = matches!(mode, "fixed_servers" | "pac_script");
    let by_extension = !managed
        && ((proxied && !candidates.is_empty()) || level == "controlled_by_other_extensions");
    ProxyReport {
        mode: (!mode.is_empty()).then(|| mode.to_string()),
        readable: true,
        controlled_by_extension: by_extension,
        likely_controller: if by_extension { newest } else { None },
        candidates,
        managed,
    }
}

fn proxy_candidates(
    classified: &[Classified],
    exts: &[ExtensionInfo],
    install_order: &[String],
) -> Vec<String> {
    let mut found: Vec<&ExtensionInfo> = Vec::new();
    for e in exts {
        let listed = classified.iter().any(|c| c.id == e.id);
        if listed && e.enabled && e.has_permission("proxy") && !found.iter().any(|f| f.id == e.id) {
            found.push(e);
        }
    }
    // Stable: unknown ids keep getAll's order, before the known ones.
    super::util::sort_by_key(&mut found, |e| {
        install_order
            .iter()
            .rposition(|id| *id == e.id)
            .map_or(0, |i| i + 1)
    });
    found.into_iter().map(|e| e.id.clone()).collect()
}

// ------------------------------------------------------------------------------ bisection

/// What to do next in a bisection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Step {
    /// Turn these off and these on, reload the tab, check whether the error is still
    /// there and call [`Bisect::record`].
    Apply {
        disable: Vec<String>,
        enable: Vec<String>,
    },
    /// Finished: `culprit` is the extension causing the error (None when there was nothing
    /// to test). Carry out `disable`/`enable` too: afterwards only the culprit is off.
    Done {
        culprit: Option<String>,
        disable: Vec<String>,
        enable: Vec<String>,
    },
    /// The error stayed with every suspect off: extensions are not the cause. Turn `enable`
    /// back on; nothing stays off.
    NotExtensions { enable: Vec<String> },
}

/// Where a bisection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Every suspect is off; waiting for the first check.
    AllOff,
    /// Part of the candidates is back on; waiting for a check.
    Halving,
    /// The culprit is known (or there was nothing to test).
    Found,
    /// The error stayed with everything off.
    NotExtensions,
}

/// "Find the culprit": turns every suspect off, then halves the set that must contain the
/// culprit until one id is left: at most `ceil(log2 n) + 1` checks. Serializable, so it is
/// stored between checks and survives service-worker restarts. Each [`Step`] lists exactly
/// what changes (nothing already in the wanted state), and nothing is ever left off but
/// the culprit.
///
/// It assumes one extension causes the error; when it takes two together, one of them is
/// named. What StreamFix turned off is recorded by the caller in the [`Ledger`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bisect {
    suspects: Vec<String>,
    phase: Phase,
    /// The ids that may still be the culprit.
    candidates: Vec<String>,
    /// The part of `candidates` turned back on for the pending check.
    testing: Vec<String>,
    /// What the bisection has off once the last step is carried out.
    off: Vec<String>,
    culprit: Option<String>,
    /// Checks recorded so far.
    checks: u32,
}

impl Bisect {
    /// Starts a bisection over `suspects` (duplicates and empty ids are dropped; pass
    /// [`plan_disable`]d ids). No suspect: `Done { culprit: None }` at once.
    pub fn start(suspects: &[String]) -> (Bisect, Step) {
        let mut list: Vec<String> = Vec::new();
        for s in suspects {
            if !s.is_empty() && !list.contains(s) {
                list.push(s.clone());
            }
        }
        if list.is_empty() {
            let b = Bisect {
                suspects: list,
                phase: Phase::Found,
                candidates: Vec::new(),
                testing: Vec::new(),
                off: Vec::new(),
                culprit: None,
                checks: 0,
            };
            return (
                b,
                Step::Done {
                    culprit: None,
                    disable: Vec::new(),
                    enable: Vec::new(),
                },
            );
        }
        let b = Bisect {
            suspects: list.clone(),
            phase: Phase::AllOff,
            candidates: list.clone(),
            testing: Vec::new(),
            off: list.clone(),
            culprit: None,
            checks: 0,
        };
        (
            b,
            Step::Apply {
                disable: list,
                enable: Vec::new(),
            },
        )
    }

    /// Feeds the outcome of a check (`error_gone`: the page worked) and says what next.
    /// Once finished, repeats the final answer with nothing left to do.
    pub fn record(&mut self, error_gone: bool) -> Step {
        let before = self.off.clone();
        let next = match self.phase {
            Phase::Found => {
                return Step::Done {
                    culprit: self.culprit.clone(),
                    disable: Vec::new(),
                    enable: Vec::new(),
                }
            }
            Phase::NotExtensions => return Step::NotExtensions { enable: Vec::new() },
            Phase::AllOff if !error_gone => {
                self.checks = self.checks.saturating_add(1);
                self.phase = Phase::NotExtensions;
                self.candidates.clear();
                self.testing.clear();
                self.off.clear();
                return Step::NotExtensions { enable: before };
            }
            Phase::AllOff => self.candidates.clone(),
            // The error is gone: the culprit is among those still off.
            Phase::Halving if error_gone => self
                .candidates
                .iter()
                .filter(|c| !self.testing.contains(c))
                .cloned()
                .collect(),
            // The error came back: the culprit is among those just turned on.
            Phase::Halving => self.testing.clone(),
        };
        self.checks = self.checks.saturating_add(1);
        self.narrow_to(next);
        let disable = self.ordered(|id| self.off.contains(id) && !before.contains(id));
        let enable = self.ordered(|id| before.contains(id) && !self.off.contains(id));
        match self.phase {
            Phase::Found => Step::Done {
                culprit: self.culprit.clone(),
                disable,
                enable,
            },
            _ => Step::Apply { disable, enable },
        }
    }

    /// Makes `set` the candidates: one left is the culprit (kept off); more are split,
    /// the first half turned (or kept) on for the next check, the rest off.
    fn narrow_to(&mut self, set: Vec<String>) {
        self.testing.clear();
        if set.len() <= 1 {
            self.phase = Phase::Found;
            self.culprit = set.first().cloned();
            self.off = set.clone();
            self.candidates = set;
            return;
        }
        let half = set.len().div_ceil(2);
        self.phase = Phase::Halving;
        self.testing = set.iter().take(half).cloned().collect();
        self.off = set.iter().skip(half).cloned().collect();
        self.candidates = set;
    }

    /// The suspects, in their order, for which `keep` holds.
    fn ordered(&self, keep: impl Fn(&String) -> bool) -> Vec<String> {
        self.suspects.iter().filter(|s| keep(s)).cloned().collect()
    }

    /// The whole wanted state as one step (everything off that should be off, every other
    /// suspect on): idempotent, for re-applying after a restart interrupted a step.
    pub fn resume(&self) -> Step {
        let disable = self.ordered(|id| self.off.contains(id));
        let enable = self.ordered(|id| !self.off.contains(id));
        match self.phase {
            Phase::AllOff | Phase::Halving => Step::Apply { disable, enable },
            Phase::Found => Step::Done {
                culprit: self.culprit.clone(),
                disable,
                enable,
            },
            Phase::NotExtensions => Step::NotExtensions { enable },
        }
    }

    /// What the bisection has off once its last step is carried out, for reconciling
    /// with the [`Ledger`] and the browser.
    pub fn currently_disabled(&self) -> Vec<String> {
        self.off.clone()
    }

    pub fn suspects(&self) -> &[String] {
        &self.suspects
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The ids that may still be the culprit.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    pub fn culprit(&self) -> Option<&str> {
        self.culprit.as_deref()
    }

    /// Checks recorded so far.
    pub fn checks(&self) -> u32 {
        self.checks
    }

    /// The most checks this bisection can take in all: `ceil(log2 n) + 1` (0 for none).
    pub fn max_checks(&self) -> u32 {
        match self.suspects.len() {
            0 => 0,
            n => n
                .checked_next_power_of_two()
                .map_or(usize::BITS, usize::trailing_zeros)
                .saturating_add(1),
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Found | Phase::NotExtensions)
    }
}

// --------------------------------------------------------------------------------- ledger

/// One extension StreamFix turned off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    /// The name when it was turned off, to show even after it was uninstalled.
    #[serde(default)]
    pub name: String,
    /// When (ms since the epoch).
    #[serde(default)]
    pub at: f64,
    /// A listing has shown it off since: only then does a listing showing it on mean the
    /// user turned it back on (before, its `setEnabled` may still be under way).
    #[serde(default)]
    pub seen_off: bool,
}

/// What StreamFix turned off and has not put back: `restore-extensions` turns exactly these
/// on. Only what StreamFix itself turns off is noted (see [`plan_disable`]), so something
/// the user had turned off stays off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ledger {
    pub off: Vec<LedgerEntry>,
}

impl Ledger {
    /// Notes that StreamFix is about to turn `id` off (call before disabling, so a crash
    /// in between leaves it noted). Noting it again keeps the first entry.
    pub fn note_off(&mut self, id: &str, name: &str, at: f64) {
        if id.is_empty() || self.off.iter().any(|e| e.id == id) {
            return;
        }
        self.off.push(LedgerEntry {
            id: id.to_string(),
            name: name.to_string(),
            at,
            seen_off: false,
        });
    }

    /// Notes that StreamFix turns `id` off again now (a step carried out anew): a listing
    /// that does not cover `at` must not drop it (see [`Ledger::reconcile_covering`]).
    pub fn refresh(&mut self, id: &str, at: f64) {
        for e in self.off.iter_mut().filter(|e| e.id == id) {
            e.at = e.at.max(at);
            e.seen_off = false;
        }
    }

    /// StreamFix is turning `id` back on (a restore, a culprit-search step): the next
    /// listing that shows it on settles it, whether or not one showed it off before.
    pub fn turning_on(&mut self, id: &str) {
        for e in self.off.iter_mut().filter(|e| e.id == id) {
            e.seen_off = true;
        }
    }

    /// Notes that `id` is on again (StreamFix turned it back on).
    pub fn note_on(&mut self, id: &str) {
        self.off.retain(|e| e.id != id);
    }

    /// The ids to turn back on, in the order they were turned off.
    pub fn to_restore(&self) -> Vec<String> {
        self.off.iter().map(|e| e.id.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.off.is_empty()
    }

    /// Drops the entries the user turned back on or uninstalled, given a fresh
    /// `management.getAll()` taken after StreamFix's own changes were carried out. An
    /// empty list is taken as "couldn't read" (it always holds StreamFix itself) and
    /// changes nothing.
    pub fn reconcile(&mut self, exts: &[ExtensionInfo]) {
        self.reconcile_covering(exts, f64::INFINITY);
    }

    /// [`Ledger::reconcile`] with a listing that was read after every change noted up
    /// to `covers` (ms since the epoch) was carried out: an entry noted later is kept
    /// whatever the listing says (the listing may predate the turning off, and dropping
    /// the entry would leave the extension off with no way back). Entries leave the
    /// ledger only here: once a listing shows them on again (or gone).
    /// An entry never seen off yet stays too: its `setEnabled` may have hung past the
    /// worker's timeout and still turn the extension off later.
    pub fn reconcile_covering(&mut self, exts: &[ExtensionInfo], covers: f64) {
        if exts.is_empty() {
            return;
        }
        for e in self.off.iter_mut() {
            if exts.iter().any(|x| x.id == e.id && !x.enabled) {
                e.seen_off = true;
            }
        }
        self.off.retain(|e| {
            e.at > covers || !e.seen_off || exts.iter().any(|x| x.id == e.id && !x.enabled)
        });
    }

    /// The extension ids a stored ledger this version can't decode still names (each
    /// `"id": "…"` in its text), so what it recorded can be put back.
    pub fn salvage(text: &str) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let mut rest = text;
        while let Some(at) = crate::core::util::find(rest, "\"id\"") {
            rest = crate::core::util::cut(rest, at + 4..);
            let value = rest.trim_start().strip_prefix(':').map(str::trim_start);
            if let Some(v) = value.and_then(|v| v.strip_prefix('"')) {
                let id = v.split('"').next().unwrap_or_default();
                let plain = !id.is_empty() && id.len() <= 128 && !id.contains('\\');
                if plain && !ids.iter().any(|x| x == id) {
                    ids.push(id.to_string());
                }
            }
        }
        ids
    }
}

// ---- decoding (see core::json)

crate::json_struct!(ExtensionInfo, allow, {
    id: "id" nul,
    name: "name" nul,
    enabled: "enabled" nul,
    install_type: "installType" nul,
    r#type: "type" nul,
    permissions: "permissions" nul,
    host_permissions: "hostPermissions" nul,
    may_disable: "mayDisable" nul,
    is_app: "isApp" nul,
});
crate::json_tagged!(Reason, "reason", allow, {
    KnownVpn "known-vpn" {},
    KnownProxy "known-proxy" {},
    KnownBlocker "known-blocker" {},
    KnownModifier "known-modifier" {},
    KnownUnrelated "known-unrelated" {},
    HasProxyPermission "has-proxy-permission" {},
    BlocksRequests "blocks-requests" { permission: "permission" req },
    ChangesStreamingSite "changes-streaming-site" { pattern: "pattern" req },
});
crate::json_struct!(Classified, allow, {
    id: "id" req,
    name: "name" req,
    enabled: "enabled" req,
    kind: "kind" req,
    suspect: "suspect" req,
    reasons: "reasons" req,
    can_disable: "can_disable" req,
});
crate::json_struct!(ProxySettings, allow, {
    level_of_control: "levelOfControl" nul,
    value: "value" nul,
});
// By hand: `proxyType` is left out when empty (serde's `skip_serializing_if`).
impl crate::core::json::FromJson for ProxyValue {
    fn from_json(v: &crate::core::json::Value) -> Result<Self, crate::core::json::Error> {
        let f = crate::core::json::fields(v, &["mode", "proxyType"], "", false)?;
        Ok(ProxyValue {
            mode: crate::core::json::nul(f[0], "mode")?,
            proxy_type: crate::core::json::nul(f[1], "proxyType")?,
        })
    }
}
impl crate::core::json::ToJson for ProxyValue {
    fn write_json(&self, out: &mut String) {
        let mode: (&str, &dyn crate::core::json::ToJson) = ("mode", &self.mode);
        if self.proxy_type.is_empty() {
            crate::core::json::write_obj(out, None, &[mode]);
        } else {
            crate::core::json::write_obj(out, None, &[mode, ("proxyType", &self.proxy_type)]);
        }
    }
}
crate::json_struct!(ProxyReport, allow, {
    mode: "mode" req,
    readable: "readable" req,
    controlled_by_extension: "controlled_by_extension" req,
    likely_controller: "likely_controller" req,
    candidates: "candidates" req,
    managed: "managed" req,
});
crate::json_tagged!(Step, "type", allow, {
    Apply "Apply" { disable: "disable" req, enable: "enable" req },
    Done "Done" { culprit: "culprit" req, disable: "disable" req, enable: "enable" req },
    NotExtensions "NotExtensions" { enable: "enable" req },
});
crate::json_unit!(Phase {
    AllOff "all-off",
    Halving "halving",
    Found "found",
    NotExtensions "not-extensions",
});
crate::json_struct!(Bisect, allow, {
    suspects: "suspects" req,
    phase: "phase" req,
    candidates: "candidates" req,
    testing: "testing" req,
    off: "off" req,
    culprit: "culprit" req,
    checks: "checks" req,
});
crate::json_struct!(LedgerEntry, allow, {
    id: "id" req,
    name: "name" def,
    at: "at" def,
    seen_off: "seen_off" def,
});
// Fields it doesn't know make a ledger unreadable (kept aside, see `Store::ledger`), not
// empty: dropping them could lose what another version turned off.
crate::json_struct!(Ledger, deny, default, { off: "off" });

#[cfg(test)]
mod tests;
