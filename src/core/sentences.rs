//! What the core says in its own words, as data: `data/sentences/<module>.toml` holds
//! each sentence in every language, `build.rs` checks them (every language, the same
//! `{names}` to fill in) and turns each file into a module here whose `Key` names its
//! sentences. The code says *what* with a typed value (`connection::Line`,
//! `report::Word`); this module finds the words. Adding a language is a data change.

include!(concat!(env!("OUT_DIR"), "/sentences.rs"));

/// The index in [`LANGS`] of a UI language tag (`es-419` → Spanish); English otherwise.
pub fn lang_index(tag: &str) -> usize {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    LANGS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(primary))
        .unwrap_or(0)
}

/// `template` with each `{name}` replaced by its value in `args` (a name with no value
/// stays as it is: a mistake shows, it doesn't vanish).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find('}').and_then(|close| {
            let name = after.get(1..close)?;
            let value = args.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        }) {
            Some((value, close)) => {
                out.push_str(value);
                rest = after.get(close + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_pick_their_language_and_anything_else_english() {
        assert_eq!(LANGS[0], "en");
        assert_eq!(LANGS[lang_index("es-419")], "es");
        assert_eq!(LANGS[lang_index("ES")], "es");
        assert_eq!(lang_index("fr-CA"), 0);
        assert_eq!(lang_index(""), 0);
    }

    #[test]
    fn names_are_filled_in_and_unknown_ones_left_as_they_are() {
        assert_eq!(
            fill("about {mbps} Mbps", &[("mbps", "7.5")]),
            "about 7.5 Mbps"
        );
        assert_eq!(fill("{a}{b}", &[("b", "2"), ("a", "1")]), "12");
        assert_eq!(fill("odd {x} and {", &[]), "odd {x} and {");
    }

    /// Every sentence of every file has words in every language, and they fill in the
    /// same names (build.rs refuses the data otherwise; this checks what was built).
    #[test]
    fn every_sentence_has_every_language() {
        fn check(keys: &[(&str, Vec<&str>)]) {
            for (name, words) in keys {
                assert_eq!(words.len(), LANGS.len(), "{name}");
                let names = |t: &str| {
                    let mut n: Vec<String> = t
                        .split('{')
                        .skip(1)
                        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
                        .collect();
                    n.sort();
                    n
                };
                for w in words {
                    assert!(!w.trim().is_empty(), "{name}: empty words");
                    assert_eq!(names(w), names(words[0]), "{name}");
                }
            }
        }
        let connection: Vec<_> = connection::Key::ALL
            .iter()
            .map(|k| (k.name(), (0..LANGS.len()).map(|l| k.words(l)).collect()))
            .collect();
        let report: Vec<_> = report::Key::ALL
            .iter()
            .map(|k| (k.name(), (0..LANGS.len()).map(|l| k.words(l)).collect()))
            .collect();
        assert!(!connection.is_empty() && !report.is_empty());
        check(&connection);
        check(&report);
    }
}
