//! The JSON reader for everything that comes in from outside (messages, the call context,
//! stored state). Small on purpose: serde's derived decoders are generated once per type
//! and per input format and made up most of the wasm; here the text is parsed once into a
//! [`Value`] tree and each type reads its fields from it with [`FromJson`], declared with
//! [`json_struct!`], [`json_tagged!`] and [`json_unit!`]. The same declarations give each
//! type its writer ([`ToJson`]): what goes out (the reply, effects, stored state) is
//! written here too, byte for byte as serde_json writes it.
//!
//! Strict like serde's derived decoders: unknown fields are refused where the type says so
//! (`deny_unknown_fields`), a field given twice is refused, a missing field is an error
//! unless it has a default or is an `Option`, integers must be JSON integers in range,
//! strings must be valid (escapes, surrogate pairs), nesting is limited, nothing may follow
//! the value. Structs are read from JSON objects only.

use super::util::cut;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Deepest nesting of arrays and objects accepted (serde_json's limit).
pub const MAX_DEPTH: usize = 128;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error(msg.into()))
}

/// A parsed JSON value, borrowing from the text where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A number, as written (already checked against JSON's grammar).
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Value<'a>>),
    Obj(Vec<Member<'a>>),
}

/// One member of an object, with the text its value was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    pub value: Value<'a>,
    pub raw: &'a str,
}

/// Parses a whole JSON text (surrounding whitespace allowed, nothing else).
pub fn parse(text: &str) -> Result<Value<'_>, Error> {
    parse_nested(text, MAX_DEPTH)
}

/// [`parse`] with another nesting limit.
pub fn parse_nested(text: &str, max_depth: usize) -> Result<Value<'_>, Error> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: max_depth,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return p.fail("trailing characters");
    }
    Ok(v)
}

/// Parses and decodes a whole JSON text.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, Error> {
    T::from_json(&parse(text)?)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, what: &str) -> Result<T, Error> {
        err(format!("{what} at byte {}", self.i))
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn word(&mut self, w: &str, v: Value<'a>) -> Result<Value<'a>, Error> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            self.fail("expected value")
        }
    }

    fn value(&mut self) -> Result<Value<'a>, Error> {
        self.ws();
        match self.peek() {
            Some(b'n') => self.word("null", Value::Null),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.enter()?;
                let mut items = Vec::new();
                self.ws();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return self.fail("expected `,` or `]`");
                        }
                    }
                }
                self.depth += 1;
                Ok(Value::Arr(items))
            }
            Some(b'{') => {
                self.enter()?;
                let mut members = Vec::new();
                self.ws();
                if !self.eat(b'}') {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return self.fail("expected a key");
                        }
                        let key = self.string()?;
                        self.ws();
                        if !self.eat(b':') {
                            return self.fail("expected `:`");
                        }
                        self.ws();
                        let start = self.i;
                        let value = self.value()?;
                        let raw = cut(self.s, start..self.i);
                        members.push(Member { key, value, raw });
                        self.ws();
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return self.fail("expected `,` or `}`");
                        }
                    }
                }
                self.depth += 1;
                Ok(Value::Obj(members))
            }
            _ => self.fail("expected value"),
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.i += 1;
        if self.depth == 0 {
            return self.fail("recursion limit exceeded");
        }
        self.depth -= 1;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value<'a>, Error> {
        let start = self.i;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("invalid number"),
        }
        if self.eat(b'.') && self.digits() == 0 {
            return self.fail("invalid number");
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        let n = cut(self.s, start..self.i);
        // Past f64's range is refused wherever it is, as serde_json's own reader does
        // (only an exponent or more than 300 digits can get there).
        if (n.len() > 300 || n.contains(['e', 'E'])) && !decimal_to_f64(n).is_finite() {
            return self.fail("number out of range");
        }
        Ok(Value::Num(n))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let Some(h) = self.s.get(self.i..self.i + 4) else {
            return self.fail("invalid escape");
        };
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return self.fail("invalid escape");
        }
        self.i += 4;
        u32::from_str_radix(h, 16).or_else(|_| self.fail("invalid escape"))
    }

    /// A string, the opening quote under the cursor.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.i += 1;
        let start = self.i;
        let mut owned: Option<String> = None;
        loop {
            let run = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            if let Some(o) = owned.as_mut() {
                o.push_str(cut(self.s, run..self.i));
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(match owned {
                        Some(o) => Cow::Owned(o),
                        None => Cow::Borrowed(cut(self.s, start..self.i - 1)),
                    });
                }
                Some(b'\\') => {
                    let o = owned.get_or_insert_with(|| cut(self.s, start..self.i).to_string());
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return self.fail("lone surrogate");
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail("lone surrogate");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let Some(c) = char::from_u32(code) else {
                                return self.fail("lone surrogate");
                            };
                            o.push(c);
                            continue;
                        }
                        _ => return self.fail("invalid escape"),
                    };
                    o.push(c);
                    self.i += 1;
                }
                Some(_) => return self.fail("control character in string"),
                None => return self.fail("unterminated string"),
            }
        }
    }
}

// ------------------------------------------------------------------------------ decoding

/// A type read from a [`Value`].
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> Result<Self, Error>;

    /// The value of a missing field without a default (serde: `None` for an `Option`).
    fn missing(field: &str) -> Result<Self, Error> {
        err(format!("missing field `{field}`"))
    }
}

fn invalid<T>(expected: &str) -> Result<T, Error> {
    err(format!("invalid type, expected {expected}"))
}

impl FromJson for String {
    fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            _ => invalid("a string"),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => invalid("a boolean"),
        }
    }
}

/// A JSON integer (no fraction, no exponent) as sign and magnitude; None for other
/// numbers (and integers beyond 64 bits, and `-0`, which serde_json reads as floats).
fn integer(v: &Value) -> Result<Option<(bool, u64)>, Error> {
    let Value::Num(n) = v else {
        return invalid("a number");
    };
    let (neg, digits) = match n.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, *n),
    };
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(digits
        .parse::<u64>()
        .ok()
        .filter(|m| !(neg && *m == 0))
        .map(|m| (neg, m)))
}

impl FromJson for f64 {
    fn from_json(v: &Value) -> Result<Self, Error> {
        let Value::Num(n) = v else {
            return invalid("a number");
        };
        let f = match integer(v)? {
            Some((false, m)) => m as f64,
            Some((true, m)) if m <= 1 << 63 => (m as i64).wrapping_neg() as f64,
            _ => decimal_to_f64(n),
        };
        if f.is_finite() {
            Ok(f)
        } else {
            err("number out of range")
        }
    }
}

/// A JSON number (already checked against JSON's grammar) as the nearest f64, ties to
/// even, ±infinity past the range: std's own reading.
fn decimal_to_f64(n: &str) -> f64 {
    n.parse().unwrap_or(f64::NAN)
}

macro_rules! json_int {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(v: &Value) -> Result<Self, Error> {
                let n = match integer(v)? {
                    Some((false, m)) => <$t>::try_from(m).ok(),
                    Some((true, m)) if m <= 1 << 63 => {
                        <$t>::try_from((m as i64).wrapping_neg()).ok()
                    }
                    _ => return invalid("an integer"),
                };
                n.map_or_else(|| err("integer out of range"), Ok)
            }
        }
    )*};
}
json_int!(u16, u32, u64, i64, usize);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }

    fn missing(_: &str) -> Result<Self, Error> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::Arr(items) => items.iter().map(T::from_json).collect(),
            _ => invalid("an array"),
        }
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(v: &Value) -> Result<Self, Error> {
        T::from_json(v).map(Box::new)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(v: &Value) -> Result<Self, Error> {
        let Value::Obj(members) = v else {
            return invalid("an object");
        };
        let mut map = BTreeMap::new();
        for m in members {
            map.insert(m.key.to_string(), T::from_json(&m.value)?);
        }
        Ok(map)
    }
}

/// The members of an object sorted onto `names` (None where absent). `tag` is the
/// internally tagged enum's tag field, already read. With `deny`, any other key is an
/// error; a key given twice always is.
pub fn fields<'v, 'a, const N: usize>(
    v: &'v Value<'a>,
    names: &[&str; N],
    tag: &str,
    deny: bool,
) -> Result<[Option<&'v Value<'a>>; N], Error> {
    let mut slots = [None; N];
    sort_fields(v, names, tag, deny, &mut slots)?;
    Ok(slots)
}

fn sort_fields<'v, 'a>(
    v: &'v Value<'a>,
    names: &[&str],
    tag: &str,
    deny: bool,
    slots: &mut [Option<&'v Value<'a>>],
) -> Result<(), Error> {
    let Value::Obj(members) = v else {
        return invalid("an object");
    };
    for m in members {
        match names.iter().position(|n| *n == m.key) {
            Some(i) if slots[i].is_some() => return err(format!("duplicate field `{}`", m.key)),
            Some(i) => slots[i] = Some(&m.value),
            // `tag` is "" for a plain struct: an empty key is then unknown like any other.
            None if deny && (tag.is_empty() || m.key != tag) => {
                return err(format!("unknown field `{}`", m.key))
            }
            None => {}
        }
    }
    Ok(())
}

/// The tag of an internally tagged enum: a string, given once.
pub fn tag<'v>(v: &'v Value, name: &str) -> Result<&'v str, Error> {
    let Value::Obj(members) = v else {
        return invalid("an object");
    };
    let mut found = None;
    for m in members.iter().filter(|m| m.key == name) {
        if found.is_some() {
            return err(format!("duplicate field `{name}`"));
        }
        match &m.value {
            Value::Str(s) => found = Some(&**s),
            _ => return invalid("a string tag"),
        }
    }
    found.map_or_else(|| err(format!("missing field `{name}`")), Ok)
}

/// A field without a default.
pub fn req<T: FromJson>(v: Option<&Value>, name: &str) -> Result<T, Error> {
    v.map_or_else(|| T::missing(name), T::from_json)
}

/// A field whose default stands in when it is missing (`#[serde(default)]`).
pub fn def<T: FromJson + Default>(v: Option<&Value>, _: &str) -> Result<T, Error> {
    v.map_or_else(|| Ok(T::default()), T::from_json)
}

/// A field whose default stands in when it is missing or `null`.
pub fn nul<T: FromJson + Default>(v: Option<&Value>, _: &str) -> Result<T, Error> {
    match v {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => T::from_json(v),
    }
}

/// A field of a struct that takes its defaults from the struct's own `Default`: set
/// when present. (Filling in a default struct keeps the code per field to one call.)
pub fn set<T: FromJson>(slot: &mut T, v: Option<&Value>) -> Result<(), Error> {
    if let Some(v) = v {
        *slot = T::from_json(v)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------ encoding

/// A type written as JSON: byte for byte what serde_json writes for the type's serde
/// derive (the tests hold every encoder to it), without serde's per-type serializers.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// The JSON text of a value.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// A JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x08 => 'b',
            0x0c => 'f',
            0..=0x1f => 'u',
            _ => continue,
        };
        out.push_str(cut(s, run..i));
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        run = i + 1;
    }
    out.push_str(cut(s, run..));
    out.push('"');
}

/// An object: the tag of an internally tagged enum first, then the fields in order.
pub fn write_obj(out: &mut String, tag: Option<(&str, &str)>, fields: &[(&str, &dyn ToJson)]) {
    out.push('{');
    if let Some((key, name)) = tag {
        write_str(out, key);
        out.push(':');
        write_str(out, name);
    }
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 || tag.is_some() {
            out.push(',');
        }
        write_str(out, key);
        out.push(':');
        value.write_json(out);
    }
    out.push('}');
}

fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for b in &buf[i..] {
        out.push(char::from(*b));
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for Cow<'_, str> {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! to_json_uint {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                write_u64(out, *self as u64);
            }
        }
    )*};
}
to_json_uint!(u16, u32, u64, usize);

impl ToJson for i64 {
    fn write_json(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        write_u64(out, self.unsigned_abs());
    }
}

impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        if self.is_finite() {
            out.push_str(zmij::Buffer::new().format_finite(*self));
        } else {
            out.push_str("null");
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, k);
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

/// `impl FromJson` for a struct read from an object:
/// `json_struct!(Name, deny, { field: "key" req, other: "otherKey" def })`. `deny` or
/// `allow` unknown fields; per field `req` (required unless an `Option`), `def` (default
/// when missing), `nul` (default when missing or null). `json_struct!(Name, allow,
/// default, { field: "key", ... })` takes missing fields from `Name::default()`.
#[macro_export]
macro_rules! json_struct {
    ($ty:ident, $deny:ident, default, { $($field:ident : $key:literal),* $(,)? }) => {
        impl $crate::core::json::FromJson for $ty {
            fn from_json(v: &$crate::core::json::Value) -> Result<Self, $crate::core::json::Error> {
                let [$($field),*] = $crate::core::json::fields(v, &[$($key),*], "", $crate::json_struct!(@deny $deny))?;
                let mut out = <$ty as Default>::default();
                $($crate::core::json::set(&mut out.$field, $field)?;)*
                Ok(out)
            }
        }
        $crate::json_struct!(@write $ty { $($field: $key),* });
    };
    ($ty:ident, $deny:ident, { $($field:ident : $key:literal $mode:ident),* $(,)? }) => {
        impl $crate::core::json::FromJson for $ty {
            fn from_json(v: &$crate::core::json::Value) -> Result<Self, $crate::core::json::Error> {
                let [$($field),*] = $crate::core::json::fields(v, &[$($key),*], "", $crate::json_struct!(@deny $deny))?;
                Ok($ty { $($field: $crate::core::json::$mode($field, $key)?,)* })
            }
        }
        $crate::json_struct!(@write $ty { $($field: $key),* });
    };
    (@write $ty:ident { $($field:ident : $key:literal),* }) => {
        impl $crate::core::json::ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                $crate::core::json::write_obj(out, None, &[$(($key, &self.$field as &dyn $crate::core::json::ToJson)),*]);
            }
        }
    };
    (@deny deny) => { true };
    (@deny allow) => { false };
}

/// `impl FromJson` for an internally tagged enum (`#[serde(tag = "...")]`):
/// `json_tagged!(Name, "type", deny, { Variant "Tag" { field: "key" req }, Unit "unit" {} })`.
#[macro_export]
macro_rules! json_tagged {
    ($ty:ident, $tag:literal, $deny:ident, {
        $($variant:ident $name:literal { $($field:ident : $key:literal $mode:ident),* $(,)? }),* $(,)?
    }) => {
        impl $crate::core::json::FromJson for $ty {
            fn from_json(v: &$crate::core::json::Value) -> Result<Self, $crate::core::json::Error> {
                let deny = $crate::json_struct!(@deny $deny);
                match $crate::core::json::tag(v, $tag)? {
                    $($name => {
                        let [$($field),*] = $crate::core::json::fields(v, &[$($key),*], $tag, deny)?;
                        Ok($ty::$variant { $($field: $crate::core::json::$mode($field, $key)?,)* })
                    })*
                    other => Err($crate::core::json::Error(format!("unknown variant `{other}`"))),
                }
            }
        }
        impl $crate::core::json::ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                match self {
                    $($ty::$variant { $($field),* } => $crate::core::json::write_obj(
                        out,
                        Some(($tag, $name)),
                        &[$(($key, $field as &dyn $crate::core::json::ToJson)),*],
                    ),)*
                }
            }
        }
    };
}

/// `impl FromJson` for an enum of unit variants read from strings:
/// `json_unit!(Name { Variant "name", ... })`.
#[macro_export]
macro_rules! json_unit {
    ($ty:ident { $($variant:ident $name:literal),* $(,)? }) => {
        impl $crate::core::json::FromJson for $ty {
            fn from_json(v: &$crate::core::json::Value) -> Result<Self, $crate::core::json::Error> {
                match v {
                    $($crate::core::json::Value::Str(s) if s == $name => Ok($ty::$variant),)*
                    $crate::core::json::Value::Str(s) => Err($crate::core::json::Error(format!("unknown variant `{s}`"))),
                    _ => Err($crate::core::json::Error("invalid type, expected a string".into())),
                }
            }
        }
        impl $crate::core::json::ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                $crate::core::json::write_str(out, match self { $($ty::$variant => $name,)* });
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_serde_json_parses() {
        for ok in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12.5e-3",
            "1E+2",
            r#""a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
            "[]",
            "[1, [2, {}]]",
            r#"{"a": {"b": [null]}, "c": "d"}"#,
        ] {
            let ours = parse(ok).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(ok).unwrap();
            if let (Value::Str(a), serde_json::Value::String(b)) = (&ours, &theirs) {
                assert_eq!(a, b);
            }
        }
        for bad in [
            "",
            " ",
            "nul",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":1,}",
            "{a:1}",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\u{1}\"",
            "[] []",
            "[",
            "{",
            "tru",
            "NaN",
            "Infinity",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let mut strings: Vec<String> = (0u8..=0x7f).map(|b| char::from(b).to_string()).collect();
        strings.extend(["", "a\"b\\c\u{7f}é€😀\u{2028}", "\u{0}\u{1f} x"].map(String::from));
        for s in &strings {
            assert_eq!(to_string(s), serde_json::to_string(s).unwrap());
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for f in [f64::from_bits(x), (x >> 11) as f64 / 1e3, (x >> 30) as f64] {
                assert_eq!(to_string(&f), serde_json::to_string(&f).unwrap());
            }
            assert_eq!(
                to_string(&(x as i64)),
                serde_json::to_string(&(x as i64)).unwrap()
            );
            assert_eq!(to_string(&x), serde_json::to_string(&x).unwrap());
        }
        for f in [f64::NAN, f64::INFINITY, -0.0, 0.0, 1.0, 1e21, 5e-324] {
            assert_eq!(to_string(&f), serde_json::to_string(&f).unwrap());
        }
        let v: Vec<Option<u16>> = vec![Some(1), None, Some(65535)];
        assert_eq!(to_string(&v), serde_json::to_string(&v).unwrap());
        let m: BTreeMap<String, bool> = [("b".into(), true), ("a\n".into(), false)].into();
        assert_eq!(to_string(&m), serde_json::to_string(&m).unwrap());
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        assert!(parse(&deep(MAX_DEPTH + 1)).is_err());
        assert!(parse(&deep(100_000)).is_err());
    }

    #[test]
    fn numbers_read_like_serde() {
        fn n(s: &str) -> Value<'_> {
            parse(s).unwrap()
        }
        assert_eq!(u16::from_json(&n("65535")), Ok(65535));
        assert!(u16::from_json(&n("65536")).is_err());
        assert!(u16::from_json(&n("-1")).is_err());
        assert!(u16::from_json(&n("1.0")).is_err());
        assert!(u16::from_json(&n("1e2")).is_err());
        assert_eq!(i64::from_json(&n("-9223372036854775808")), Ok(i64::MIN));
        assert!(i64::from_json(&n("9223372036854775808")).is_err());
        assert!(i64::from_json(&n("99999999999999999999")).is_err());
        // `-0` is the float -0.0 to serde_json: not an integer.
        assert_eq!(
            f64::from_json(&n("-0")).map(f64::to_bits),
            Ok((-0.0f64).to_bits())
        );
        assert!(i64::from_json(&n("-0")).is_err());
        assert!(serde_json::from_str::<i64>("-0").is_err());
        assert_eq!(i64::from_json(&n("0")), Ok(0));
        assert_eq!(f64::from_json(&n("1.5")), Ok(1.5));
        assert_eq!(f64::from_json(&n("99999999999999999999")), Ok(1e20));
        assert!(f64::from_json(&n("\"1\"")).is_err());
    }
}
