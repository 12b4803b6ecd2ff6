//! Small helpers shared by the core, written for size: the standard library's sorts are
//! generated anew for every element type and comparison (a few KB of wasm each), and the
//! lists sorted here are short.

/// Sorts `v` stably by `less` (insertion sort: quadratic, for short lists only).
pub fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Sorts `v` stably by a key (see [`sort_by`]).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a) < key(b));
}

/// A small map from strings, kept as a vector sorted by key: what the core keeps in maps
/// is a handful of entries, and `BTreeMap`'s node code is several KB of wasm per value
/// type. Iterates in key order, like `BTreeMap`, and is written as a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Map<V>(Vec<(String, V)>);

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map(Vec::new())
    }
}

impl<V> Map<V> {
    pub fn new() -> Self {
        Map(Vec::new())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`; the value it replaces, if any.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

/// `map["key"]` in tests, as with a `BTreeMap`.
/// `parts` joined by `sep`: one copy of the joining code for every element type (std's
/// `join` is instantiated once per slice type).
pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    join_strs(&mut parts.iter().map(|p| p.as_ref()), sep)
}

fn join_strs(parts: &mut dyn Iterator<Item = &str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// Where `needle` first occurs in `hay` (a byte search: the core's needles are short, so
/// the naive search is as fast as std's Two-Way one and much smaller in the wasm).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `&s[range]` without its panic path, whose message formatting (the char quoted with
/// `Debug`) weighs kilobytes in the wasm. Callers cut at char boundaries; anything else
/// gives "".
pub fn cut<R: std::slice::SliceIndex<str, Output = str>>(s: &str, range: R) -> &str {
    s.get(range).unwrap_or_default()
}

/// `text` with every `slot` replaced by `value`.
pub fn replace(text: &str, slot: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find(rest, slot).filter(|_| !slot.is_empty()) {
        out.push_str(cut(rest, ..i));
        out.push_str(value);
        rest = cut(rest, i + slot.len()..);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
impl<V> std::ops::Index<&str> for Map<V> {
    type Output = V;
    fn index(&self, key: &str) -> &V {
        self.get(key).unwrap()
    }
}

impl<V> FromIterator<(String, V)> for Map<V> {
    /// Like `BTreeMap`: a key given twice keeps the last value.
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<'a, V> IntoIterator for &'a Map<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<V: super::json::FromJson> super::json::FromJson for Map<V> {
    fn from_json(v: &super::json::Value) -> Result<Self, super::json::Error> {
        let super::json::Value::Obj(members) = v else {
            return Err(super::json::Error(
                "invalid type, expected an object".into(),
            ));
        };
        let mut map = Map::new();
        for m in members {
            map.insert(m.key.to_string(), V::from_json(&m.value)?);
        }
        Ok(map)
    }
}

impl<V: super::json::ToJson> super::json::ToJson for Map<V> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            super::json::write_str(out, k);
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

// serde, for the native tests and tools that still use it: the same as a `BTreeMap`.
impl<V: serde::Serialize> serde::Serialize for Map<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for Map<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        std::collections::BTreeMap::<String, V>::deserialize(d).map(|m| m.into_iter().collect())
    }
}

/// Runs of characters with the same lower-case offset: (first, count, step, delta),
/// generated by `build.rs` from the standard library's own mapping.
static LOWER: [(u32, u16, u8, i32); LOWER_RUNS] =
    include!(concat!(env!("OUT_DIR"), "/lowercase.rs"));
const LOWER_RUNS: usize = include!(concat!(env!("OUT_DIR"), "/lowercase_len.rs"));

/// `str::to_lowercase` without its 12 KB table: the same mapping for every character
/// (the tests compare all of them), from a table of runs. One difference: a capital
/// sigma is final (`ς`) when a letter comes before it and none after it, a close
/// approximation of Unicode's rule (std's own answer depends on where the text's ASCII
/// prefix ends). No rule data holds a sigma, so detection is unaffected either way.
pub fn lowercase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\0'..='\x7f' => out.push(c.to_ascii_lowercase()),
            '\u{130}' => out.push_str("i\u{307}"),
            '\u{3a3}' => {
                let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
                let last = letter(cut(s, ..i).chars().next_back())
                    && !letter(cut(s, i + 2..).chars().next());
                out.push(if last { '\u{3c2}' } else { '\u{3c3}' });
            }
            _ => out.push(lower_char(c)),
        }
    }
    out
}

/// The lower-case form of a character that maps to one character (all but `İ`).
fn lower_char(c: char) -> char {
    let code = c as u32;
    let i = LOWER.partition_point(|run| run.0 <= code);
    if let Some(&(first, count, step, delta)) = i.checked_sub(1).and_then(|i| LOWER.get(i)) {
        let off = code - first;
        let step = u32::from(step);
        if off % step == 0 && off / step < u32::from(count) {
            return char::from_u32(code.wrapping_add_signed(delta)).unwrap_or(c);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_std() {
        let mut x: u32 = 7;
        for n in 0..60 {
            let mut v: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((x >> 16) % 5, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            sort_by_key(&mut v, |p| p.0);
            assert_eq!(v, want);
        }
    }

    #[test]
    fn map_behaves_like_btreemap() {
        let mut ours: Map<u32> = Map::new();
        let mut std_map = std::collections::BTreeMap::new();
        let mut x: u32 = 11;
        for _ in 0..500 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = format!("k{}", (x >> 16) % 37);
            if x % 3 == 0 {
                assert_eq!(ours.remove(&key), std_map.remove(&key));
            } else {
                assert_eq!(ours.insert(key.clone(), x), std_map.insert(key, x));
            }
            assert!(ours.iter().eq(std_map.iter()));
            assert_eq!(ours.len(), std_map.len());
        }
        assert_eq!(
            crate::core::json::to_string(&ours),
            serde_json::to_string(&std_map).unwrap()
        );
    }

    #[test]
    fn lowercase_is_std_lowercase() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c != '\u{3a3}' {
                let s = c.to_string();
                assert_eq!(lowercase(&s), s.to_lowercase(), "U+{:04X}", c as u32);
            }
        }
        let text = "ERROR Código NSEZ-403 ÉCHEC Ошибка ΣΦΑΛΜΑ ΟΔΟΣ Σ İstanbul";
        assert_eq!(lowercase(text), text.to_lowercase());
    }
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn find_and_join_agree_with_std() {
        for (hay, needle) in [
            ("net::ERR_NAME_NOT_RESOLVED", "NAME_NOT"),
            ("abc", ""),
            ("", "a"),
            ("ñandú", "dú"),
            ("aaab", "aab"),
            ("https://x", "://"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} / {needle}");
            assert_eq!(contains(hay, needle), hay.contains(needle));
        }
        assert_eq!(join(&["a", "b", "c"], ", "), ["a", "b", "c"].join(", "));
        assert_eq!(join(&[String::from("x")], " · "), "x");
        assert_eq!(join::<&str>(&[], ","), "");
    }
}
