//! What "clear this site's data" removes, per browser: only the streaming service's own
//! origins, and only data types the browser can limit to them.

use serde::{Deserialize, Serialize};

use super::catalog::{strings, Service};

/// Which browser API family the extension runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Browser {
    #[default]
    Chrome,
    Firefox,
}

/// Chrome's `browsingData` types that accept an `origins` filter (checked: `history`,
/// `downloads` and `formData` would make the whole call fail, and they are not site data).
pub const CHROME_TYPES: &[&str] = &[
    "cookies",
    "cache",
    "cacheStorage",
    "localStorage",
    "indexedDB",
    "serviceWorkers",
    "fileSystems",
    "webSQL",
];

/// Firefox's `browsingData` types that accept both a `hostnames` and a `cookieStoreId`
/// filter. Any other remover deletes that data for every site (cache) or every container
/// (service workers: Firefox 153 refuses them with a `cookieStoreId`), so it is never called.
pub const FIREFOX_TYPES: &[&str] = &["cookies", "localStorage", "indexedDB"];
/// Shown to the user as left alone in Firefox.
pub const FIREFOX_SKIPPED: &[&str] = &["cache", "cacheStorage", "serviceWorkers"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearPlan {
    pub origins: Vec<String>,
    pub hostnames: Vec<String>,
    pub types: Vec<String>,
    pub skipped: Vec<String>,
    pub cookie_domains: Vec<String>,
    /// Limited to the tab's own cookie store (Firefox: its container, or the private
    /// windows); the site's data in the others stays.
    pub this_store_only: bool,
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The removal for one service in one browser.
pub fn plan(service: &Service, browser: Browser) -> ClearPlan {
    match browser {
        Browser::Chrome => ClearPlan {
            origins: strings(&service.origins),
            hostnames: Vec::new(),
            types: owned(CHROME_TYPES),
            skipped: Vec::new(),
            cookie_domains: strings(&service.domains),
            this_store_only: false,
        },
        Browser::Firefox => {
            let mut hostnames: Vec<String> = service
                .origins
                .iter()
                .filter_map(|o| super::detector::host_of(o))
                .chain(service.domains.iter().map(|d| d.to_string()))
                .collect();
            super::util::sort_by(&mut hostnames, |a, b| a < b);
            hostnames.dedup();
            ClearPlan {
                origins: Vec::new(),
                hostnames,
                types: owned(FIREFOX_TYPES),
                skipped: owned(FIREFOX_SKIPPED),
                cookie_domains: strings(&service.domains),
                this_store_only: true,
            }
        }
    }
}

// ---- decoding (see core::json)

crate::json_unit!(Browser { Chrome "chrome", Firefox "firefox" });

impl Browser {
    /// The family's name, as the rule data spells it.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::Catalog;

    #[test]
    fn chrome_clears_by_origin_only_the_service() {
        let c = Catalog::embedded();
        let p = plan(c.service("netflix").unwrap(), Browser::Chrome);
        assert!(p
            .origins
            .iter()
            .all(|o| o.starts_with("https://") && o.contains("netflix.com")));
        assert!(p.hostnames.is_empty());
        for t in ["history", "downloads", "formData", "passwords"] {
            assert!(!p.types.iter().any(|x| x == t), "{t}");
        }
        assert!(p.types.iter().any(|x| x == "cookies"));
    }

    #[test]
    fn firefox_lists_hostnames_and_skips_unfilterable_types() {
        let c = Catalog::embedded();
        let p = plan(c.service("netflix").unwrap(), Browser::Firefox);
        assert!(p.origins.is_empty());
        assert!(p.hostnames.contains(&"www.netflix.com".to_string()));
        assert!(p.hostnames.contains(&"netflix.com".to_string()));
        assert!(!p.types.iter().any(|t| t == "cache"));
        assert_eq!(p.skipped, vec!["cache", "cacheStorage", "serviceWorkers"]);
        assert!(p.this_store_only);
    }
}
