//! The rule data: streaming services, their error codes, fix steps and known
//! interfering extensions. Edited as TOML under `data/`, turned into JSON by
//! `build.rs`, embedded here and parsed strictly: an unknown field is an error.

use serde::{Deserialize, Serialize};

/// The JSON document `build.rs` assembled from `data/*.toml`.
pub const EMBEDDED_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// A sentence in every language the product ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub es: String,
}

impl Text {
    /// The text for a UI language tag such as `es-419` or `en-US`; English otherwise.
    pub fn get(&self, lang: &str) -> &str {
        if lang.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("es")) {
            &self.es
        } else {
            &self.en
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub service: Vec<Service>,
    pub error: Vec<ErrorEntry>,
    pub step: Vec<Step>,
    pub device: Vec<Device>,
    pub extension: Vec<KnownExtension>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// Registrable domains the service lives on; every subdomain belongs to it.
    pub domains: Vec<String>,
    /// Exact origins whose site data is cleared.
    pub origins: Vec<String>,
    /// Hosts that are documentation (help centre): never reported as an error page.
    pub quiet_hosts: Vec<String>,
    /// CSS selectors of the containers where the service shows error screens.
    pub error_selectors: Vec<String>,
    /// Path prefixes of the service's API calls (for the network watcher).
    pub api_paths: Vec<String>,
    /// Where the service's status can be checked by a person.
    pub status_url: String,
    /// Small resources on the service's own hosts the connection check requests.
    pub probe_urls: Vec<String>,
    /// A resource on the service's own hosts the connection check downloads and times.
    pub download_url: String,
    /// Lower-case phrases that introduce a bare numeric code on the service's error
    /// screens (`error code` in "Error Code 83"). A number is a code only right after one
    /// of these, inside one of the service's error containers.
    #[serde(default)]
    pub code_labels: Vec<String>,
    /// Added to the confirmation before clearing the service's data (a sign-in shared with
    /// other sites of the same company...).
    #[serde(default)]
    pub clear_note: Option<Text>,
}

/// How one entry is recognised.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Exact codes, upper case (`NSEZ-503`).
    #[serde(default)]
    pub codes: Vec<String>,
    /// Code families: any code starting with one of these (`M7111-1331`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// HTTP statuses of the main frame or of a burst of API calls.
    #[serde(default)]
    pub http: Vec<u16>,
    /// Network failure causes (`dns`, `proxy`, `offline`, `timeout`, `tls`, `network`).
    #[serde(default)]
    pub net: Vec<String>,
    /// Phrases of code-less error screens, lower case, any language.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// The fallback for codes of the service's shape that no entry names.
    #[serde(default)]
    pub unknown_code: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// Stable id; also the `data-code` for code-less entries (`HTTP-503`, `DNS`).
    pub id: String,
    pub service: String,
    #[serde(rename = "match")]
    pub matcher: Match,
    /// One plain sentence: what happened.
    pub meaning: Text,
    /// The most likely cause, one sentence.
    pub cause: Text,
    /// Other possible causes, most likely first.
    pub causes: Vec<Text>,
    /// Fix steps in order (ids into `step`).
    pub steps: Vec<String>,
    /// Where the facts come from (`seed:001`, a URL, or `observed`).
    pub sources: Vec<String>,
    /// True when the facts are not backed by a strong source.
    #[serde(default)]
    pub weak: bool,
    /// Waiting helps (server overload): the plan starts with a retry countdown.
    #[serde(default)]
    pub retry: bool,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub kind: StepKind,
    /// The `data-action` of the button that performs an automatic step.
    #[serde(default)]
    pub action: Option<String>,
    pub title: Text,
    /// The how-to, one instruction per item.
    pub how: Vec<Text>,
    pub sources: Vec<String>,
}

/// A device the user may also watch on (TV, console...): guide from the help page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: String,
    pub name: Text,
    pub how: Vec<Text>,
    pub sources: Vec<String>,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownExtension {
    /// Store ids this entry covers (Chrome Web Store and AMO ids).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Lower-case fragments of the extension's name.
    #[serde(default)]
    pub names: Vec<String>,
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

impl Catalog {
    /// Parses and cross-checks a catalog document.
    pub fn from_json(json: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|e| CatalogError(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// The catalog built into this binary. The build fails its tests if this is invalid,
    /// so a shipped binary never sees the error branch; it still returns one, not a panic.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::from_json(EMBEDDED_JSON)
    }

    /// The embedded catalog, parsed once per process.
    pub fn shared() -> Result<&'static Catalog, &'static CatalogError> {
        static SHARED: std::sync::OnceLock<Result<Catalog, CatalogError>> =
            std::sync::OnceLock::new();
        SHARED.get_or_init(Self::embedded).as_ref()
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let err = |m: String| Err(CatalogError(m));
        let mut ids = std::collections::HashSet::new();
        for e in &self.error {
            if !ids.insert(e.id.as_str()) {
                return err(format!("error `{}` is defined twice", e.id));
            }
            if self.service(&e.service).is_none() {
                return err(format!(
                    "error `{}` names unknown service `{}`",
                    e.id, e.service
                ));
            }
            if e.sources.is_empty() {
                return err(format!("error `{}` has no source", e.id));
            }
            if e.steps.is_empty() {
                return err(format!("error `{}` has no fix step", e.id));
            }
            for s in &e.steps {
                if self.step(s).is_none() {
                    return err(format!("error `{}` names unknown step `{s}`", e.id));
                }
            }
            let m = &e.matcher;
            if m.codes.is_empty()
                && m.prefixes.is_empty()
                && m.http.is_empty()
                && m.net.is_empty()
                && m.phrases.is_empty()
                && !m.unknown_code
            {
                return err(format!("error `{}` matches nothing", e.id));
            }
            for c in m.codes.iter().chain(&m.prefixes) {
                if c.to_ascii_uppercase() != *c {
                    return err(format!("error `{}`: code `{c}` must be upper case", e.id));
                }
            }
            for p in &m.phrases {
                if p.to_lowercase() != *p {
                    return err(format!("error `{}`: phrase `{p}` must be lower case", e.id));
                }
            }
            let numeric = m
                .codes
                .iter()
                .any(|c| c.bytes().all(|b| b.is_ascii_digit()));
            if numeric
                && self
                    .service(&e.service)
                    .is_some_and(|s| s.code_labels.is_empty())
            {
                return err(format!(
                    "error `{}` has a bare numeric code but service `{}` has no code_labels",
                    e.id, e.service
                ));
            }
        }
        for s in &self.service {
            for l in &s.code_labels {
                if l.to_lowercase() != *l || l.trim().is_empty() {
                    return err(format!(
                        "service `{}`: code label `{l}` must be lower case",
                        s.id
                    ));
                }
            }
        }
        let mut step_ids = std::collections::HashSet::new();
        for s in &self.step {
            if !step_ids.insert(s.id.as_str()) {
                return err(format!("step `{}` is defined twice", s.id));
            }
            if s.kind == StepKind::Auto && s.action.is_none() {
                return err(format!("automatic step `{}` has no action", s.id));
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid() {
        let c = Catalog::embedded().unwrap();
        assert!(c.service("netflix").is_some());
        for id in [
            "NSEZ-503", "NSEZ-403", "NW-6-403", "HTTP-503", "HTTP-502", "HTTP-403",
        ] {
            assert!(c.entry(id).is_some(), "missing {id}");
        }
    }

    #[test]
    fn unknown_field_is_rejected() {
        let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        v["error"][0]["colour"] = serde_json::json!("red");
        let e = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(e.0.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn dangling_step_is_rejected() {
        let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        v["error"][0]["steps"] = serde_json::json!(["no-such-step"]);
        let e = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(e.0.contains("unknown step `no-such-step`"), "{e}");
    }

    #[test]
    fn missing_meaning_is_rejected() {
        let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        v["error"][0].as_object_mut().unwrap().remove("meaning");
        assert!(Catalog::from_json(&v.to_string()).is_err());
    }

    #[test]
    fn host_maps_to_service() {
        let c = Catalog::embedded().unwrap();
        assert_eq!(c.service_for_host("www.netflix.com").unwrap().id, "netflix");
        assert_eq!(c.service_for_host("netflix.com.").unwrap().id, "netflix");
        assert!(c.service_for_host("notnetflix.com").is_none());
        assert!(c.service_for_host("example.org").is_none());
    }

    #[test]
    fn spanish_is_picked_by_prefix() {
        let t = Text {
            en: "a".into(),
            es: "b".into(),
        };
        assert_eq!(t.get("es-419"), "b");
        assert_eq!(t.get("en-US"), "a");
        assert_eq!(t.get(""), "a");
    }
}
