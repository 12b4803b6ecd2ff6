//! The rule data: streaming services, their error codes, fix steps and known
//! interfering extensions. Edited as TOML under `data/`; `build.rs` reads them strictly
//! into the types of [`schema`] (an unknown field or a failed cross-check fails the build)
//! and writes them out as the Rust static [`EMBEDDED`], compiled into the binary. Nothing
//! is parsed at run time.

mod schema;

pub use schema::*;

/// The rule data under `data/`, as `build.rs` wrote it out.
pub static EMBEDDED: Catalog = include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// The same rule data as one JSON document (what `Catalog::from_json` reads), for tests
/// that check the strict decoding. The shipped binary doesn't hold it.
pub const EMBEDDED_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

impl Catalog {
    /// Parses (strictly: an unknown field is an error) and cross-checks a catalog
    /// document: the checks `build.rs` runs on `data/`, for tests.
    pub fn from_json(json: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|e| CatalogError(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// A copy of the catalog built into this binary (cheap: it borrows the static data).
    pub fn embedded() -> Self {
        EMBEDDED.clone()
    }

    /// The catalog built into this binary. It was validated when it was built.
    pub fn shared() -> &'static Catalog {
        &EMBEDDED
    }
}

impl Text {
    /// The text for a UI language tag such as `es-419` or `en-US`; English for a language
    /// it has no words in.
    pub fn get(&self, lang: &str) -> &str {
        let i = crate::core::sentences::lang_index(lang);
        self.0.get(i).or(self.0.first()).map_or("", |w| w)
    }

    /// The text in `lang` with the service named where it says [`SERVICE_SLOT`].
    pub fn for_service(&self, lang: &str, service: &str) -> String {
        crate::core::util::replace(self.get(lang), SERVICE_SLOT, service)
    }
}

// ---- decoding (see core::json)

impl ExtKind {
    /// The kind as the rule data and the UI name it (`vpn`, `proxy`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ExtKind::Vpn => "vpn",
            ExtKind::Proxy => "proxy",
            ExtKind::Blocker => "blocker",
            ExtKind::Modifier => "modifier",
            ExtKind::Unrelated => "unrelated",
        }
    }
}

crate::json_unit!(StepKind { Auto "auto", Guided "guided" });
crate::json_unit!(ExtKind {
    Vpn "vpn",
    Proxy "proxy",
    Blocker "blocker",
    Modifier "modifier",
    Unrelated "unrelated",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid() {
        // The data under `data/`, decoded strictly and cross-checked, is exactly what
        // build.rs wrote out as the static.
        let decoded = Catalog::from_json(EMBEDDED_JSON).unwrap();
        assert_eq!(decoded, EMBEDDED);
        EMBEDDED.validate().unwrap();
        let c = Catalog::embedded();
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

    /// The embedded data with `edit` applied to its entry `id`, decoded and checked.
    fn edited(
        id: &str,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Result<Catalog, CatalogError> {
        let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        let errors = v["error"].as_array_mut().unwrap();
        edit(errors.iter_mut().find(|e| e["id"] == id).unwrap());
        Catalog::from_json(&v.to_string())
    }

    #[test]
    fn entries_for_every_service_read_only_the_browsers_view_and_name_no_service() {
        let e = edited("DNS", |e| {
            e["match"]["codes"] = serde_json::json!(["DNS-1"])
        })
        .unwrap_err();
        assert!(e.0.contains("matches page text"), "{e}");
        let e = edited("DNS", |e| e["meaning"]["en"] = "Netflix is down.".into()).unwrap_err();
        assert!(e.0.contains("names Netflix"), "{e}");
        let e = edited("DNS", |e| e["cause"]["es"] = "{servicio} caído".into()).unwrap_err();
        assert!(e.0.contains("only `{service}`"), "{e}");
        let e = edited("NSEZ-503", |e| e["service"] = "hulu".into()).unwrap_err();
        assert!(e.0.contains("unknown service `hulu`"), "{e}");
    }

    #[test]
    fn the_service_is_named_where_the_text_says() {
        let t = Text(
            vec![
                "{service} is down; {service} says so.".into(),
                "{service} no responde.".into(),
            ]
            .into(),
        );
        assert_eq!(
            t.for_service("en", "Disney+"),
            "Disney+ is down; Disney+ says so."
        );
        assert_eq!(t.for_service("es", "Max"), "Max no responde.");
        let plain = Text(vec!["No slot {here.".into(), String::new().into()].into());
        assert_eq!(plain.for_service("en", "X"), "No slot {here.");
    }

    #[test]
    fn ext_kind_names_match_serde() {
        for k in [
            ExtKind::Vpn,
            ExtKind::Proxy,
            ExtKind::Blocker,
            ExtKind::Modifier,
            ExtKind::Unrelated,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn host_maps_to_service() {
        let c = Catalog::embedded();
        assert_eq!(c.service_for_host("www.netflix.com").unwrap().id, "netflix");
        assert_eq!(c.service_for_host("netflix.com.").unwrap().id, "netflix");
        assert!(c.service_for_host("notnetflix.com").is_none());
        assert!(c.service_for_host("example.org").is_none());
    }

    #[test]
    fn spanish_is_picked_by_prefix() {
        let t = Text(vec!["a".into(), "b".into()].into());
        assert_eq!(t.get("es-419"), "b");
        assert_eq!(t.get("en-US"), "a");
        assert_eq!(t.get(""), "a");
    }
}
