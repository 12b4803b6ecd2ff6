//! The connection check: is it the network, the service, or the browser?
//!
//! The extension measures in JS (a few small requests to the service, one timed
//! download, `navigator.onLine`, `navigator.connection`) and hands the raw figures here as
//! a [`Measurement`]; [`judge`] decides, [`explain`] words the result for the user and
//! [`summary_line`] gives the one line the support report carries.
//!
//! Rules, in order (the first that applies wins):
//!
//! 1. **offline** — the browser says it is offline (`online == false`), whatever else was
//!    measured; or every probe failed with a "disconnected" error.
//! 2. **service-error** — the service answered, but every answer was a 5xx (`500..=599`):
//!    it is down or overloaded, waiting helps. Probes that failed outright do not change
//!    this (at least one round trip to the service worked, so the network carried it);
//!    one answer below 500 does (the service works, at least in part).
//! 3. **unreachable** — there were probes and none got an answer. The cause is the most
//!    specific one seen (`proxy` > `dns` > `tls` > `timeout` > `network`). When every
//!    failure was a request blocked inside the browser (`ERR_BLOCKED_BY_CLIENT`: another
//!    extension), the place is `browser`, not `network`.
//! 4. **bandwidth** — from the download (`bytes * 8 / ms / 1000` Mbps) when it moved at
//!    least [`MIN_DOWNLOAD_BYTES`]; otherwise from `navigator.connection.downlink` (a
//!    rough estimate; Chromium caps it at 10 Mbps, so it can never claim 4K); otherwise
//!    from `effectiveType` when that says the link is very slow (`slow-2g`, `2g`, `3g`).
//!    `>= 15` → **4k**, `>= 5` → **hd**, `>= 1.5` → **sd**, below → **too-slow**.
//! 5. **no figure at all**, service reachable or not probed: the verdict is **sd** — the
//!    floor the other verdicts can't contradict — with `mbps: null`, `basis: "none"` and
//!    `where: "unknown"`: without a speed StreamFix neither blames nor clears the
//!    connection. The UI should say the speed could not be measured (see [`explain`]).
//!
//! Where: `network` for offline, unreachable and too-slow, or when some probes failed on
//! the network while others got through (DNS filter, proxy, VPN); `service` for
//! service-error; `browser` when the service answered and the speed is at least SD (the
//! connection is not what stops playback: stored site data or another extension more
//! likely are); `unknown` when nothing decides it.
//!
//! Bad numbers (NaN can't come through JSON, but negative, zero, infinite or absurdly
//! large ones can) are ignored or clamped: the result never holds a NaN or an infinity.

use serde::{Deserialize, Serialize};

use super::detector::net_cause;
use super::sentences::{self, connection::Key};
use super::util;

/// Download speed for HD (seed 001: "at least 5 Mbps for HD streaming").
pub const HD_MBPS: f64 = 5.0;
/// Download speed for 4K (seed 001: "15 Mbps for 4K").
pub const UHD_MBPS: f64 = 15.0;
/// Download speed below which streaming is called too slow. Not in the seeds: general
/// knowledge — Netflix's help pages have long called 1.5 Mbps the recommended minimum
/// broadband speed (0.5 Mbps the bare minimum, about 3 Mbps for full SD quality).
pub const SD_MBPS: f64 = 1.5;
/// A download smaller than this measures latency more than throughput; it is ignored
/// and the browser's estimate is used instead. The JS should fetch about 1 MB or more.
pub const MIN_DOWNLOAD_BYTES: u64 = 100_000;
/// A download shorter than this (ms) is not a measurement.
pub const MIN_DOWNLOAD_MS: f64 = 1.0;
/// Speeds above this (10 Gbit/s) are clamped: no home connection is faster.
pub const MAX_MBPS: f64 = 10_000.0;
/// Timings above this (10 minutes) are clamped.
pub const MAX_TIMING_MS: f64 = 600_000.0;
/// Only this many probes are read; the rest are ignored.
pub const MAX_PROBES: usize = 32;

/// What the extension measured, as raw figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// `navigator.onLine`.
    pub online: bool,
    /// Small requests to the service (and any other hosts worth probing).
    #[serde(default)]
    pub probes: Vec<Probe>,
    /// One timed download, if it completed.
    #[serde(default)]
    pub download: Option<Download>,
    /// `navigator.connection.effectiveType` (`slow-2g`, `2g`, `3g`, `4g`), if any.
    #[serde(default)]
    pub effective_type: Option<String>,
    /// `navigator.connection.downlink`, Mbps, if any.
    #[serde(default)]
    pub downlink_mbps: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// What was fetched; kept for the JS's own bookkeeping, never shown or reported.
    pub url: String,
    pub outcome: ProbeOutcome,
}

/// How one probe ended: `{"kind":"ok",...}` or `{"kind":"failed","error":...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ProbeOutcome {
    /// An answer came back. `status` 0 is an opaque (`no-cors`) answer: the service was
    /// reached, its status is unknown. Timings come from Resource Timing, in ms; 0 means
    /// unknown (cross-origin without `Timing-Allow-Origin`, reused connection...).
    /// `ttfb_ms` is the wait for the first byte after the request went out
    /// (`responseStart - requestStart`).
    Ok {
        status: u16,
        #[serde(default)]
        dns_ms: f64,
        #[serde(default)]
        connect_ms: f64,
        #[serde(default)]
        tls_ms: f64,
        #[serde(default)]
        ttfb_ms: f64,
        #[serde(default)]
        total_ms: f64,
    },
    /// No answer: the browser's error (`net::ERR_NAME_NOT_RESOLVED`, `Failed to fetch`,
    /// `NetworkError when attempting to fetch resource.`, or `timeout` from the JS's own
    /// time limit).
    Failed { error: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Download {
    /// Bytes that crossed the network, or (with `decoded`) the size of the decoded body.
    pub bytes: u64,
    /// From the response's headers to its last byte.
    pub ms: f64,
    /// `bytes` is the decoded size of a compressed body whose size on the network is
    /// unknown: more than crossed the network, so it says nothing about the speed.
    #[serde(default)]
    pub decoded: bool,
}

/// The `data-verdict` of the connection result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    #[serde(rename = "4k")]
    FourK,
    Hd,
    Sd,
    TooSlow,
    Unreachable,
    ServiceError,
    Offline,
    /// The service answered but no speed figure could be had.
    Unknown,
}

impl Verdict {
    /// The `data-verdict` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FourK => "4k",
            Verdict::Hd => "hd",
            Verdict::Sd => "sd",
            Verdict::TooSlow => "too-slow",
            Verdict::Unreachable => "unreachable",
            Verdict::ServiceError => "service-error",
            Verdict::Offline => "offline",
            Verdict::Unknown => "unknown",
        }
    }
}

/// Where the trouble most likely is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Where {
    Network,
    Service,
    Browser,
    Unknown,
}

/// Where the speed figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The timed download.
    Download,
    /// The browser's own estimate (`downlink` or `effectiveType`).
    Estimate,
    /// No speed figure at all.
    None,
}

/// Median timings over the probes that got an answer, ms, rounded to 0.1; `None` when
/// no probe reported that phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub dns_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    pub ttfb_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionResult {
    pub verdict: Verdict,
    /// Download speed in Mbps, rounded to 0.1 (0.01 below 0.1; the `data-mbps`); `None`
    /// when unknown.
    pub mbps: Option<f64>,
    /// Where `mbps` comes from.
    pub basis: Basis,
    /// At least one probe got an answer (any status).
    pub reached: bool,
    /// Network failure cause (`dns`, `proxy`, `offline`, `timeout`, `tls`, `network`).
    pub cause: Option<String>,
    #[serde(rename = "where")]
    pub where_: Where,
    /// The slowest phase of a request (`dns`, `connect`, `tls`, `server`).
    pub slowest_phase: Option<String>,
    pub figures: Figures,
}

/// How one failed probe failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The network's fault; the cause as `detector::net_cause` names it.
    Net(&'static str),
    /// Blocked inside the browser (another extension, a policy).
    Blocked,
    /// Cancelled or not recognised.
    Unknown,
}

fn failure_of(error: &str) -> Failure {
    let upper = error.to_ascii_uppercase();
    if util::contains(&upper, "BLOCKED_BY_CLIENT")
        || util::contains(&upper, "BLOCKED_BY_ADMINISTRATOR")
    {
        return Failure::Blocked;
    }
    if let Some(cause) = net_cause(error) {
        return Failure::Net(cause);
    }
    // What `fetch` rejects with: Chromium, Firefox, Safari. They hide the real cause.
    let lower = error.to_ascii_lowercase();
    let generic = [
        "failed to fetch",
        "networkerror",
        "network error",
        "load failed",
        "network request failed",
        "network connection was lost",
    ];
    if generic.iter().any(|g| util::contains(&lower, g)) {
        Failure::Net("network")
    } else {
        Failure::Unknown
    }
}

/// Most specific first: a proxy or DNS failure says more than a generic one.
const CAUSE_ORDER: [&str; 6] = ["proxy", "dns", "offline", "tls", "timeout", "network"];

fn main_cause(failures: &[Failure]) -> Option<&'static str> {
    CAUSE_ORDER
        .iter()
        .find(|c| failures.contains(&Failure::Net(c)))
        .copied()
}

/// A usable timing: finite and positive (0 is "unknown"), clamped.
fn timing(v: f64) -> Option<f64> {
    (v.is_finite() && v > 0.0).then(|| v.min(MAX_TIMING_MS))
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    super::util::sort_by(&mut values, |a, b| a.total_cmp(b).is_lt());
    let mid = values.len() / 2;
    let m = if values.len() % 2 == 1 {
        *values.get(mid)?
    } else {
        (*values.get(mid.checked_sub(1)?)? + *values.get(mid)?) / 2.0
    };
    Some(round1(m))
}

fn figures(probes: &[Probe]) -> Figures {
    let phase = |pick: fn(&ProbeOutcome) -> Option<f64>| -> Option<f64> {
        median(
            probes
                .iter()
                .filter_map(|p| pick(&p.outcome))
                .filter_map(timing)
                .collect(),
        )
    };
    Figures {
        dns_ms: phase(|o| match o {
            ProbeOutcome::Ok { dns_ms, .. } => Some(*dns_ms),
            ProbeOutcome::Failed { .. } => None,
        }),
        connect_ms: phase(|o| match o {
            ProbeOutcome::Ok { connect_ms, .. } => Some(*connect_ms),
            ProbeOutcome::Failed { .. } => None,
        }),
        tls_ms: phase(|o| match o {
            ProbeOutcome::Ok { tls_ms, .. } => Some(*tls_ms),
            ProbeOutcome::Failed { .. } => None,
        }),
        ttfb_ms: phase(|o| match o {
            ProbeOutcome::Ok { ttfb_ms, .. } => Some(*ttfb_ms),
            ProbeOutcome::Failed { .. } => None,
        }),
    }
}

fn slowest_phase(f: &Figures) -> Option<String> {
    [
        ("dns", f.dns_ms),
        ("connect", f.connect_ms),
        ("tls", f.tls_ms),
        ("server", f.ttfb_ms),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.map(|v| (name, v)))
    .max_by(|a, b| a.1.total_cmp(&b.1))
    .map(|(name, _)| name.to_string())
}

/// Rounded to 0.1, or to 0.01 below 0.1 Mbps so a crawl never reads as 0.
fn clamp_mbps(v: f64) -> Option<f64> {
    (v.is_finite() && v > 0.0).then(|| {
        if v < 0.1 {
            ((v * 100.0).round() / 100.0).max(0.01)
        } else {
            round1(v.min(MAX_MBPS))
        }
    })
}

/// The speed figure and where it comes from.
fn speed(m: &Measurement) -> (Option<f64>, Basis) {
    if let Some(d) = m.download {
        if !d.decoded
            && d.bytes >= MIN_DOWNLOAD_BYTES
            && d.ms.is_finite()
            && d.ms >= MIN_DOWNLOAD_MS
        {
            // u64 → f64 loses precision only above 2^53 bytes; harmless here.
            let mbps = d.bytes as f64 * 8.0 / d.ms / 1000.0;
            if let Some(v) = clamp_mbps(mbps) {
                return (Some(v), Basis::Download);
            }
        }
    }
    if let Some(v) = m.downlink_mbps.and_then(clamp_mbps) {
        return (Some(v), Basis::Estimate);
    }
    (None, Basis::None)
}

/// `effectiveType` values that mean under about 0.7 Mbps (per the Network Information
/// spec's table), i.e. below [`SD_MBPS`].
fn effective_type_is_slow(m: &Measurement) -> bool {
    m.effective_type
        .as_deref()
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| matches!(t.as_str(), "slow-2g" | "2g" | "3g"))
}

fn bandwidth_verdict(mbps: f64) -> Verdict {
    if mbps >= UHD_MBPS {
        Verdict::FourK
    } else if mbps >= HD_MBPS {
        Verdict::Hd
    } else if mbps >= SD_MBPS {
        Verdict::Sd
    } else {
        Verdict::TooSlow
    }
}

/// Judges a measurement. Never fails: odd input gives a cautious result.
pub fn judge(m: &Measurement) -> ConnectionResult {
    let probes = m.probes.get(..MAX_PROBES).unwrap_or(&m.probes);
    let mut result = ConnectionResult {
        verdict: Verdict::Offline,
        mbps: None,
        basis: Basis::None,
        reached: false,
        cause: None,
        where_: Where::Network,
        slowest_phase: None,
        figures: Figures::default(),
    };
    if !m.online {
        result.cause = Some("offline".into());
        return result;
    }

    let statuses: Vec<u16> = probes
        .iter()
        .filter_map(|p| match p.outcome {
            ProbeOutcome::Ok { status, .. } => Some(status),
            ProbeOutcome::Failed { .. } => None,
        })
        .collect();
    let failures: Vec<Failure> = probes
        .iter()
        .filter_map(|p| match &p.outcome {
            ProbeOutcome::Failed { error } => Some(failure_of(error)),
            ProbeOutcome::Ok { .. } => None,
        })
        .collect();
    let is_5xx = |s: &u16| (500..=599).contains(s);

    result.reached = !statuses.is_empty();
    result.figures = figures(probes);
    result.slowest_phase = slowest_phase(&result.figures);
    let (mbps, basis) = speed(m);
    result.mbps = mbps;
    result.basis = basis;
    let cause = main_cause(&failures);
    result.cause = cause.map(str::to_string);

    if result.reached && statuses.iter().all(is_5xx) {
        result.verdict = Verdict::ServiceError;
        result.where_ = Where::Service;
        // The network carried the answers; a probe that also timed out is not the story.
        result.cause = None;
        return result;
    }
    if !probes.is_empty() && !result.reached {
        if cause == Some("offline") {
            result.verdict = Verdict::Offline;
            result.mbps = None;
            result.basis = Basis::None;
            return result;
        }
        result.verdict = Verdict::Unreachable;
        result.where_ = if cause.is_some() {
            Where::Network
        } else if failures.iter().all(|f| *f == Failure::Blocked) {
            Where::Browser
        } else {
            Where::Unknown
        };
        return result;
    }

    // Some probes got through, or none was made: the speed decides.
    let network_trouble = failures.iter().any(|f| matches!(f, Failure::Net(_)));
    match mbps {
        Some(v) => {
            result.verdict = bandwidth_verdict(v);
            result.where_ = if result.verdict == Verdict::TooSlow || network_trouble {
                Where::Network
            } else if result.reached && basis == Basis::Download {
                Where::Browser
            } else {
                // The browser's estimate is too rough to clear the connection.
                Where::Unknown
            };
        }
        None if effective_type_is_slow(m) => {
            result.verdict = Verdict::TooSlow;
            result.basis = Basis::Estimate;
            result.where_ = Where::Network;
        }
        None => {
            result.verdict = Verdict::Unknown;
            result.where_ = if network_trouble {
                Where::Network
            } else {
                Where::Unknown
            };
        }
    }
    result
}

/// Parses the JSON the extension sends and judges it.
pub fn judge_json(json: &str) -> Result<ConnectionResult, String> {
    serde_json::from_str::<Measurement>(json)
        .map(|m| judge(&m))
        .map_err(|e| format!("bad measurement: {e}"))
}

/// Something the connection check says, by what it says: the words, in every language,
/// are in `data/sentences/connection.toml` ([`Line::say`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Line {
    Offline,
    CheckWifi,
    Unreachable { why: Why },
    TryExtensionsOff,
    LikelyBetweenOrDown,
    BetweenNotService,
    ServiceError,
    NothingToFix,
    Measured { mbps: f64 },
    Estimated { mbps: f64 },
    RatedVerySlow,
    AnsweredNotMeasured,
    NotMeasured,
    QualityHdUnmeasured,
    Quality4k,
    QualityHd,
    QualitySd,
    QualityTooSlow,
    TooSlowAdvice,
    AddressesFailed { label: Option<Label> },
    SlowLineLimitsPicture,
    NothingWrong,
    NotTheConnection,
    CantTell,
    Limits,
    // The support report's line, said in pieces (see [`summary`]).
    SumOffline,
    SumBlocked,
    SumUnreachable { label: Option<Label> },
    SumServiceError,
    SumMeasured { mbps: f64, quality: Quality },
    SumEstimated { mbps: f64, quality: Quality },
    SumVerySlow { quality: Quality },
    SumReachableUnmeasured,
    SumUnmeasured,
    SumAddressesFailed { label: Option<Label> },
}

/// Why the service could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Dns,
    Proxy,
    Timeout,
    Tls,
    Offline,
    Failed,
    BlockedInBrowser,
}

/// A failure's short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Dns,
    Proxy,
    Timeout,
    Tls,
    Offline,
    Failure,
}

/// What a speed is enough for, in the report's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    FourK,
    Hd,
    Sd,
    TooSlow,
    Unknown,
}

impl Why {
    fn of(cause: Option<&str>) -> Why {
        match cause {
            Some("dns") => Why::Dns,
            Some("proxy") => Why::Proxy,
            Some("timeout") => Why::Timeout,
            Some("tls") => Why::Tls,
            Some("offline") => Why::Offline,
            _ => Why::Failed,
        }
    }

    fn key(self) -> Key {
        match self {
            Why::Dns => Key::WhyDns,
            Why::Proxy => Key::WhyProxy,
            Why::Timeout => Key::WhyTimeout,
            Why::Tls => Key::WhyTls,
            Why::Offline => Key::WhyOffline,
            Why::Failed => Key::WhyFailed,
            Why::BlockedInBrowser => Key::WhyBlockedInBrowser,
        }
    }
}

impl Label {
    fn of(cause: &str) -> Label {
        match cause {
            "dns" => Label::Dns,
            "proxy" => Label::Proxy,
            "timeout" => Label::Timeout,
            "tls" => Label::Tls,
            "offline" => Label::Offline,
            _ => Label::Failure,
        }
    }

    fn key(self) -> Key {
        match self {
            Label::Dns => Key::LabelDns,
            Label::Proxy => Key::LabelProxy,
            Label::Timeout => Key::LabelTimeout,
            Label::Tls => Key::LabelTls,
            Label::Offline => Key::LabelOffline,
            Label::Failure => Key::LabelFailure,
        }
    }
}

impl Quality {
    fn key(self) -> Key {
        match self {
            Quality::FourK => Key::SumQ4k,
            Quality::Hd => Key::SumQHd,
            Quality::Sd => Key::SumQSd,
            Quality::TooSlow => Key::SumQTooSlow,
            Quality::Unknown => Key::SumQUnknown,
        }
    }
}

impl Line {
    fn key(&self) -> Key {
        match self {
            Line::Offline => Key::Offline,
            Line::CheckWifi => Key::CheckWifi,
            Line::Unreachable { .. } => Key::Unreachable,
            Line::TryExtensionsOff => Key::TryExtensionsOff,
            Line::LikelyBetweenOrDown => Key::LikelyBetweenOrDown,
            Line::BetweenNotService => Key::BetweenNotService,
            Line::ServiceError => Key::ServiceError,
            Line::NothingToFix => Key::NothingToFix,
            Line::Measured { .. } => Key::Measured,
            Line::Estimated { .. } => Key::Estimated,
            Line::RatedVerySlow => Key::RatedVerySlow,
            Line::AnsweredNotMeasured => Key::AnsweredNotMeasured,
            Line::NotMeasured => Key::NotMeasured,
            Line::QualityHdUnmeasured => Key::QualityHdUnmeasured,
            Line::Quality4k => Key::Quality4k,
            Line::QualityHd => Key::QualityHd,
            Line::QualitySd => Key::QualitySd,
            Line::QualityTooSlow => Key::QualityTooSlow,
            Line::TooSlowAdvice => Key::TooSlowAdvice,
            Line::AddressesFailed { label: None } => Key::AddressesFailed,
            Line::AddressesFailed { label: Some(_) } => Key::AddressesFailedBecause,
            Line::SlowLineLimitsPicture => Key::SlowLineLimitsPicture,
            Line::NothingWrong => Key::NothingWrong,
            Line::NotTheConnection => Key::NotTheConnection,
            Line::CantTell => Key::CantTell,
            Line::Limits => Key::Limits,
            Line::SumOffline => Key::SumOffline,
            Line::SumBlocked => Key::SumBlocked,
            Line::SumUnreachable { label: None } => Key::SumUnreachable,
            Line::SumUnreachable { label: Some(_) } => Key::SumUnreachableBecause,
            Line::SumServiceError => Key::SumServiceError,
            Line::SumMeasured { .. } => Key::SumMeasured,
            Line::SumEstimated { .. } => Key::SumEstimated,
            Line::SumVerySlow { .. } => Key::SumVerySlow,
            Line::SumReachableUnmeasured => Key::SumReachableUnmeasured,
            Line::SumUnmeasured => Key::SumUnmeasured,
            Line::SumAddressesFailed { label: None } => Key::SumAddressesFailed,
            Line::SumAddressesFailed { label: Some(_) } => Key::SumAddressesFailedBecause,
        }
    }

    /// The line in the language of the UI tag `lang` (English for one with no words).
    pub fn say(&self, lang: &str) -> String {
        let l = sentences::lang_index(lang);
        let words = self.key().words(l);
        let speed;
        let args: &[(&str, &str)] = match *self {
            Line::Unreachable { why } => &[("why", why.key().words(l))],
            Line::Measured { mbps } | Line::Estimated { mbps } => {
                speed = format_mbps(mbps, lang);
                &[("mbps", &speed)]
            }
            Line::AddressesFailed { label: Some(c) }
            | Line::SumUnreachable { label: Some(c) }
            | Line::SumAddressesFailed { label: Some(c) } => &[("label", c.key().words(l))],
            Line::SumMeasured { mbps, quality } | Line::SumEstimated { mbps, quality } => {
                speed = format_mbps(mbps, lang);
                &[("mbps", &speed), ("quality", quality.key().words(l))]
            }
            Line::SumVerySlow { quality } => &[("quality", quality.key().words(l))],
            _ => &[],
        };
        sentences::fill(words, args)
    }
}

/// A speed with one decimal (two below 0.1), with the language's decimal mark (`7.5` /
/// `7,5`, from the sentence data).
pub fn format_mbps(mbps: f64, lang: &str) -> String {
    let s = if mbps > 0.0 && mbps < 0.1 {
        decimals(mbps, 2)
    } else {
        decimals(mbps, 1)
    };
    s.replace('.', Key::DecimalMark.words(sentences::lang_index(lang)))
}

// The sentences write HD_MBPS and UHD_MBPS out as 5 and 15 (no formatting code).
const _: () = assert!(HD_MBPS == 5.0 && UHD_MBPS == 15.0);

/// What the speed supports. A browser's estimate (Chrome's stops at 10 Mbps) can't rule
/// 4K out, so it never says "not for 4K".
fn quality_line(verdict: Verdict, measured: bool) -> Option<Line> {
    Some(match verdict {
        Verdict::Hd if !measured => Line::QualityHdUnmeasured,
        Verdict::FourK => Line::Quality4k,
        Verdict::Hd => Line::QualityHd,
        Verdict::Sd => Line::QualitySd,
        Verdict::TooSlow => Line::QualityTooSlow,
        _ => return None,
    })
}

/// `v` with `places` decimals, like `format!("{v:.places$}")` for the figures shown
/// (already rounded to that many decimals, see [`clamp_mbps`]), in integer arithmetic: the
/// float formatter is a large part of a wasm binary. Figures beyond 10^15 saturate.
fn decimals(v: f64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let n = (v.abs() * scale as f64).round() as u64;
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let whole = n / scale;
    if places == 0 {
        return format!("{sign}{whole}");
    }
    let frac = (n % scale).to_string();
    let pad = "0".repeat(places as usize - frac.len());
    format!("{sign}{whole}.{pad}{frac}")
}

/// Two to four plain sentences for the user: what was measured, which quality it
/// supports, what it means for the diagnosis, and the limits of the check.
pub fn explain(result: &ConnectionResult, lang: &str) -> Vec<String> {
    explain_for(result, lang, true)
}

/// [`explain`], for a tab with an error on screen or without one: with none, nothing is
/// "stopping playback", so the sentence placing the cause of an error is left out.
pub fn explain_for(result: &ConnectionResult, lang: &str, error_shown: bool) -> Vec<String> {
    explain_lines(result, error_shown)
        .iter()
        .map(|l| l.say(lang))
        .collect()
}

/// What [`explain_for`] says, as typed lines.
pub fn explain_lines(result: &ConnectionResult, error_shown: bool) -> Vec<Line> {
    let mut out = Vec::new();
    let cause = result.cause.as_deref();
    match result.verdict {
        Verdict::Offline => {
            out.push(Line::Offline);
            out.push(Line::CheckWifi);
        }
        Verdict::Unreachable => {
            let why = if result.where_ == Where::Browser {
                Why::BlockedInBrowser
            } else {
                Why::of(cause)
            };
            out.push(Line::Unreachable { why });
            out.push(match result.where_ {
                Where::Browser => Line::TryExtensionsOff,
                // No answer at all, or a refused connection: the service may be down too.
                _ if matches!(cause, Some("timeout" | "network") | None) => {
                    Line::LikelyBetweenOrDown
                }
                _ => Line::BetweenNotService,
            });
        }
        Verdict::ServiceError => {
            out.push(Line::ServiceError);
            out.push(Line::NothingToFix);
        }
        Verdict::FourK | Verdict::Hd | Verdict::Sd | Verdict::TooSlow | Verdict::Unknown => {
            match (result.basis, result.mbps) {
                (Basis::Download, Some(mbps)) => {
                    out.push(Line::Measured { mbps });
                    out.extend(quality_line(result.verdict, true));
                }
                (Basis::Estimate, Some(mbps)) => {
                    out.push(Line::Estimated { mbps });
                    out.extend(quality_line(result.verdict, false));
                }
                (Basis::Estimate, None) => {
                    out.push(Line::RatedVerySlow);
                    out.extend(quality_line(result.verdict, false));
                }
                _ => out.push(if result.reached {
                    Line::AnsweredNotMeasured
                } else {
                    Line::NotMeasured
                }),
            }
            out.push(match (result.verdict, result.where_) {
                (Verdict::TooSlow, _) => Line::TooSlowAdvice,
                (_, Where::Network) => Line::AddressesFailed {
                    label: cause.map(Label::of),
                },
                (Verdict::Sd, Where::Browser) if !error_shown => Line::SlowLineLimitsPicture,
                (_, Where::Browser) if !error_shown => Line::NothingWrong,
                (_, Where::Browser) => Line::NotTheConnection,
                _ => Line::CantTell,
            });
        }
    }
    out.push(Line::Limits);
    out
}

/// One line for the support report (`ReportInput::connection`).
pub fn summary_line(result: &ConnectionResult, lang: &str) -> String {
    summary(result).iter().map(|l| l.say(lang)).collect()
}

/// What [`summary_line`] says, as the typed pieces it is made of.
pub fn summary(result: &ConnectionResult) -> Vec<Line> {
    let label = result.cause.as_deref().map(Label::of);
    let main = match result.verdict {
        Verdict::Offline => Line::SumOffline,
        Verdict::Unreachable if result.where_ == Where::Browser => Line::SumBlocked,
        Verdict::Unreachable => Line::SumUnreachable { label },
        Verdict::ServiceError => Line::SumServiceError,
        v => {
            let quality = match v {
                Verdict::FourK => Quality::FourK,
                Verdict::Hd => Quality::Hd,
                Verdict::Sd => Quality::Sd,
                Verdict::Unknown => Quality::Unknown,
                _ => Quality::TooSlow,
            };
            let main = match (result.basis, result.mbps) {
                (Basis::Download, Some(mbps)) => Line::SumMeasured { mbps, quality },
                (Basis::Estimate, Some(mbps)) => Line::SumEstimated { mbps, quality },
                (Basis::Estimate, None) => Line::SumVerySlow { quality },
                _ if result.reached => Line::SumReachableUnmeasured,
                _ => Line::SumUnmeasured,
            };
            if result.where_ == Where::Network && v != Verdict::TooSlow {
                return vec![main, Line::SumAddressesFailed { label }];
            }
            main
        }
    };
    vec![main]
}

// ---- decoding (see core::json)

crate::json_struct!(Measurement, deny, {
    online: "online" req,
    probes: "probes" def,
    download: "download" def,
    effective_type: "effective_type" def,
    downlink_mbps: "downlink_mbps" def,
});
crate::json_struct!(Probe, deny, { url: "url" req, outcome: "outcome" req });
crate::json_tagged!(ProbeOutcome, "kind", deny, {
    Ok "ok" {
        status: "status" req,
        dns_ms: "dns_ms" def,
        connect_ms: "connect_ms" def,
        tls_ms: "tls_ms" def,
        ttfb_ms: "ttfb_ms" def,
        total_ms: "total_ms" def,
    },
    Failed "failed" { error: "error" req },
});
crate::json_struct!(Download, deny, { bytes: "bytes" req, ms: "ms" req, decoded: "decoded" def });
crate::json_unit!(Verdict {
    FourK "4k",
    Hd "hd",
    Sd "sd",
    TooSlow "too-slow",
    Unreachable "unreachable",
    ServiceError "service-error",
    Offline "offline",
    Unknown "unknown",
});
crate::json_unit!(Where { Network "network", Service "service", Browser "browser", Unknown "unknown" });
crate::json_unit!(Basis { Download "download", Estimate "estimate", None "none" });
crate::json_struct!(Figures, allow, {
    dns_ms: "dns_ms" req,
    connect_ms: "connect_ms" req,
    tls_ms: "tls_ms" req,
    ttfb_ms: "ttfb_ms" req,
});
crate::json_struct!(ConnectionResult, allow, {
    verdict: "verdict" req,
    mbps: "mbps" req,
    basis: "basis" req,
    reached: "reached" req,
    cause: "cause" req,
    where_: "where" req,
    slowest_phase: "slowest_phase" req,
    figures: "figures" req,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(status: u16) -> Probe {
        Probe {
            url: "https://www.netflix.com/favicon.ico".into(),
            outcome: ProbeOutcome::Ok {
                status,
                dns_ms: 12.0,
                connect_ms: 20.0,
                tls_ms: 30.0,
                ttfb_ms: 45.0,
                total_ms: 110.0,
            },
        }
    }
    fn failed(error: &str) -> Probe {
        Probe {
            url: "https://www.netflix.com/favicon.ico".into(),
            outcome: ProbeOutcome::Failed {
                error: error.into(),
            },
        }
    }
    /// A 2 MB download at `mbps`.
    fn dl(mbps: f64) -> Option<Download> {
        Some(Download {
            bytes: 2_000_000,
            ms: 2_000_000.0 * 8.0 / mbps / 1000.0,
            decoded: false,
        })
    }
    fn meas(probes: Vec<Probe>, download: Option<Download>) -> Measurement {
        Measurement {
            online: true,
            probes,
            download,
            effective_type: None,
            downlink_mbps: None,
        }
    }
    fn no_nan(r: &ConnectionResult) {
        let json = serde_json::to_string(r).unwrap();
        assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in ["dns_ms", "connect_ms", "tls_ms", "ttfb_ms"] {
            let f = &v["figures"][key];
            assert!(f.is_null() || f.as_f64().unwrap().is_finite(), "{json}");
        }
        if let Some(m) = r.mbps {
            assert!(m.is_finite() && (0.0..=MAX_MBPS).contains(&m), "{json}");
        }
    }
    fn check(r: &ConnectionResult) {
        no_nan(r);
        for lang in ["en", "es-419"] {
            let s = explain(r, lang);
            assert!((2..=4).contains(&s.len()), "{lang}: {s:?}");
            assert!(s.iter().all(|x| !x.is_empty() && !x.contains("NaN")));
            assert!(!summary_line(r, lang).is_empty());
        }
    }

    #[test]
    fn healthy_fast_connection_points_at_the_browser() {
        let r = judge(&meas(vec![ok(200), ok(204), ok(200)], dl(50.0)));
        check(&r);
        assert_eq!(r.verdict, Verdict::FourK);
        assert_eq!(r.where_, Where::Browser);
        assert_eq!(r.mbps, Some(50.0));
        assert_eq!(r.basis, Basis::Download);
        assert!(r.reached);
        assert_eq!(r.cause, None);
        assert_eq!(
            r.figures,
            Figures {
                dns_ms: Some(12.0),
                connect_ms: Some(20.0),
                tls_ms: Some(30.0),
                ttfb_ms: Some(45.0)
            }
        );
        assert_eq!(r.slowest_phase.as_deref(), Some("server"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["verdict"], "4k");
        assert_eq!(json["where"], "browser");
        assert_eq!(json["basis"], "download");
        assert_eq!(
            explain_lines(&r, true),
            [
                Line::Measured { mbps: 50.0 },
                Line::Quality4k,
                Line::NotTheConnection,
                Line::Limits
            ]
        );
        let text = explain(&r, "en").join(" ");
        assert!(
            text.contains("50.0 Mbps") && text.contains("fast.com"),
            "{text}"
        );
    }

    #[test]
    fn seven_mbps_is_hd() {
        let r = judge(&meas(vec![ok(200)], dl(7.0)));
        check(&r);
        assert_eq!((r.verdict, r.mbps), (Verdict::Hd, Some(7.0)));
        assert_eq!(r.where_, Where::Browser);
        assert_eq!(
            explain_lines(&r, true)[..2],
            [Line::Measured { mbps: 7.0 }, Line::QualityHd]
        );
        let es = explain(&r, "es").join(" ");
        assert!(
            es.contains("7,0 Mbps") && es.contains("unos 5 Mbps"),
            "{es}"
        );
    }

    #[test]
    fn twenty_mbps_is_4k() {
        let r = judge(&meas(vec![ok(200)], dl(20.0)));
        check(&r);
        assert_eq!((r.verdict, r.mbps), (Verdict::FourK, Some(20.0)));
    }

    #[test]
    fn two_mbps_is_sd_and_half_is_too_slow() {
        let r = judge(&meas(vec![ok(200)], dl(2.0)));
        check(&r);
        assert_eq!((r.verdict, r.where_), (Verdict::Sd, Where::Browser));
        let r = judge(&meas(vec![ok(200)], dl(0.5)));
        check(&r);
        assert_eq!(r.verdict, Verdict::TooSlow);
        assert_eq!(r.where_, Where::Network);
        assert_eq!(serde_json::to_value(&r).unwrap()["verdict"], "too-slow");
    }

    #[test]
    fn thresholds_are_inclusive() {
        assert_eq!(bandwidth_verdict(UHD_MBPS), Verdict::FourK);
        assert_eq!(bandwidth_verdict(14.9), Verdict::Hd);
        assert_eq!(bandwidth_verdict(HD_MBPS), Verdict::Hd);
        assert_eq!(bandwidth_verdict(4.9), Verdict::Sd);
        assert_eq!(bandwidth_verdict(SD_MBPS), Verdict::Sd);
        assert_eq!(bandwidth_verdict(1.4), Verdict::TooSlow);
    }

    #[test]
    fn all_probes_dns_failed() {
        let e = "net::ERR_NAME_NOT_RESOLVED";
        let r = judge(&meas(vec![failed(e), failed(e)], None));
        check(&r);
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!(r.cause.as_deref(), Some("dns"));
        assert_eq!(r.where_, Where::Network);
        assert!(!r.reached);
        assert_eq!(r.figures, Figures::default());
        assert_eq!(r.slowest_phase, None);
        assert_eq!(
            explain_lines(&r, true)[..2],
            [Line::Unreachable { why: Why::Dns }, Line::BetweenNotService]
        );
        assert!(explain(&r, "es").join(" ").contains("DNS"));
    }

    #[test]
    fn all_probes_proxy_failed() {
        let r = judge(&meas(
            vec![
                failed("net::ERR_PROXY_CONNECTION_FAILED"),
                failed("net::ERR_TUNNEL_CONNECTION_FAILED"),
            ],
            None,
        ));
        check(&r);
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!(r.cause.as_deref(), Some("proxy"));
        assert_eq!(r.where_, Where::Network);
        assert_eq!(
            explain_lines(&r, true)[0],
            Line::Unreachable { why: Why::Proxy }
        );
    }

    #[test]
    fn proxy_wins_over_a_generic_failure() {
        let r = judge(&meas(
            vec![
                failed("Failed to fetch"),
                failed("net::ERR_PROXY_CONNECTION_FAILED"),
                failed("timeout"),
            ],
            None,
        ));
        assert_eq!(r.cause.as_deref(), Some("proxy"));
    }

    #[test]
    fn firefox_and_generic_fetch_errors() {
        let r = judge(&meas(
            vec![
                failed("NetworkError when attempting to fetch resource."),
                failed("TypeError: Failed to fetch"),
                failed("Load failed"),
            ],
            None,
        ));
        check(&r);
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!(r.cause.as_deref(), Some("network"));
        assert_eq!(r.where_, Where::Network);
        let r = judge(&meas(
            vec![
                failed("NS_ERROR_UNKNOWN_HOST"),
                failed("NS_ERROR_NET_TIMEOUT"),
            ],
            None,
        ));
        assert_eq!(r.cause.as_deref(), Some("dns"));
        let r = judge(&meas(vec![failed("timeout"), failed("timeout")], None));
        assert_eq!(r.cause.as_deref(), Some("timeout"));
        let r = judge(&meas(
            vec![failed("SSL_ERROR_BAD_CERT_DOMAIN"), failed("timeout")],
            None,
        ));
        assert_eq!(r.cause.as_deref(), Some("tls"));
    }

    #[test]
    fn requests_blocked_by_another_extension_point_at_the_browser() {
        let r = judge(&meas(
            vec![
                failed("net::ERR_BLOCKED_BY_CLIENT"),
                failed("net::ERR_BLOCKED_BY_CLIENT"),
            ],
            None,
        ));
        check(&r);
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!((r.cause.as_deref(), r.where_), (None, Where::Browser));
        assert_eq!(
            explain_lines(&r, true)[..2],
            [
                Line::Unreachable {
                    why: Why::BlockedInBrowser
                },
                Line::TryExtensionsOff
            ]
        );
        assert_eq!(summary(&r), [Line::SumBlocked]);
    }

    #[test]
    fn unrecognised_failures_are_unreachable_without_a_place() {
        let r = judge(&meas(vec![failed("AbortError"), failed("")], None));
        check(&r);
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!((r.cause.as_deref(), r.where_), (None, Where::Unknown));
    }

    #[test]
    fn offline_wins_over_everything() {
        let mut m = meas(vec![ok(200), ok(200)], dl(100.0));
        m.online = false;
        m.downlink_mbps = Some(10.0);
        let r = judge(&m);
        check(&r);
        assert_eq!(r.verdict, Verdict::Offline);
        assert_eq!(r.where_, Where::Network);
        assert_eq!(r.cause.as_deref(), Some("offline"));
        assert_eq!(r.mbps, None);
        assert_eq!(serde_json::to_value(&r).unwrap()["verdict"], "offline");
    }

    #[test]
    fn disconnected_errors_count_as_offline() {
        let e = "net::ERR_INTERNET_DISCONNECTED";
        let r = judge(&meas(vec![failed(e), failed(e)], dl(20.0)));
        check(&r);
        assert_eq!(r.verdict, Verdict::Offline);
        assert_eq!(r.mbps, None);
    }

    #[test]
    fn server_errors_are_the_service() {
        let r = judge(&meas(vec![ok(503), ok(503), ok(502)], dl(30.0)));
        check(&r);
        assert_eq!(r.verdict, Verdict::ServiceError);
        assert_eq!(r.where_, Where::Service);
        assert_eq!(r.mbps, Some(30.0));
        assert_eq!(
            serde_json::to_value(&r).unwrap()["verdict"],
            "service-error"
        );
        assert_eq!(
            explain_lines(&r, true)[..2],
            [Line::ServiceError, Line::NothingToFix]
        );
        // A failed probe beside the 5xx answers does not change it.
        let r = judge(&meas(vec![ok(503), failed("timeout")], None));
        assert_eq!(r.verdict, Verdict::ServiceError);
        assert_eq!(r.cause, None);
    }

    #[test]
    fn mixed_answers_are_not_a_service_error() {
        let r = judge(&meas(vec![ok(503), ok(200)], dl(8.0)));
        check(&r);
        assert_eq!(r.verdict, Verdict::Hd);
        assert_eq!(r.where_, Where::Browser);
        // 4xx and opaque answers mean the service was reached.
        let r = judge(&meas(vec![ok(403), ok(0)], dl(8.0)));
        assert_eq!((r.verdict, r.where_), (Verdict::Hd, Where::Browser));
    }

    #[test]
    fn some_probes_failing_on_the_network_points_at_the_network() {
        let r = judge(&meas(
            vec![ok(200), failed("net::ERR_NAME_NOT_RESOLVED"), ok(200)],
            dl(25.0),
        ));
        check(&r);
        assert_eq!(r.verdict, Verdict::FourK);
        assert_eq!(r.where_, Where::Network);
        assert_eq!(r.cause.as_deref(), Some("dns"));
        assert!(r.reached);
        let dns = Some(Label::Dns);
        assert!(explain_lines(&r, true).contains(&Line::AddressesFailed { label: dns }));
        assert_eq!(summary(&r)[1], Line::SumAddressesFailed { label: dns });
        assert!(summary_line(&r, "en").contains("some addresses failed (DNS)"));
        // A probe blocked by another extension is not the network's fault.
        let r = judge(&meas(
            vec![ok(200), failed("net::ERR_BLOCKED_BY_CLIENT")],
            dl(25.0),
        ));
        assert_eq!(r.where_, Where::Browser);
    }

    #[test]
    fn zero_timings_are_unknown() {
        let p = Probe {
            url: "u".into(),
            outcome: ProbeOutcome::Ok {
                status: 200,
                dns_ms: 0.0,
                connect_ms: 0.0,
                tls_ms: 0.0,
                ttfb_ms: 0.0,
                total_ms: 0.0,
            },
        };
        let r = judge(&meas(vec![p.clone(), p], dl(6.0)));
        check(&r);
        assert_eq!(r.figures, Figures::default());
        assert_eq!(r.slowest_phase, None);
        assert_eq!(r.verdict, Verdict::Hd);
    }

    #[test]
    fn medians_skip_unknown_phases() {
        let p = |dns: f64, ttfb: f64| Probe {
            url: "u".into(),
            outcome: ProbeOutcome::Ok {
                status: 200,
                dns_ms: dns,
                connect_ms: 0.0,
                tls_ms: 0.0,
                ttfb_ms: ttfb,
                total_ms: 0.0,
            },
        };
        let r = judge(&meas(
            vec![p(300.0, 10.0), p(0.0, 30.0), p(100.0, 20.0)],
            None,
        ));
        assert_eq!(r.figures.dns_ms, Some(200.0));
        assert_eq!(r.figures.ttfb_ms, Some(20.0));
        assert_eq!(r.figures.connect_ms, None);
        assert_eq!(r.slowest_phase.as_deref(), Some("dns"));
    }

    #[test]
    fn bad_numbers_never_panic_or_leak() {
        let p = |v: f64| Probe {
            url: "u".into(),
            outcome: ProbeOutcome::Ok {
                status: u16::MAX,
                dns_ms: v,
                connect_ms: -v,
                tls_ms: v * 2.0,
                ttfb_ms: v,
                total_ms: v,
            },
        };
        for v in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -5.0,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            for download in [
                Some(Download {
                    bytes: u64::MAX,
                    ms: v,
                    decoded: false,
                }),
                Some(Download {
                    bytes: 0,
                    ms: v,
                    decoded: false,
                }),
                Some(Download {
                    bytes: 1_000_000,
                    ms: v,
                    decoded: false,
                }),
                None,
            ] {
                let mut m = meas(vec![p(v), p(v)], download);
                m.downlink_mbps = Some(v);
                m.effective_type = Some("\u{0}weird".repeat(100));
                let r = judge(&m);
                check(&r);
                if let Some(ms) = r.figures.dns_ms {
                    assert!(ms <= MAX_TIMING_MS);
                }
            }
        }
        // A huge download in no time is clamped, not infinite.
        let r = judge(&meas(
            vec![ok(200)],
            Some(Download {
                bytes: u64::MAX,
                ms: MIN_DOWNLOAD_MS,
                decoded: false,
            }),
        ));
        check(&r);
        assert_eq!(r.mbps, Some(MAX_MBPS));
        // Many probes are cut, not a problem.
        let r = judge(&meas(vec![ok(200); 10_000], dl(6.0)));
        assert_eq!(r.verdict, Verdict::Hd);
    }

    #[test]
    fn tiny_download_falls_back_to_the_browser_estimate() {
        let mut m = meas(
            vec![ok(200)],
            Some(Download {
                bytes: 2_000,
                ms: 1.0,
                decoded: false,
            }),
        );
        m.downlink_mbps = Some(10.0);
        let r = judge(&m);
        check(&r);
        assert_eq!(
            (r.verdict, r.mbps, r.basis),
            (Verdict::Hd, Some(10.0), Basis::Estimate)
        );
        assert_eq!(
            explain_lines(&r, true)[..2],
            [Line::Estimated { mbps: 10.0 }, Line::QualityHdUnmeasured]
        );
    }

    #[test]
    fn slow_effective_type_without_figures_is_too_slow() {
        let mut m = meas(vec![ok(200)], None);
        m.effective_type = Some("2g".into());
        let r = judge(&m);
        check(&r);
        assert_eq!(
            (r.verdict, r.mbps, r.basis),
            (Verdict::TooSlow, None, Basis::Estimate)
        );
        m.effective_type = Some("4g".into());
        assert_eq!(judge(&m).verdict, Verdict::Unknown);
    }

    #[test]
    fn a_compressed_download_of_unknown_size_on_the_wire_is_no_speed() {
        // 600 KB decoded from perhaps 100 KB sent: it would read six times too fast.
        let d = Download {
            bytes: 600_000,
            ms: 800.0,
            decoded: true,
        };
        let r = judge(&meas(vec![ok(200)], Some(d)));
        assert_eq!(
            (r.mbps, r.basis, r.verdict),
            (None, Basis::None, Verdict::Unknown)
        );
        let d = Download {
            decoded: false,
            ..d
        };
        let r = judge(&meas(vec![ok(200)], Some(d)));
        assert_eq!((r.mbps, r.basis), (Some(6.0), Basis::Download));
    }

    #[test]
    fn the_browsers_estimate_neither_clears_the_connection_nor_rules_4k_out() {
        let mut m = meas(vec![ok(200), ok(200)], None);
        // Chrome's estimate stops at 10 Mbps.
        m.downlink_mbps = Some(10.0);
        let r = judge(&m);
        assert_eq!(
            (r.verdict, r.basis, r.where_),
            (Verdict::Hd, Basis::Estimate, Where::Unknown)
        );
        let lines = explain_lines(&r, true);
        assert!(lines.contains(&Line::QualityHdUnmeasured), "{lines:?}");
        assert!(!lines.contains(&Line::QualityHd), "{lines:?}");
        assert!(!lines.contains(&Line::NotTheConnection), "{lines:?}");
        let es = explain(&r, "es").join(" ");
        assert!(es.contains("requiere una medición"), "{es}");
    }

    #[test]
    fn no_answer_at_all_does_not_rule_the_service_out() {
        let r = judge(&meas(vec![failed("timeout"), failed("timeout")], None));
        assert_eq!(r.verdict, Verdict::Unreachable);
        assert_eq!(explain_lines(&r, true)[1], Line::LikelyBetweenOrDown);
        // A DNS failure is this side's: said firmly.
        let r = judge(&meas(vec![failed("net::ERR_NAME_NOT_RESOLVED")], None));
        assert_eq!(explain_lines(&r, true)[1], Line::BetweenNotService);
    }

    #[test]
    fn no_speed_figure_neither_blames_nor_clears_the_connection() {
        let r = judge(&meas(vec![ok(200), ok(200)], None));
        check(&r);
        // Not "enough for standard quality": nothing was measured.
        assert_eq!(r.verdict, Verdict::Unknown);
        assert_eq!(r.verdict.as_str(), "unknown");
        assert_eq!(
            (r.mbps, r.basis, r.where_),
            (None, Basis::None, Where::Unknown)
        );
        assert_eq!(
            explain_lines(&r, true),
            [Line::AnsweredNotMeasured, Line::CantTell, Line::Limits]
        );
        assert_eq!(summary(&r), [Line::SumReachableUnmeasured]);
        // Nothing measured at all.
        let r = judge(&meas(vec![], None));
        check(&r);
        assert_eq!(
            (r.verdict, r.where_, r.reached),
            (Verdict::Unknown, Where::Unknown, false)
        );
    }

    #[test]
    fn no_probes_but_a_download() {
        let r = judge(&meas(vec![], dl(20.0)));
        check(&r);
        assert_eq!((r.verdict, r.where_), (Verdict::FourK, Where::Unknown));
    }

    #[test]
    fn parses_the_extension_json() {
        let json = r#"{
            "online": true,
            "probes": [
                {"url": "https://www.netflix.com/a", "outcome": {"kind": "ok", "status": 200,
                  "dns_ms": 5, "connect_ms": 10, "tls_ms": 15, "ttfb_ms": 40, "total_ms": 80}},
                {"url": "https://assets.nflxext.com/b", "outcome": {"kind": "failed",
                  "error": "net::ERR_NAME_NOT_RESOLVED"}}
            ],
            "download": {"bytes": 1000000, "ms": 800},
            "effective_type": "4g",
            "downlink_mbps": 10
        }"#;
        let r = judge_json(json).unwrap();
        assert_eq!(r.mbps, Some(10.0));
        assert_eq!(r.verdict, Verdict::Hd);
        assert_eq!(r.cause.as_deref(), Some("dns"));
        // Timings may be left out; the rest of the fields too.
        let r = judge_json(
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"ok","status":200}}]}"#,
        )
        .unwrap();
        assert!(r.reached);
    }

    #[test]
    fn malformed_json_is_rejected() {
        for bad in [
            "",
            "null",
            "{}",
            r#"{"online":"yes"}"#,
            r#"{"online":true,"extra":1}"#,
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"maybe"}}]}"#,
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"ok"}}]}"#,
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"ok","status":200,"cookie":"x"}}]}"#,
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"failed"}}]}"#,
            r#"{"online":true,"download":{"bytes":-1,"ms":5}}"#,
            r#"{"online":true,"download":{"bytes":1,"ms":5,"x":0}}"#,
            r#"{"online":true,"downlink_mbps":NaN}"#,
            r#"{"online":true,"probes":[{"url":"u","outcome":{"kind":"ok","status":70000}}]}"#,
        ] {
            assert!(judge_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn result_round_trips_for_storage() {
        let r = judge(&meas(vec![ok(200)], dl(7.0)));
        let back: ConnectionResult =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.verdict.as_str(), "hd");
    }

    #[test]
    fn every_verdict_explains_in_both_languages() {
        let cases = [
            meas(vec![ok(200)], dl(20.0)),
            meas(vec![ok(200)], dl(7.0)),
            meas(vec![ok(200)], dl(2.0)),
            meas(vec![ok(200)], dl(0.5)),
            meas(vec![failed("net::ERR_NAME_NOT_RESOLVED")], None),
            meas(vec![ok(503)], None),
            Measurement {
                online: false,
                ..meas(vec![], None)
            },
        ];
        for m in cases {
            let r = judge(&m);
            check(&r);
            let en = explain(&r, "en-US");
            let es = explain(&r, "es");
            assert_ne!(en, es);
            assert!(en.last().unwrap().contains("fast.com"));
            assert!(es.last().unwrap().contains("fast.com"));
        }
    }

    #[test]
    fn a_crawl_never_reads_as_zero() {
        assert_eq!(clamp_mbps(0.04), Some(0.04));
        assert_eq!(clamp_mbps(0.001), Some(0.01));
        assert_eq!(clamp_mbps(7.46), Some(7.5));
        for v in [
            0.0, -0.0, 0.01, 0.04, 0.1, 0.5, 1.0, 7.5, 15.0, 99.9, 10_000.0, -3.2,
        ] {
            assert_eq!(decimals(v, 1), format!("{v:.1}"), "{v}");
            assert_eq!(decimals(v, 2), format!("{v:.2}"), "{v}");
            if v.fract() == 0.0 {
                assert_eq!(decimals(v, 0), format!("{v:.0}"), "{v}");
            }
        }
        for k in 0..=100_000u32 {
            let v = clamp_mbps(f64::from(k) / 1000.0).unwrap_or(0.0);
            let want = if v > 0.0 && v < 0.1 {
                format!("{v:.2}")
            } else {
                format!("{v:.1}")
            };
            assert_eq!(format_mbps(v, "en"), want, "{v}");
        }
        assert_eq!(format_mbps(0.04, "en"), "0.04");
        assert_eq!(format_mbps(0.04, "es"), "0,04");
        assert_eq!(format_mbps(7.5, "en"), "7.5");
    }
}
