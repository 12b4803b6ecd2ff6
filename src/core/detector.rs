//! Decides whether what a streaming tab shows, or what its requests answered, is an error,
//! and which catalog entry explains it.

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, ErrorEntry, Service, ANY_SERVICE, APOSTROPHES, RUNS_ON, WILDCARD};
use super::util::cut;

/// Longest text of one block the detector reads; the rest is ignored.
pub const MAX_BLOCK_CHARS: usize = 4096;
/// A free-text block with more words than this is prose (an article, a synopsis), not
/// an error line such as `Error Code: NSEZ-503` or `Código de error: NSEZ-403`.
const MAX_FREE_TEXT_WORDS: usize = 8;
/// A prominent block (see [`Placement::prominent`]) with more words than this is a page of
/// its own (an article in a pop-up), not an error screen: a title, a sentence or two and
/// a code.
const MAX_SCREEN_WORDS: usize = 150;

/// Where a block of page text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// Inside one of the service's error containers (`error_selectors`).
    Container,
    /// The document title.
    Title,
    /// Text added elsewhere in the page that holds something shaped like a code.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Where a free-text block stands on the screen, as the content script measured it.
    #[serde(default)]
    pub place: Option<Placement>,
}

/// Layout facts about a block of page text: what makes an error screen an error screen,
/// whatever the site's markup calls it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Placement {
    /// Rendered: a box of its own, not hidden or transparent, within the viewport.
    pub visible: bool,
    /// Inside a dialog, an alert or a modal (`role`, `aria-modal`, `<dialog>`).
    pub dialog: bool,
    /// Inside a positioned box over most of the viewport or over the video.
    pub overlay: bool,
    /// Nearly all the text the page has: a page that is only its error. (Large type
    /// alone doesn't count: a video's title is large too.)
    pub alone: bool,
    /// Inside content that talks about things: an article, a comment, a list, a
    /// navigation bar, a form.
    pub prose: bool,
    /// In a positioned box that sits on the video (a toast or bar over the player, but
    /// also a subtitle line): read only for a code shown with its label.
    pub on_video: bool,
    /// In the player's place: a box over most of the video, or where the video was.
    pub in_player: bool,
}

impl Placement {
    /// Where an error screen stands: seen, set apart from the page (a dialog, an overlay,
    /// or the page itself), and not in prose.
    pub fn prominent(&self) -> bool {
        self.visible && !self.prose && (self.dialog || self.overlay || self.alone)
    }
}

/// How the detection was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "lowercase")]
pub enum Evidence {
    /// `code_shown`: the screen showed the code itself (false for a code-less screen
    /// known by its wording, whose `code` is the entry id).
    Page {
        kind: BlockKind,
        #[serde(default)]
        code_shown: bool,
    },
    Http {
        status: u16,
    },
    Net {
        cause: String,
        error: String,
    },
    /// The user entered the code (`enter-code`): the screen may have shown it in a way
    /// the detector didn't read, or the user saw it elsewhere (a TV app).
    Told,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detection {
    /// What the panel's `data-code` says: the code as shown, or the entry id.
    pub code: String,
    /// The catalog entry that explains it.
    pub entry: String,
    pub service: String,
    pub evidence: Evidence,
}

/// The host part of an http(s) URL, lower case, without port or credentials.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = host_port.split(':').next()?.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The service a URL belongs to, unless it is one of its documentation hosts.
pub fn watched_service<'a>(catalog: &'a Catalog, url: &str) -> Option<&'a Service> {
    let host = host_of(url)?;
    let service = catalog.service_for_host(&host)?;
    (!service.quiet_hosts.iter().any(|q| *q == host)).then_some(service)
}

/// The first entry matching `pred` that can explain an error on `service`: its own
/// first, then those for every service (so a service's own reading of, say, HTTP 503
/// wins). One function for every caller (`&dyn`: the wasm holds one copy), no allocation
/// (it runs for each code-shaped token of every report).
fn find_entry<'a>(
    catalog: &'a Catalog,
    service: &str,
    pred: &dyn Fn(&ErrorEntry) -> bool,
) -> Option<&'a ErrorEntry> {
    let of = |owner: &str| catalog.error.iter().find(|e| e.service == owner && pred(e));
    of(service).or_else(|| of(ANY_SERVICE))
}

/// Cuts a string to at most `max` bytes on a char boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    cut(s, ..end)
}

/// Tokens shaped like a service error code: upper-case letters and digits in 1 to 4
/// dash-separated groups of up to 8 (`NSEZ-503`, `M7111-1331-5059`, `NSES-UHX`,
/// `M7399-1260-00000024`, `F7375`). A single group counts only when it is letters then
/// digits, and only as a code the catalog knows (see [`is_plausible_unknown`]).
pub fn code_tokens(text: &str) -> impl Iterator<Item = &str> {
    let is_part = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == ':';
    text.split(move |c: char| !is_part(c))
        .map(|t| t.trim_matches(['-', ':']))
        // A colon joins a code's parts only in the `MSL:5003` shape; elsewhere it ends one
        // (`ERROR:NSEZ-403`).
        .flat_map(|t| {
            let whole = is_colon_code(t);
            let parts = (!whole).then(|| t.split(':'));
            std::iter::once(t)
                .filter(move |_| whole)
                .chain(parts.into_iter().flatten())
        })
        .map(|t| t.trim_matches('-'))
        .filter(|t| is_colon_code(t) || is_code_shaped(t))
}

/// Two to four capitals, a colon and three digits or more: the form Netflix's player
/// shows its playback-licence errors in (`MSL:5003`).
fn is_colon_code(token: &str) -> bool {
    token.split_once(':').is_some_and(|(letters, digits)| {
        (2..=4).contains(&letters.len())
            && letters.bytes().all(|b| b.is_ascii_uppercase())
            && (3..=8).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_code_shaped(token: &str) -> bool {
    if token.contains(':') {
        return false;
    }
    let groups = token.split('-').count();
    if groups == 1 {
        let digits = token.trim_start_matches(|c: char| c.is_ascii_uppercase());
        return (1..=3).contains(&(token.len() - digits.len()))
            && digits.len() >= 3
            && digits.bytes().all(|b| b.is_ascii_digit());
    }
    (2..=4).contains(&groups)
        && token.len() <= 24
        && token.split('-').all(|g| (1..=8).contains(&g.len()))
        && token.starts_with(|c: char| c.is_ascii_uppercase())
}

/// A code of the unknown-code shape must have two groups at least and mix letters and
/// digits, so words in capitals (`WI-FI`), plain numbers (`2012-2049`) and model or format
/// names (`H264`) are not taken for codes.
fn is_plausible_unknown(token: &str) -> bool {
    is_colon_code(token)
        || (token.contains('-')
            && token.chars().any(|c| c.is_ascii_digit())
            && token.chars().any(|c| c.is_ascii_uppercase())
            && token.split('-').next().is_some_and(|g| g.len() >= 2))
}

/// Letters then digits, no dash (`E109`, `F7375`): a code only where the screen says it
/// is an error.
fn is_one_group_code(token: &str) -> bool {
    !token.contains(['-', ':']) && token.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `code` starts with the catalog's `prefix`, where a leading `?` stands for any
/// one capital letter (the device letter Netflix puts before a code: `M7375`, `F7375`).
fn has_prefix(code: &str, prefix: &str) -> bool {
    match prefix.strip_prefix(WILDCARD) {
        Some(rest) => code
            .strip_prefix(|c: char| c.is_ascii_uppercase())
            .is_some_and(|c| c.starts_with(rest)),
        None => code.starts_with(prefix),
    }
}

fn entry_for_code<'a>(catalog: &'a Catalog, service: &str, code: &str) -> Option<&'a ErrorEntry> {
    find_entry(catalog, service, &|e| {
        e.matcher.codes.iter().any(|c| c == code)
    })
    .or_else(|| {
        find_entry(catalog, service, &|e| {
            e.matcher.prefixes.iter().any(|p| has_prefix(code, p))
        })
    })
}

fn entry_for_phrase<'a>(
    catalog: &'a Catalog,
    service: &str,
    lower: &str,
) -> Option<&'a ErrorEntry> {
    find_entry(catalog, service, &|e| {
        e.matcher
            .phrases
            .iter()
            .any(|p| super::util::contains(lower, p))
    })
}

fn unknown_entry<'a>(catalog: &'a Catalog, service: &str) -> Option<&'a ErrorEntry> {
    find_entry(catalog, service, &|e| e.matcher.unknown_code)
}

/// What one block names: the code (as shown, or the entry id of a code-less screen), the
/// entry, and whether the code itself was on the screen.
type Named = (String, String, bool);

/// Reads one block. Containers accept any code-shaped token and code-less phrases;
/// titles accept known codes and phrases; free text accepts only known codes in a
/// block of a few words (prose that names a code is longer than an error line).
fn detect_block(catalog: &Catalog, service: &str, block: &Block) -> Option<Named> {
    let clipped = clip(&block.text, MAX_BLOCK_CHARS);
    // Typesetters' dashes read as the plain hyphen, their apostrophes as the plain one
    // (the catalog writes `can't`; pages show `can’t` as often).
    let normalized;
    let text = if clipped.contains(DASHES) || clipped.contains(APOSTROPHES) {
        normalized = clipped.replace(DASHES, "-").replace(APOSTROPHES, "'");
        normalized.as_str()
    } else {
        clipped
    };
    // Free text set apart as an error screen is (a dialog, an overlay, a page of its own) reads
    // as an error container does, whatever the site's markup calls it; not when hidden.
    let place = block.place.unwrap_or_default();
    if block.place.is_some() && !place.visible {
        return None;
    }
    let words = word_count(text);
    // Only a container or a block standing as a screen is read past its known codes: the
    // labels and the lower-case text are for those alone (most blocks are neither).
    let set_apart = block.kind == BlockKind::Text && place.prominent() && words <= MAX_SCREEN_WORDS;
    // A short box on the video is a subtitle as often as an error: only a code with its
    // label ("error code 42") or a code the catalog knows makes it one.
    let on_video = block.kind == BlockKind::Text
        && !set_apart
        && place.visible
        && place.on_video
        && !place.prose
        && words <= MAX_UNNAMED_WORDS;
    let read_on = set_apart || on_video || block.kind == BlockKind::Container;
    let labels: Vec<&str> = match catalog.service(service) {
        Some(s) if read_on => {
            // Where the video was, a bare "Code: 2312400" is the player's error code.
            let player = catalog.player_labels(s).filter(|_| place.in_player);
            catalog.code_labels(s).chain(player).collect()
        }
        _ => Vec::new(),
    };
    let lower = if read_on {
        super::util::lowercase(text)
    } else {
        String::new()
    };
    // An error screen shows one error: text naming several codes is a list or an article.
    let screen = set_apart && !names_several_codes(catalog, service, text, &lower, &labels);
    let coded = on_video && !names_several_codes(catalog, service, text, &lower, &labels);
    let known = code_tokens(text)
        .find_map(|code| entry_for_code(catalog, service, code).map(|e| (code, e)));
    if let Some((code, entry)) = known {
        if block.kind != BlockKind::Text || words <= MAX_FREE_TEXT_WORDS || screen || coded {
            return Some((code.to_string(), entry.id.to_string(), true));
        }
        return None;
    }
    if coded {
        return labelled_code(catalog, service, &lower, &labels);
    }
    if block.kind == BlockKind::Text && !screen {
        return None;
    }
    // Titles of title pages carry show names: only a known code counts there.
    if block.kind == BlockKind::Title {
        return None;
    }
    // A bare number ("Error Code 83") is a code only after the service's own label, and
    // only inside its error containers: never a season number or a count in page text.
    if let Some(named) = labelled_code(catalog, service, &lower, &labels) {
        return Some(named);
    }
    let phrase = entry_for_phrase(catalog, service, &lower);
    // An unknown code keeps the code shown; a phrase on the same screen that belongs to a
    // coded entry (the proxy screen's wording) decides the explanation, a generic one
    // ("something went wrong") does not.
    // A code of one group (`E109`) counts on a screen whose words an entry knows.
    let unknown = code_tokens(text)
        .find(|t| is_plausible_unknown(t))
        .or_else(|| phrase.and(code_tokens(text).find(|t| is_one_group_code(t))));
    let specific = phrase.filter(|e| !e.matcher.codes.is_empty() || !e.matcher.prefixes.is_empty());
    match (unknown, phrase) {
        (Some(code), _) => specific
            .or_else(|| unknown_entry(catalog, service))
            .map(|e| (code.to_string(), e.id.to_string(), true)),
        (None, Some(entry)) => Some((entry.id.to_string(), entry.id.to_string(), false)),
        (None, None) => unnamed_screen(catalog, service, text, &lower, words),
    }
}

/// The number after a code label, as the entry that knows it or the unknown-code one.
fn labelled_code(catalog: &Catalog, service: &str, lower: &str, labels: &[&str]) -> Option<Named> {
    let number = labelled_number(lower, labels)?;
    numbered_entry(catalog, service, number).map(|e| (number.to_string(), e.id.to_string(), true))
}

/// The entry for a code number of a service with numeric codes: the one that knows it,
/// else the service's unknown-code one.
fn numbered_entry<'a>(catalog: &'a Catalog, service: &str, number: &str) -> Option<&'a ErrorEntry> {
    entry_for_code(catalog, service, number).or_else(|| unknown_entry(catalog, service))
}

/// Most words a screen that says it failed in no words the catalog knows may have: a
/// title, a sentence or two and its buttons.
const MAX_UNNAMED_WORDS: usize = 60;

/// A short screen that says it failed (`data/words.toml`) in words no entry knows: the
/// service's entry for such screens, with the code it shows if one looks like a code
/// (`E111`: a single group is read here, where the screen itself says it is an error).
fn unnamed_screen(
    catalog: &Catalog,
    service: &str,
    text: &str,
    lower: &str,
    words: usize,
) -> Option<Named> {
    if words > MAX_UNNAMED_WORDS || !says_failure(catalog, lower) {
        return None;
    }
    let code = code_tokens(text).find(|t| is_plausible_unknown(t) || is_one_group_code(t));
    match code {
        Some(code) => {
            unknown_entry(catalog, service).map(|e| (code.to_string(), e.id.to_string(), true))
        }
        None => find_entry(catalog, service, &|e| e.matcher.unnamed_screen)
            .map(|e| (e.id.to_string(), e.id.to_string(), false)),
    }
}

/// Whether lower-case `text` has one of the catalog's words of failure or code labels
/// ("Foutcode"), as a word.
pub fn says_failure(catalog: &Catalog, text: &str) -> bool {
    catalog
        .language
        .iter()
        .flat_map(|l| l.failure.iter().chain(l.code_labels.iter()))
        .any(|w| has_word(text, w))
}

/// `word` in `text`, not inside a longer word, except on a side marked [`RUNS_ON`].
fn has_word(text: &str, word: &str) -> bool {
    let open_start = word.starts_with(RUNS_ON);
    let open_end = word.ends_with(RUNS_ON);
    let core = word.trim_matches(RUNS_ON);
    // A letter of a script written with spaces (not Thai, not CJK): a word has edges.
    let spaced = |c: char| {
        c.is_alphanumeric() && u32::from(c) < 0x2E80 && !(0x0E00..=0x0E7F).contains(&u32::from(c))
    };
    let mut from = 0;
    while let Some(at) = text
        .get(from..)
        .and_then(|rest| super::util::find(rest, core))
    {
        let at = from + at;
        let end = at + core.len();
        let before = cut(text, ..at).chars().next_back();
        let after = cut(text, end..).chars().next();
        let starts = open_start || !core.starts_with(spaced) || !before.is_some_and(spaced);
        let ends = open_end || !core.ends_with(spaced) || !after.is_some_and(spaced);
        if starts && ends {
            return true;
        }
        from = at + core.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether `text` names two different codes or more: code-shaped tokens with a digit,
/// numbers after the service's code labels, and numbers of three digits or more that are
/// the service's codes even without a label ("Error Code 1007 or 7136").
fn names_several_codes(
    catalog: &Catalog,
    service: &str,
    text: &str,
    lower: &str,
    labels: &[&str],
) -> bool {
    let mut seen: Option<String> = None;
    let mut another = |code: &str| seen.replace(code.to_string()).is_some_and(|s| s != code);
    let known = |n: &&str| {
        n.len() >= 3
            && find_entry(catalog, service, &|e| {
                e.matcher.codes.iter().any(|c| c == *n)
            })
            .is_some()
    };
    let tokens = code_tokens(text).filter(|t| t.bytes().any(|b| b.is_ascii_digit()));
    let numbers = text.split(|c: char| !c.is_ascii_digit()).filter(known);
    if tokens.chain(numbers).any(&mut another) {
        return true;
    }
    let mut rest = lower;
    while let Some(number) = labelled_number(rest, labels) {
        if another(number) {
            return true;
        }
        // Read on past this number (a part of `rest`).
        let end = number.as_ptr() as usize - rest.as_ptr() as usize + number.len();
        rest = cut(rest, end..);
    }
    false
}

/// Longest bare numeric code read after a label.
const MAX_NUMBER_DIGITS: usize = 7;

/// The number right after one of `labels` in lower-case `text` ("error code: 83",
/// "código de error 1007"): separated by spaces, `:`, `#` or `-` only, and followed by
/// something that is not a letter or digit, so "error code 83a" or "error code 12.5" is
/// not one.
fn labelled_number<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    labels.iter().find_map(|label| {
        // Every place the label is (a byte search: std's `match_indices` would bring its
        // Two-Way searcher into the wasm for this alone).
        let mut from = 0;
        std::iter::from_fn(|| {
            let at = from + super::util::find(text.get(from..)?, label)?;
            from = at + label.len().max(1);
            Some(at)
        })
        .find_map(|at| {
            let before = cut(text, ..at).chars().next_back();
            if before.is_some_and(char::is_alphanumeric) {
                return None;
            }
            let rest = cut(text, at + label.len()..);
            let rest = rest
                .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | '-'));
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let after = cut(rest, digits..).chars().next();
            let ends = after.is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != ',')
                || after == Some('.')
                    && cut(rest, digits + 1..)
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace);
            ((1..=MAX_NUMBER_DIGITS).contains(&digits) && ends).then(|| cut(rest, ..digits))
        })
    })
}

/// Hyphen look-alikes: hyphen, non-breaking hyphen, figure dash, en dash, minus sign.
const DASHES: [char; 5] = ['\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2212}'];

/// Words in a block: space-separated words, plus one per two characters of scripts
/// written without spaces (Chinese, Japanese, Thai), so prose in those is long too.
fn word_count(text: &str) -> usize {
    let spaced = text.split_whitespace().count();
    let unspaced = text
        .chars()
        .filter(|c| {
            matches!(u32::from(*c),
                0x0E00..=0x0E7F // Thai
                | 0x3040..=0x30FF // Hiragana, Katakana
                | 0x3400..=0x4DBF | 0x4E00..=0x9FFF // CJK ideographs
                | 0xAC00..=0xD7AF) // Hangul syllables
        })
        .count();
    spaced + unspaced / 2
}

/// What text to read on a page of `service` besides its error containers: the phrases of
/// its entries and of those for every service, its code labels, its codes of one group,
/// and the words of failure of every language (lower case, each once). Text shaped like a
/// code is read too; what any of it means is decided here.
pub fn hints(catalog: &Catalog, service: &Service) -> Vec<String> {
    let phrases = catalog
        .error
        .iter()
        .filter(|e| e.service == service.id || e.service == ANY_SERVICE)
        .flat_map(|e| e.matcher.phrases.iter())
        .map(|p| p.to_string());
    // A one-group code (`F7375`) has no dash for the page's code pattern to see.
    let single = catalog
        .error
        .iter()
        .filter(|e| e.service == service.id)
        .flat_map(|e| e.matcher.codes.iter().chain(e.matcher.prefixes.iter()))
        .filter(|c| c.starts_with(|c: char| c.is_ascii_uppercase() || c == WILDCARD))
        .filter(|c| !c.contains('-'))
        .map(|c| super::util::lowercase(c.strip_prefix(WILDCARD).unwrap_or(c)));
    let failure = catalog
        .language
        .iter()
        .flat_map(|l| l.failure.iter().chain(l.code_labels.iter()))
        .map(|w| w.trim_matches(RUNS_ON).to_string());
    let labels = catalog
        .code_labels(service)
        .chain(catalog.player_labels(service))
        .map(str::to_string);
    let mut out: Vec<String> = phrases.chain(labels).chain(single).chain(failure).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Judges what the page shows. Blocks are read containers first, then the title, then
/// free text; the first that names an error wins.
pub fn detect_page(catalog: &Catalog, url: &str, blocks: &[Block]) -> Option<Detection> {
    let service = watched_service(catalog, url)?;
    [BlockKind::Container, BlockKind::Title, BlockKind::Text]
        .iter()
        .flat_map(|kind| blocks.iter().filter(move |b| b.kind == *kind))
        .find_map(|b| {
            detect_block(catalog, &service.id, b).map(|(code, entry, code_shown)| Detection {
                code,
                entry,
                service: service.id.to_string(),
                evidence: Evidence::Page {
                    kind: b.kind,
                    code_shown,
                },
            })
        })
}

/// What the user says the service showed (`enter-code`), read leniently: any case, any
/// dash, spaces around. A known code of the service, a number its code labels introduce
/// (services with numeric codes), an HTTP status, or an unknown code of a known shape
/// (which gets the service's entry for unknown codes); else None.
pub fn detect_told(catalog: &Catalog, url: &str, typed: &str) -> Option<Detection> {
    let service = watched_service(catalog, url)?;
    let text = clip(typed.trim(), MAX_TOLD_CHARS)
        .replace(DASHES, "-")
        .to_ascii_uppercase();
    let found = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let by_number = service
            .numeric_codes
            .then(|| numbered_entry(catalog, &service.id, &text));
        let by_status = || {
            let status: u16 = text.parse().ok().filter(|s| (400..=599).contains(s))?;
            find_entry(catalog, &service.id, &|e| e.matcher.http.contains(&status))
        };
        by_number
            .flatten()
            .or_else(by_status)
            .map(|e| (text.clone(), e))
    } else {
        let token = code_tokens(&text)
            .next()
            .filter(|t| t.len() == text.len())?;
        entry_for_code(catalog, &service.id, token)
            .or_else(|| {
                (is_plausible_unknown(token) || is_one_group_code(token))
                    .then(|| unknown_entry(catalog, &service.id))
                    .flatten()
            })
            .map(|e| (token.to_string(), e))
    };
    let (code, entry) = found?;
    Some(Detection {
        code,
        entry: entry.id.to_string(),
        service: service.id.to_string(),
        evidence: Evidence::Told,
    })
}

/// Longest text `enter-code` reads: a code is a few dozen characters at most.
const MAX_TOLD_CHARS: usize = 40;

/// Judges an HTTP status answered on a watched host.
pub fn detect_http(catalog: &Catalog, url: &str, status: u16) -> Option<Detection> {
    let service = watched_service(catalog, url)?;
    let entry = find_entry(catalog, &service.id, &|e| e.matcher.http.contains(&status))?;
    Some(Detection {
        code: format!("HTTP-{status}"),
        entry: entry.id.to_string(),
        service: service.id.to_string(),
        evidence: Evidence::Http { status },
    })
}

/// Maps a browser network error string (Chromium `net::ERR_*`, Firefox `NS_ERROR_*`,
/// `SSL_ERROR_*`, `SEC_ERROR_*`) to a cause: `dns`, `proxy`, `offline`, `timeout`, `tls`,
/// `network`. `None` for errors that are not the network's fault (a cancelled load, a
/// request blocked by an extension).
pub fn net_cause(error: &str) -> Option<&'static str> {
    let e = error.trim().to_ascii_uppercase();
    let e = e.strip_prefix("NET::").unwrap_or(&e);
    let has = |needles: &[&str]| needles.iter().any(|n| crate::core::util::contains(e, n));
    if has(&[
        "ERR_ABORTED",
        "ERR_BLOCKED",
        "NS_BINDING_ABORTED",
        "NS_ERROR_ABORT",
    ]) {
        None
    } else if has(&["PROXY", "TUNNEL_CONNECTION", "SOCKS"]) {
        Some("proxy")
    } else if has(&[
        "NAME_NOT_RESOLVED",
        "NAME_RESOLUTION",
        "UNKNOWN_HOST",
        "DNS",
    ]) {
        Some("dns")
    } else if has(&["INTERNET_DISCONNECTED", "NS_ERROR_OFFLINE"]) {
        Some("offline")
    } else if has(&["TIMED_OUT", "TIMEOUT"]) {
        Some("timeout")
    } else if has(&[
        "CERT",
        "SSL",
        "SEC_ERROR",
        "TLS",
        // Firefox reports TLS failures as the security library's message text.
        "SECURE CONNECTION",
        "PROTOCOL VERSION",
        "ENCRYPTION ALGORITHM",
        "SECURITY",
    ]) {
        Some("tls")
    } else if has(&["ERR_", "NS_ERROR_"]) {
        Some("network")
    } else {
        None
    }
}

/// Judges a failed navigation of a watched host.
pub fn detect_net(catalog: &Catalog, url: &str, error: &str) -> Option<Detection> {
    let service = watched_service(catalog, url)?;
    let cause = net_cause(error)?;
    let entry = find_entry(catalog, &service.id, &|e| {
        e.matcher.net.iter().any(|n| n == cause)
    })?;
    Some(Detection {
        code: entry.id.to_string(),
        entry: entry.id.to_string(),
        service: service.id.to_string(),
        evidence: Evidence::Net {
            cause: cause.to_string(),
            error: clip(error, 120).to_string(),
        },
    })
}

// ---- decoding (see core::json)

crate::json_unit!(BlockKind { Container "container", Title "title", Text "text" });
crate::json_struct!(Block, deny, { kind: "kind" req, text: "text" req, place: "place" def });
crate::json_struct!(Placement, deny, default, {
    visible: "visible",
    dialog: "dialog",
    overlay: "overlay",
    alone: "alone",
    prose: "prose",
    on_video: "on_video",
    in_player: "in_player",
});
crate::json_tagged!(Evidence, "by", allow, {
    Page "page" { kind: "kind" req, code_shown: "code_shown" def },
    Http "http" { status: "status" req },
    Net "net" { cause: "cause" req, error: "error" req },
    Told "told" {},
});
crate::json_struct!(Detection, allow, {
    code: "code" req,
    entry: "entry" req,
    service: "service" req,
    evidence: "evidence" req,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalog {
        Catalog::embedded()
    }
    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            place: None,
            kind,
            text: text.into(),
        }
    }

    /// Free text measured on the screen.
    fn placed(text: &str, place: Placement) -> Block {
        Block {
            place: Some(place),
            kind: BlockKind::Text,
            text: text.into(),
        }
    }

    const OVERLAY: Placement = Placement {
        visible: true,
        dialog: false,
        overlay: true,
        alone: false,
        prose: false,
        on_video: false,
        in_player: false,
    };

    #[test]
    fn free_text_set_apart_as_an_error_screen_reads_as_one() {
        let c = cat();
        let screen = "Whoops, something went wrong... Unexpected Error There was an unexpected \
                      error. Please reload the page and try again. Error Code: M7121-1331-P7";
        let code = |b: Block, url: &str| detect_page(&c, url, &[b]).map(|d| d.code);
        // An overlay or a dialog: the unknown code of a known shape counts.
        assert_eq!(
            code(placed(screen, OVERLAY), URL),
            Some("M7121-1331-P7".into())
        );
        let dialog = Placement {
            overlay: false,
            dialog: true,
            ..OVERLAY
        };
        assert_eq!(
            code(placed(screen, dialog), URL),
            Some("M7121-1331-P7".into())
        );
        // The same words in the page's flow, hidden, in prose, or at article length: no.
        let flow = Placement {
            overlay: false,
            ..OVERLAY
        };
        assert_eq!(code(placed(screen, flow), URL), None);
        // A page that is only its error (no overlay, no dialog) is one too.
        let alone = Placement {
            alone: true,
            ..flow
        };
        assert_eq!(
            code(placed(screen, alone), URL),
            Some("M7121-1331-P7".into())
        );
        assert_eq!(code(block(BlockKind::Text, screen), URL), None);
        let hidden = Placement {
            visible: false,
            ..OVERLAY
        };
        assert_eq!(code(placed("Error Code: NSEZ-403", hidden), URL), None);
        let hidden_container = Block {
            kind: BlockKind::Container,
            ..placed("Error Code: NSEZ-403", hidden)
        };
        assert_eq!(code(hidden_container, URL), None);
        let prose = Placement {
            prose: true,
            ..OVERLAY
        };
        assert_eq!(code(placed(screen, prose), URL), None);
        let article = format!("{screen} {}", "and more words about it ".repeat(30));
        assert_eq!(code(placed(&article, OVERLAY), URL), None);
        // A bare number after a code label, up to seven digits (HBO Max's codes).
        let max = "https://play.max.com/video/watch/1";
        assert_eq!(
            code(
                placed("Something went wrong. Error Code: 2300005", OVERLAY),
                max
            ),
            Some("2300005".into())
        );
        let disney = "https://www.disneyplus.com/video/1";
        assert_eq!(
            code(
                placed(
                    "We're sorry, but we cannot play the video you requested. (Error Code 83)",
                    dialog
                ),
                disney
            ),
            Some("83".into())
        );
        // A code-less screen known by its words.
        assert!(code(placed("Pardon the interruption", OVERLAY), URL).is_some());
        assert_eq!(
            code(block(BlockKind::Text, "Pardon the interruption"), URL),
            None
        );
    }
    const URL: &str = "https://www.netflix.com/watch/123";

    #[test]
    fn container_code_is_detected() {
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Whoops. Error Code: NSEZ-503")],
        )
        .unwrap();
        assert_eq!(
            (d.code.as_str(), d.entry.as_str()),
            ("NSEZ-503", "NSEZ-503")
        );
    }

    #[test]
    fn prefix_family_keeps_shown_code() {
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Code M7111-1331-4027")],
        )
        .unwrap();
        assert_eq!(
            (d.code.as_str(), d.entry.as_str()),
            ("M7111-1331-4027", "M7111-1331-5059")
        );
    }

    #[test]
    fn device_letter_and_one_group_codes() {
        let c = cat();
        let read =
            |text: &str| detect_page(&c, URL, &[placed(text, OVERLAY)]).map(|d| (d.code, d.entry));
        // Another browser's letter before a known family: the same entry, its own code.
        assert_eq!(
            read("Error Code: S7111-1331-5059"),
            Some(("S7111-1331-5059".into(), "M7111-1331-5059".into()))
        );
        // One group, no dash: known to the catalog, it counts; unknown, it doesn't.
        assert_eq!(
            read("Pardon the interruption. F7375"),
            Some(("F7375".into(), "NF-7375".into()))
        );
        assert_eq!(read("Now playing in H264 and AAC51"), None);
        assert_eq!(read("Season 2 Episode 4: W1234"), None);
        // Capitals, a colon and digits are one code; a colon after a label ends a word.
        assert_eq!(
            read("Error – Cannot play title. Please try again later. (MSL:5003;)").map(|r| r.0),
            Some("MSL:5003".into())
        );
        assert_eq!(
            code_tokens("ERROR:NSEZ-403 at 12:30, HTTP:2").collect::<Vec<_>>(),
            ["NSEZ-403"]
        );
        let netflix = c.service("netflix").unwrap();
        assert!(hints(&c, netflix).iter().any(|h| h == "7375"));
        assert!(!hints(&c, c.service("disneyplus").unwrap())
            .iter()
            .any(|h| h == "73"));
    }

    #[test]
    fn a_screen_that_says_it_failed_in_words_no_entry_knows() {
        let c = cat();
        let read = |url: &str, b: Block| detect_page(&c, url, &[b]).map(|d| (d.code, d.entry));
        let unnamed = |code: &str| Some((code.to_string(), code.to_string()));
        let fr = "Oups, un problème est survenu... Veuillez recharger la page.";
        assert_eq!(read(URL, placed(fr, OVERLAY)), unnamed("SOMETHING-WRONG"));
        // The same words in prose, or not set apart, or hidden: nothing.
        let apart = [
            Placement {
                prose: true,
                ..OVERLAY
            },
            Placement {
                overlay: false,
                ..OVERLAY
            },
            Placement {
                visible: false,
                ..OVERLAY
            },
        ];
        for place in apart {
            assert_eq!(read(URL, placed(fr, place)), None, "{place:?}");
        }
        // Too long for a screen that only says it failed.
        let long = format!("{fr} {}", "mot ".repeat(60));
        assert_eq!(read(URL, placed(&long, OVERLAY)), None);
        // A code of one group is read on such a screen: known, or else as an unknown one.
        assert_eq!(
            read(URL, placed("エラーが発生しました E111", OVERLAY)),
            Some(("E111".into(), "NF-E111".into()))
        );
        assert_eq!(
            read(URL, placed("エラーが発生しました E9090", OVERLAY)),
            Some(("E9090".into(), "UNKNOWN".into()))
        );
        // Each service's own entry for it.
        let max = "https://play.max.com/video/watch/1";
        assert_eq!(
            read(
                max,
                placed("Se ha producido un error. Espere unos minutos.", OVERLAY)
            ),
            unnamed("MAX-SOMETHING-WRONG")
        );
        // A typographic apostrophe reads as the plain one the catalog writes.
        assert_eq!(
            read(
                URL,
                placed("We can\u{2019}t connect to Netflix right now", OVERLAY)
            ),
            unnamed("SOMETHING-WRONG")
        );
        // Languages written in other scripts, and an apology alone is not a failure.
        for text in [
            "Tekrar deneyin.",
            "Nešto je pošlo po zlu.",
            "Спробуйте ще раз.",
        ] {
            assert_eq!(
                read(URL, placed(text, OVERLAY)),
                unnamed("SOMETHING-WRONG"),
                "{text}"
            );
        }
        assert_eq!(read(URL, placed("Sorry to interrupt", OVERLAY)), None);
        // Words inside longer words don't count; a German compound does.
        assert_eq!(
            read(URL, placed("Terror in the erroneous harbour", OVERLAY)),
            None
        );
        assert_eq!(
            read(URL, placed("Wiedergabefehler", OVERLAY)),
            unnamed("SOMETHING-WRONG")
        );
        // The service's own error box counts only for what it says: its selector is a guess.
        let boxed = Block {
            kind: BlockKind::Container,
            ..placed("Loading", OVERLAY)
        };
        assert_eq!(read("https://www.youtube.com/embed/x", boxed), None);
    }

    #[test]
    fn a_box_on_the_video_counts_for_a_labelled_code_only() {
        let c = cat();
        let disney = "https://www.disneyplus.com/video/1";
        let on_video = Placement {
            overlay: false,
            on_video: true,
            ..OVERLAY
        };
        let read = |text: &str| {
            detect_page(&c, disney, &[placed(text, on_video)]).map(|d| (d.code, d.entry))
        };
        let toast = "We're currently experiencing slow internet connection speeds. Please \
                     check to see that you are still connected to the internet and try again \
                     (error code 42).";
        assert_eq!(read(toast), Some(("42".into(), "DISNEY-42".into())));
        // A subtitle line saying it failed, or naming a number, is not an error.
        assert_eq!(read("Something went wrong with the engine!"), None);
        assert_eq!(read("Error 42 is what they called him."), None);
    }

    #[test]
    fn a_bare_code_label_counts_only_in_the_player_s_place() {
        let c = cat();
        let max = "https://play.max.com/video/watch/1";
        let read = |text: &str, place: Placement| {
            detect_page(&c, max, &[placed(text, place)]).map(|d| d.code)
        };
        let player = Placement {
            in_player: true,
            ..OVERLAY
        };
        assert_eq!(read("Code: 2312400", player), Some("2312400".into()));
        // A sign-in code on a page or a dialog of its own is shown the same way.
        let alone = Placement {
            overlay: false,
            alone: true,
            ..OVERLAY
        };
        assert_eq!(read("Code: 739214", alone), None);
        assert_eq!(read("Code: 739214", OVERLAY), None);
        // Netflix's codes are no bare numbers: not even in its player.
        let d = detect_page(&c, URL, &[placed("Code: 2312400", player)]);
        assert_eq!(d, None);
    }

    #[test]
    fn a_one_group_code_on_a_screen_an_entry_knows_is_shown() {
        let c = cat();
        let page = "Pardon the Interruption Looks like your browser is not supported. Please \
                    install the latest version or try another browser. Error Code E109";
        let d = detect_page(&c, URL, &[placed(page, OVERLAY)]).map(|d| d.code);
        assert_eq!(d, Some("E109".into()));
    }

    #[test]
    fn code_labels_of_every_language_and_one_code_per_screen() {
        let c = cat();
        let disney = "https://www.disneyplus.com/video/1";
        let read = |b: Block| detect_page(&c, disney, &[b]).map(|d| d.code);
        assert_eq!(
            read(placed(
                "Er is een probleem met het afspelen. (Foutcode 41)",
                OVERLAY
            )),
            Some("41".into())
        );
        // A list of codes is a list, not a screen; on Netflix numbers are never codes.
        assert_eq!(
            read(placed(
                "Error Code 83 · Error Code 39 · Error Code 73",
                OVERLAY
            )),
            None
        );
        assert_eq!(
            read(placed(
                "Netflix Error F7121-1331 Disneyplus Error Code 83",
                OVERLAY
            )),
            None
        );
        assert_eq!(
            detect_page(&c, URL, &[placed("Pardon. Foutcode 41", OVERLAY)]).map(|d| d.code),
            Some("SOMETHING-WRONG".into())
        );
    }

    #[test]
    fn unknown_code_in_container_gets_generic_entry() {
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Error ABCD-1234")],
        )
        .unwrap();
        assert_eq!(
            (d.code.as_str(), d.entry.as_str()),
            ("ABCD-1234", "UNKNOWN")
        );
    }

    #[test]
    fn unknown_code_in_free_text_is_ignored() {
        assert!(detect_page(&cat(), URL, &[block(BlockKind::Text, "Error ABCD-1234")]).is_none());
    }

    #[test]
    fn long_article_naming_a_code_is_quiet() {
        let article = "If you see NSEZ-503 it usually means a connection problem. ".repeat(10);
        assert!(detect_page(&cat(), URL, &[block(BlockKind::Text, &article)]).is_none());
    }

    #[test]
    fn synopsis_naming_a_code_is_quiet_but_an_error_line_is_not() {
        let synopsis =
            "In this thriller an engineer keeps seeing the code NSEZ-503 on every screen.";
        assert!(detect_page(&cat(), URL, &[block(BlockKind::Text, synopsis)]).is_none());
        let line = "Código de error: NSEZ-403";
        assert_eq!(
            detect_page(&cat(), URL, &[block(BlockKind::Text, line)])
                .unwrap()
                .code,
            "NSEZ-403"
        );
    }

    #[test]
    fn help_host_is_quiet() {
        let b = [block(BlockKind::Container, "Error NSEZ-503")];
        assert!(detect_page(&cat(), "https://help.netflix.com/en/node/1", &b).is_none());
    }

    #[test]
    fn other_site_is_quiet() {
        let b = [block(BlockKind::Container, "Error NSEZ-503")];
        assert!(detect_page(&cat(), "https://example.org/", &b).is_none());
    }

    #[test]
    fn phrase_screens_in_two_languages() {
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Pardon the interruption")],
        )
        .unwrap();
        assert_eq!(d.code, "PARDON");
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Perdón por la interrupción")],
        )
        .unwrap();
        assert_eq!(d.code, "PARDON");
    }

    #[test]
    fn localized_code_is_anchor() {
        let d = detect_page(
            &cat(),
            URL,
            &[block(BlockKind::Container, "Código de error: NSEZ-403")],
        )
        .unwrap();
        assert_eq!(d.code, "NSEZ-403");
    }

    #[test]
    fn titles_with_numbers_are_not_codes() {
        for t in [
            "Blade Runner 2049",
            "Apollo 13",
            "2012",
            "WI-FI",
            "COVID-19 Stories",
            "S01-E02",
        ] {
            let b = [block(BlockKind::Title, t), block(BlockKind::Text, t)];
            assert_eq!(detect_page(&cat(), URL, &b), None, "{t}");
        }
        for t in ["Blade Runner 2049", "2012-2049", "WI-FI", "4K-HDR"] {
            let b = [block(BlockKind::Container, t)];
            assert_eq!(detect_page(&cat(), URL, &b), None, "{t}");
        }
    }

    #[test]
    fn http_statuses() {
        assert_eq!(detect_http(&cat(), URL, 503).unwrap().code, "HTTP-503");
        assert_eq!(detect_http(&cat(), URL, 502).unwrap().entry, "HTTP-502");
        assert_eq!(detect_http(&cat(), URL, 504).unwrap().entry, "HTTP-5XX");
        assert_eq!(detect_http(&cat(), URL, 403).unwrap().entry, "HTTP-403");
        assert!(detect_http(&cat(), URL, 200).is_none());
        assert!(detect_http(&cat(), "https://example.org/", 503).is_none());
    }

    #[test]
    fn net_errors() {
        let c = cat();
        assert_eq!(
            detect_net(&c, URL, "net::ERR_NAME_NOT_RESOLVED")
                .unwrap()
                .code,
            "DNS"
        );
        assert_eq!(
            detect_net(&c, URL, "net::ERR_PROXY_CONNECTION_FAILED")
                .unwrap()
                .code,
            "PROXY"
        );
        assert_eq!(
            detect_net(&c, URL, "net::ERR_INTERNET_DISCONNECTED")
                .unwrap()
                .code,
            "OFFLINE"
        );
        assert_eq!(
            detect_net(&c, URL, "net::ERR_CONNECTION_TIMED_OUT")
                .unwrap()
                .code,
            "NETWORK"
        );
        assert_eq!(
            detect_net(&c, URL, "NS_ERROR_UNKNOWN_HOST").unwrap().code,
            "DNS"
        );
        assert!(detect_net(&c, URL, "net::ERR_ABORTED").is_none());
        assert!(detect_net(&c, URL, "net::ERR_BLOCKED_BY_CLIENT").is_none());
    }

    #[test]
    fn host_parsing() {
        assert_eq!(
            host_of("https://user@WWW.Netflix.com:443/x").as_deref(),
            Some("www.netflix.com")
        );
        assert_eq!(host_of("chrome-extension://abc/popup.html"), None);
        assert_eq!(host_of("https://"), None);
    }

    #[test]
    fn clipping_respects_char_boundaries() {
        let s = "é".repeat(3000);
        assert!(clip(&s, MAX_BLOCK_CHARS).len() <= MAX_BLOCK_CHARS);
    }

    #[test]
    fn a_told_code_is_read_as_the_service_writes_it() {
        let c = cat();
        let told = |url: &str, typed: &str| {
            detect_told(&c, url, typed).map(|d| (d.code, d.entry, d.evidence))
        };
        let netflix = "https://www.netflix.com/watch/1";
        let prime = "https://www.primevideo.com/detail/1";
        assert_eq!(
            told(prime, " 7132 "),
            Some(("7132".into(), "PRIME-7132".into(), Evidence::Told))
        );
        // A device letter before a Netflix code family, typed in lower case.
        assert!(told(netflix, "m7111\u{2010}1331\u{2010}5059").is_some());
        // Not a code, or a code with more around it.
        for typed in ["", "hello", "7132 please", "NSEZ-403 NSEZ-503", "http://x"] {
            assert_eq!(told(netflix, typed), None, "{typed:?}");
        }
        // Not a watched page.
        assert_eq!(told("https://example.org/", "NSEZ-403"), None);
    }
}
