//! The rule data's shape and its cross-checks. Shared with `build.rs` (included there by
//! path), which reads `data/*.toml` into these types strictly (`deny_unknown_fields`),
//! runs [`Catalog::validate`] and writes the result out as a Rust static: the build fails
//! on bad rule data and the shipped wasm holds no decoder for it. Depends on serde and
//! std only.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A string of the rule data: borrowed from the binary in the embedded catalog, owned
/// when a catalog is decoded (tests).
pub type Str = Cow<'static, str>;
/// A list of the rule data (see [`Str`]).
pub type List<T> = Cow<'static, [T]>;

/// A sentence in every language the product ships: English first, then the others in the
/// order of their tags (the order `core::sentences::LANGS` has; a test checks the catalog
/// has the same languages). In the data, a table of tags: `{ en = "...", es = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "std::collections::BTreeMap<String, String>")]
pub struct Text(pub List<Str>);

impl TryFrom<std::collections::BTreeMap<String, String>> for Text {
    type Error = String;

    fn try_from(mut words: std::collections::BTreeMap<String, String>) -> Result<Self, String> {
        let en = words
            .remove("en")
            .ok_or_else(|| "a text needs its English (`en`)".to_string())?;
        let mut all = vec![Cow::Owned(en)];
        all.extend(words.into_values().map(Cow::Owned));
        Ok(Text(Cow::Owned(all)))
    }
}

impl Text {
    /// Its words in every language, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|w| &**w)
    }
}

/// The `service` of an error entry that applies to every service (network failures and
/// HTTP statuses the service has no entry of its own for). Its texts name the service
/// with [`SERVICE_SLOT`].
pub const ANY_SERVICE: &str = "*";
/// As the first character of a code family, any one capital letter: Netflix puts a
/// device letter before its numeric codes (`M7375`, `F7375` and `D7375` are one error
/// seen in different browsers).
pub const WILDCARD: char = '?';
/// Where an entry's text names the service (filled in with the service's name).
pub const SERVICE_SLOT: &str = "{service}";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub service: List<Service>,
    pub error: List<ErrorEntry>,
    pub step: List<Step>,
    pub device: List<Device>,
    pub extension: List<KnownExtension>,
    /// Words error screens use, by language (`data/words.toml`).
    pub language: List<Language>,
}

/// One language's words of error screens (see `data/words.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub lang: Str,
    /// Words that say something failed.
    pub failure: List<Str>,
    /// What stands before a bare numeric code ("error code").
    pub code_labels: List<Str>,
    /// A bare "code" that labels a number only where the video was (a player's error
    /// layer): elsewhere sign-in and activation codes are shown the same way.
    #[serde(default)]
    pub player_labels: List<Str>,
}

/// In a failure word, the side on which it may run on into a longer word.
pub const RUNS_ON: char = '*';
/// Apostrophe look-alikes (right and left single quotation marks, modifier letter
/// apostrophe): page text reads them as `'`, so the catalog writes only that.
pub const APOSTROPHES: [char; 3] = ['\u{2019}', '\u{2018}', '\u{2bc}'];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: Str,
    pub name: Str,
    /// Registrable domains the service lives on; every subdomain belongs to it.
    pub domains: List<Str>,
    /// Exact origins whose site data is cleared.
    pub origins: List<Str>,
    /// Hosts that are documentation (help centre): never reported as an error page.
    pub quiet_hosts: List<Str>,
    /// CSS selectors of the containers where the service shows error screens.
    pub error_selectors: List<Str>,
    /// Path prefixes of the service's API calls (for the network watcher).
    pub api_paths: List<Str>,
    /// Where the service's status can be checked by a person.
    pub status_url: Str,
    /// Small resources on the service's own hosts the connection check requests.
    pub probe_urls: List<Str>,
    /// A resource on the service's own hosts the connection check downloads and times.
    pub download_url: Str,
    /// The service's codes are bare numbers ("Error Code 83"): read right after a code
    /// label of any language (`data/words.toml`) or of the service's own, on an error
    /// screen only.
    #[serde(default)]
    pub numeric_codes: bool,
    /// The service's own lower-case labels before a numeric code (`error` in "Error 153").
    #[serde(default)]
    pub code_labels: List<Str>,
    /// Added to the confirmation before clearing the service's data (a sign-in shared with
    /// other sites of the same company...).
    #[serde(default)]
    pub clear_note: Option<Text>,
}

/// How one entry is recognised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Exact codes, upper case (`NSEZ-503`).
    #[serde(default)]
    pub codes: List<Str>,
    /// Code families: any code starting with one of these (`M7111-1331`; `?7375` for
    /// `M7375`, `F7375`, … see [`WILDCARD`]).
    #[serde(default)]
    pub prefixes: List<Str>,
    /// HTTP statuses of the main frame or of a burst of API calls.
    #[serde(default)]
    pub http: List<u16>,
    /// Network failure causes (`dns`, `proxy`, `offline`, `timeout`, `tls`, `network`).
    #[serde(default)]
    pub net: List<Str>,
    /// Phrases of code-less error screens, lower case, any language.
    #[serde(default)]
    pub phrases: List<Str>,
    /// The fallback for codes of the service's shape that no entry names.
    #[serde(default)]
    pub unknown_code: bool,
    /// The explanation of a screen that says it failed in words no entry knows.
    #[serde(default)]
    pub unnamed_screen: bool,
    /// The advice when no error shows but the connection check measured less than HD
    /// needs (a picture that buffers or stays blurry). Nothing on a page matches it.
    #[serde(default)]
    pub slow: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// Stable id; also the `data-code` for code-less entries (`HTTP-503`, `DNS`).
    pub id: Str,
    pub service: Str,
    #[serde(rename = "match")]
    pub matcher: Match,
    /// One plain sentence: what happened.
    pub meaning: Text,
    /// The most likely cause, one sentence.
    pub cause: Text,
    /// Other possible causes, most likely first.
    pub causes: List<Text>,
    /// Fix steps in order (ids into `step`).
    pub steps: List<Str>,
    /// Where the facts come from (`seed:001`, a URL, or `observed`).
    pub sources: List<Str>,
    /// True when the facts are not backed by a strong source.
    #[serde(default)]
    pub weak: bool,
    /// Waiting helps (server overload): the plan starts with a retry countdown.
    #[serde(default)]
    pub retry: bool,
    /// Nothing on the user's side can fix it (a removed video): the badge and the popup
    /// tell, the panel doesn't open by itself.
    #[serde(default)]
    pub quiet: bool,
    /// The error says a VPN or proxy is in the way: when no extension is one, the view
    /// says the cause is outside the browser (a VPN app, Smart DNS, the router).
    #[serde(default)]
    pub proxy: bool,
}

/// Who carries a step out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// StreamFix does it through the extension APIs.
    Auto,
    /// The user does it; StreamFix explains how.
    Guided,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: Str,
    pub kind: StepKind,
    /// The `data-action` of the button that performs an automatic step.
    #[serde(default)]
    pub action: Option<Str>,
    pub title: Text,
    /// The how-to, one instruction per item.
    pub how: List<Text>,
    pub sources: List<Str>,
    /// A step only for this browser family (`chrome`: Chrome, Edge and the like;
    /// `firefox`); left out of the plan elsewhere.
    #[serde(default)]
    pub browser: Option<Str>,
}

/// A device the user may also watch on (TV, console...): guide from the help page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: Str,
    /// The service whose app on that device these steps are for.
    pub service: Str,
    pub name: Text,
    pub how: List<Text>,
    pub sources: List<Str>,
}

/// What a known extension is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtKind {
    Vpn,
    Proxy,
    Blocker,
    Modifier,
    Unrelated,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownExtension {
    /// Store ids this entry covers (Chrome Web Store and AMO ids).
    #[serde(default)]
    pub ids: List<Str>,
    /// Lower-case fragments of the extension's name.
    #[serde(default)]
    pub names: List<Str>,
    pub kind: ExtKind,
}

/// Why the rule data was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(pub String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule data rejected: {}", self.0)
    }
}

/// A list of the rule data as owned strings (for a message or stored state).
pub fn strings(list: &[Str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Catalog {
    /// The cross-checks serde can't express: unique ids, no dangling references, every
    /// entry sourced and matching something, codes upper case, phrases lower case.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let err = |m: String| Err(CatalogError(m));
        let mut ids = std::collections::HashSet::new();
        for e in self.error.iter() {
            if !ids.insert(&*e.id) {
                return err(format!("error `{}` is defined twice", e.id));
            }
            let any = e.service == ANY_SERVICE;
            if !any && self.service(&e.service).is_none() {
                return err(format!(
                    "error `{}` names unknown service `{}`",
                    e.id, e.service
                ));
            }
            // What a page shows is the service's own: only the browser's view of a
            // request (its status, its network error) can be read the same everywhere.
            let m = &e.matcher;
            let page_match = !m.codes.is_empty()
                || !m.prefixes.is_empty()
                || !m.phrases.is_empty()
                || m.unknown_code
                || m.unnamed_screen;
            if any && page_match {
                return err(format!(
                    "error `{}` is for every service but matches page text",
                    e.id
                ));
            }
            let texts = [&e.meaning, &e.cause].into_iter().chain(e.causes.iter());
            for t in texts.flat_map(Text::words) {
                let braces = t.matches(['{', '}']).count();
                let slots = t.matches(SERVICE_SLOT).count();
                if braces != 2 * slots {
                    return err(format!(
                        "error `{}`: only `{SERVICE_SLOT}` may be in braces: {t}",
                        e.id
                    ));
                }
                if any {
                    if let Some(s) = self.service.iter().find(|s| t.contains(&*s.name)) {
                        return err(format!(
                            "error `{}` is for every service but names {}: {t}",
                            e.id, s.name
                        ));
                    }
                }
            }
            if e.sources.is_empty() {
                return err(format!("error `{}` has no source", e.id));
            }
            if e.steps.is_empty() {
                return err(format!("error `{}` has no fix step", e.id));
            }
            for s in e.steps.iter() {
                if self.step(s).is_none() {
                    return err(format!("error `{}` names unknown step `{s}`", e.id));
                }
            }
            if m.codes.is_empty()
                && m.prefixes.is_empty()
                && m.http.is_empty()
                && m.net.is_empty()
                && m.phrases.is_empty()
                && !m.unknown_code
                && !m.unnamed_screen
                && !m.slow
            {
                return err(format!("error `{}` matches nothing", e.id));
            }
            for c in m.codes.iter().chain(m.prefixes.iter()) {
                if c.to_ascii_uppercase() != *c {
                    return err(format!("error `{}`: code `{c}` must be upper case", e.id));
                }
            }
            for c in m.codes.iter() {
                if c.contains(WILDCARD) {
                    return err(format!("error `{}`: code `{c}` can't have `?`", e.id));
                }
            }
            for p in m.prefixes.iter() {
                if p.strip_prefix(WILDCARD).unwrap_or(p).contains(WILDCARD) || p.len() < 3 {
                    return err(format!(
                        "error `{}`: prefix `{p}` may have `?` first only, and needs more",
                        e.id
                    ));
                }
            }
            for p in m.phrases.iter() {
                if p.to_lowercase() != *p || p.contains(APOSTROPHES) {
                    return err(format!(
                        "error `{}`: phrase `{p}` must be lower case, with `'` for apostrophes",
                        e.id
                    ));
                }
            }
            let numeric = m
                .codes
                .iter()
                .any(|c| c.bytes().all(|b| b.is_ascii_digit()));
            if numeric && self.service(&e.service).is_some_and(|s| !s.numeric_codes) {
                return err(format!(
                    "error `{}` has a bare numeric code but service `{}` has no numeric_codes",
                    e.id, e.service
                ));
            }
        }
        for s in self.service.iter() {
            for l in s.code_labels.iter() {
                if l.to_lowercase() != *l || l.trim().is_empty() {
                    return err(format!(
                        "service `{}`: code label `{l}` must be lower case",
                        s.id
                    ));
                }
            }
            let unnamed = self
                .error
                .iter()
                .filter(|e| e.service == s.id && e.matcher.unnamed_screen)
                .count();
            if unnamed != 1 {
                return err(format!(
                    "service `{}` needs one entry for unnamed error screens, has {unnamed}",
                    s.id
                ));
            }
        }
        let mut langs = std::collections::HashSet::new();
        for f in self.language.iter() {
            if !langs.insert(&*f.lang) {
                return err(format!("words for `{}` are given twice", f.lang));
            }
            for l in f.code_labels.iter().chain(f.player_labels.iter()) {
                if l.to_lowercase() != *l || l.trim().is_empty() || l.contains(APOSTROPHES) {
                    return err(format!("code label `{l}` ({}) must be lower case", f.lang));
                }
            }
            for w in f.failure.iter() {
                let core = w.trim_matches(RUNS_ON);
                if w.to_lowercase() != *w
                    || core.is_empty()
                    || core.contains(RUNS_ON)
                    || w.contains(APOSTROPHES)
                {
                    return err(format!(
                        "failure word `{w}` ({}): lower case, `'` for apostrophes, `*` only at an end",
                        f.lang
                    ));
                }
            }
        }
        for d in self.device.iter() {
            if self.service(&d.service).is_none() {
                return err(format!(
                    "device `{}` names unknown service `{}`",
                    d.id, d.service
                ));
            }
        }
        let mut step_ids = std::collections::HashSet::new();
        for s in self.step.iter() {
            if !step_ids.insert(&*s.id) {
                return err(format!("step `{}` is defined twice", s.id));
            }
            if s.kind == StepKind::Auto && s.action.is_none() {
                return err(format!("automatic step `{}` has no action", s.id));
            }
            if s.browser
                .as_deref()
                .is_some_and(|b| b != "chrome" && b != "firefox")
            {
                return err(format!(
                    "step `{}`: browser must be chrome or firefox",
                    s.id
                ));
            }
        }
        Ok(())
    }

    /// What stands before a bare numeric code on `service`'s screens: every language's
    /// labels and the service's own; none where its codes aren't numbers.
    /// Every language's bare "code" words, for the services whose codes are numbers.
    pub fn player_labels<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = &'a str> {
        let numeric = service.numeric_codes;
        self.language
            .iter()
            .flat_map(|l| l.player_labels.iter())
            .filter(move |_| numeric)
            .map(|l| &**l)
    }

    pub fn code_labels<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = &'a str> {
        let numeric = service.numeric_codes;
        self.language
            .iter()
            .flat_map(|l| l.code_labels.iter())
            .chain(service.code_labels.iter())
            .filter(move |_| numeric)
            .map(|l| &**l)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service.iter().find(|s| s.id == id)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.step.iter().find(|s| s.id == id)
    }

    pub fn entry(&self, id: &str) -> Option<&ErrorEntry> {
        self.error.iter().find(|e| e.id == id)
    }

    /// The service a host belongs to (`www.netflix.com` → Netflix).
    pub fn service_for_host(&self, host: &str) -> Option<&Service> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.service.iter().find(|s| {
            s.domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        })
    }
}
