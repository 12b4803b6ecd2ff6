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

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::catalog::{is_spanish as is_es, Text};
use super::detector::net_cause;
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

fn t(en: impl Into<Cow<'static, str>>, es: impl Into<Cow<'static, str>>) -> Text {
    Text {
        en: en.into(),
        es: es.into(),
    }
}

/// A speed with one decimal (two below 0.1), in the language's style (`7.5` / `7,5`).
pub fn format_mbps(mbps: f64, lang: &str) -> String {
    let s = if mbps > 0.0 && mbps < 0.1 {
        decimals(mbps, 2)
    } else {
        decimals(mbps, 1)
    };
    if is_es(lang) {
        s.replace('.', ",")
    } else {
        s
    }
}

fn cause_words(cause: Option<&str>) -> Text {
    match cause {
        Some("dns") => t(
            "the service's address could not be looked up (a DNS problem)",
            "no se pudo averiguar la dirección del servicio (un problema de DNS)",
        ),
        Some("proxy") => t(
            "the proxy server this browser goes through did not let the connection through",
            "el servidor proxy por el que pasa este navegador no dejó pasar la conexión",
        ),
        Some("timeout") => t(
            "the requests got no answer in time",
            "las solicitudes no recibieron respuesta a tiempo",
        ),
        Some("tls") => t(
            "a secure connection could not be set up",
            "no se pudo establecer una conexión segura",
        ),
        Some("offline") => t("the connection dropped", "la conexión se cortó"),
        _ => t("the connection failed", "la conexión falló"),
    }
}

fn cause_label(cause: &str) -> Text {
    match cause {
        "dns" => t("DNS", "DNS"),
        "proxy" => t("proxy", "proxy"),
        "timeout" => t("no answer in time", "sin respuesta a tiempo"),
        "tls" => t("secure connection", "conexión segura"),
        "offline" => t("connection dropped", "conexión cortada"),
        _ => t("connection failure", "fallo de conexión"),
    }
}

// The sentences below write HD_MBPS and UHD_MBPS out as 5 and 15 (no formatting code).
const _: () = assert!(HD_MBPS == 5.0 && UHD_MBPS == 15.0);

/// What the speed supports. A browser's estimate (Chrome's stops at 10 Mbps) can't rule
/// 4K out, so it never says "not for 4K".
fn quality_sentence(verdict: Verdict, measured: bool) -> Option<Text> {
    // The figures in these sentences are HD_MBPS and UHD_MBPS (checked below).
    Some(match verdict {
        Verdict::Hd if !measured => t(
            "That would be enough for HD (about 5 Mbps); whether it is enough for 4K (about 15 Mbps) takes a measurement.",
            "Bastaría para HD (unos 5 Mbps); saber si basta para 4K (unos 15 Mbps) requiere una medición.",
        ),
        Verdict::FourK => t(
            "That is enough for 4K, which needs about 15 Mbps.",
            "Es suficiente para 4K, que necesita unos 15 Mbps.",
        ),
        Verdict::Hd => t(
            "That is enough for HD (about 5 Mbps) but not for 4K (about 15 Mbps).",
            "Es suficiente para HD (unos 5 Mbps), pero no para 4K (unos 15 Mbps).",
        ),
        Verdict::Sd => t(
            "That is enough for standard definition but not for HD, which needs about 5 Mbps.",
            "Es suficiente para definición estándar, pero no para HD, que necesita unos 5 Mbps.",
        ),
        Verdict::TooSlow => t(
            "That is too slow for smooth playback: HD needs about 5 Mbps and 4K about 15 Mbps.",
            "Es demasiado lento para ver sin cortes: HD necesita unos 5 Mbps y 4K unos 15 Mbps.",
        ),
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

fn limits_sentence() -> Text {
    t(
        "This check runs inside the browser, so it can't test your router or your other devices; fast.com gives a fuller speed test.",
        "Esta prueba se hace dentro del navegador, así que no puede revisar el router ni tus otros dispositivos; fast.com ofrece una prueba de velocidad más completa.",
    )
}

/// Two to four plain sentences for the user: what was measured, which quality it
/// supports, what it means for the diagnosis, and the limits of the check. English, or
/// Spanish for a language tag starting with `es`.
pub fn explain(result: &ConnectionResult, lang: &str) -> Vec<String> {
    explain_for(result, lang, true)
}

/// [`explain`], for a tab with an error on screen or without one: with none, nothing is
/// "stopping playback", so the sentence placing the cause of an error is left out.
pub fn explain_for(result: &ConnectionResult, lang: &str, error_shown: bool) -> Vec<String> {
    let mut out: Vec<Text> = Vec::new();
    let cause = result.cause.as_deref();
    match result.verdict {
        Verdict::Offline => {
            out.push(t(
                "Your browser says this device has no internet connection right now.",
                "El navegador indica que este dispositivo no tiene conexión a internet en este momento.",
            ));
            out.push(t(
                "Check the Wi-Fi or the cable on this device, then restart your modem and router.",
                "Revisa el wifi o el cable de este dispositivo y después reinicia el módem y el router.",
            ));
        }
        Verdict::Unreachable => {
            let why = if result.where_ == Where::Browser {
                t(
                    "something in this browser, probably another extension, blocked the requests",
                    "algo en este navegador, probablemente otra extensión, bloqueó las solicitudes",
                )
            } else {
                cause_words(cause)
            };
            out.push(t(
                format!(
                    "StreamFix could not reach the streaming service from this browser: {}.",
                    why.en
                ),
                format!(
                    "StreamFix no pudo llegar al servicio de streaming desde este navegador: {}.",
                    why.es
                ),
            ));
            out.push(match result.where_ {
                Where::Browser => t(
                    "Your connection may be fine; try turning off your other extensions for this site.",
                    "Puede que tu conexión esté bien; prueba a desactivar tus otras extensiones para este sitio.",
                ),
                // No answer at all, or a refused connection: the service may be down too.
                _ if matches!(cause, Some("timeout" | "network") | None) => t(
                    "The problem is most likely between this device and the service, though the service itself may be down too: restart your modem and router, turn off any VPN or proxy, check whether the service is down, and contact your internet provider if it continues.",
                    "Lo más probable es que el problema esté entre este dispositivo y el servicio, aunque también puede que el servicio esté caído: reinicia el módem y el router, desactiva cualquier VPN o proxy, comprueba si el servicio está caído y, si sigue igual, contacta con tu proveedor de internet.",
                ),
                _ => t(
                    "The problem is between this device and the service, not in the service itself: restart your modem and router, turn off any VPN or proxy, and contact your internet provider if it continues.",
                    "El problema está entre este dispositivo y el servicio, no en el propio servicio: reinicia el módem y el router, desactiva cualquier VPN o proxy y, si sigue igual, contacta con tu proveedor de internet.",
                ),
            });
        }
        Verdict::ServiceError => {
            out.push(t(
                "The streaming service answered, but with a server error: it is down or overloaded right now.",
                "El servicio de streaming respondió, pero con un error del servidor: ahora mismo está caído o saturado.",
            ));
            out.push(t(
                "Nothing on your side needs fixing: wait a few minutes and try again.",
                "No hay nada que arreglar por tu parte: espera unos minutos y vuelve a intentarlo.",
            ));
        }
        Verdict::FourK | Verdict::Hd | Verdict::Sd | Verdict::TooSlow | Verdict::Unknown => {
            match (result.basis, result.mbps) {
                (Basis::Download, Some(v)) => {
                    out.push(t(
                        format!(
                            "Measured download speed: about {} Mbps.",
                            format_mbps(v, "en")
                        ),
                        format!(
                            "Velocidad de descarga medida: unos {} Mbps.",
                            format_mbps(v, "es")
                        ),
                    ));
                    out.extend(quality_sentence(result.verdict, true));
                }
                (Basis::Estimate, Some(v)) => {
                    out.push(t(
                        format!("Your browser estimates the connection speed at about {} Mbps; this is a rough figure, not a measurement.", format_mbps(v, "en")),
                        format!("El navegador calcula que la conexión va a unos {} Mbps; es una cifra aproximada, no una medición.", format_mbps(v, "es")),
                    ));
                    out.extend(quality_sentence(result.verdict, false));
                }
                (Basis::Estimate, None) => {
                    out.push(t(
                        "Your browser rates this connection as very slow; StreamFix could not measure an exact speed.",
                        "El navegador califica esta conexión como muy lenta; StreamFix no pudo medir la velocidad exacta.",
                    ));
                    out.extend(quality_sentence(result.verdict, false));
                }
                _ => {
                    out.push(if result.reached {
                        t(
                            "The streaming service answered, but StreamFix could not measure the connection speed (HD needs about 5 Mbps, 4K about 15 Mbps).",
                            "El servicio de streaming respondió, pero StreamFix no pudo medir la velocidad de la conexión (HD necesita unos 5 Mbps y 4K unos 15 Mbps).",
                        )
                    } else {
                        t(
                            "StreamFix could not measure the connection speed (HD needs about 5 Mbps, 4K about 15 Mbps).",
                            "StreamFix no pudo medir la velocidad de la conexión (HD necesita unos 5 Mbps y 4K unos 15 Mbps).",
                        )
                    });
                }
            }
            out.push(match (result.verdict, result.where_) {
                (Verdict::TooSlow, _) => t(
                    "A slow connection can make playback stop or fail: restart your modem and router, move closer to the Wi-Fi or use a cable, and pause other downloads.",
                    "Una conexión lenta puede cortar o impedir la reproducción: reinicia el módem y el router, acércate al wifi o usa un cable y pausa otras descargas.",
                ),
                (_, Where::Network) => {
                    let label = cause.map(cause_label);
                    let (en, es) = label
                        .map(|l| (format!(" ({})", l.en), format!(" ({})", l.es)))
                        .unwrap_or_default();
                    t(
                        format!("Some of the service's addresses could not be reached{en}, which points to the network or to a VPN, proxy or DNS setting."),
                        format!("No se pudo llegar a algunas direcciones del servicio{es}, lo que apunta a la red o a un ajuste de VPN, proxy o DNS."),
                    )
                }
                (Verdict::Sd, Where::Browser) if !error_shown => t(
                    "The service answered normally; the line's speed is what limits the picture.",
                    "El servicio respondió con normalidad; lo que limita la imagen es la velocidad de la línea.",
                ),
                (_, Where::Browser) if !error_shown => t(
                    "This check found nothing wrong with the connection.",
                    "Esta prueba no encontró ningún problema en la conexión.",
                ),
                (_, Where::Browser) => t(
                    "Your connection is not what is stopping playback; the cause is more likely in this browser, such as stored site data or another extension.",
                    "No es la conexión lo que impide ver el contenido; la causa está más bien en este navegador, como los datos guardados del sitio u otra extensión.",
                ),
                _ => t(
                    "This check alone can't tell whether your connection is the cause.",
                    "Esta prueba no basta para saber si la conexión es la causa.",
                ),
            });
        }
    }
    out.push(limits_sentence());
    out.into_iter().map(|s| s.get(lang).to_string()).collect()
}

/// One line for the support report (`ReportInput::connection`).
pub fn summary_line(result: &ConnectionResult, lang: &str) -> String {
    let cause = result.cause.as_deref().map(cause_label);
    let line = match result.verdict {
        Verdict::Offline => t(
            "no internet connection (the browser is offline)",
            "sin conexión a internet (el navegador está sin conexión)",
        ),
        Verdict::Unreachable => match (&cause, result.where_) {
            (_, Where::Browser) => t(
                "service unreachable: requests blocked inside the browser",
                "servicio inalcanzable: solicitudes bloqueadas dentro del navegador",
            ),
            (Some(c), _) => t(
                format!("service unreachable ({})", c.en),
                format!("servicio inalcanzable ({})", c.es),
            ),
            (None, _) => t("service unreachable", "servicio inalcanzable"),
        },
        Verdict::ServiceError => t(
            "the service answered with server errors (5xx)",
            "el servicio respondió con errores del servidor (5xx)",
        ),
        v => {
            let quality = match v {
                Verdict::FourK => t("enough for 4K", "suficiente para 4K"),
                Verdict::Hd => t("enough for HD", "suficiente para HD"),
                Verdict::Sd => t("enough for SD only", "solo suficiente para SD"),
                Verdict::Unknown => t("speed not measured", "velocidad sin medir"),
                _ => t("too slow for streaming", "demasiado lenta para streaming"),
            };
            let mut line = match (result.basis, result.mbps) {
                (Basis::Download, Some(m)) => t(
                    format!(
                        "about {} Mbps measured, {}",
                        format_mbps(m, "en"),
                        quality.en
                    ),
                    format!("unos {} Mbps medidos, {}", format_mbps(m, "es"), quality.es),
                ),
                (Basis::Estimate, Some(m)) => t(
                    format!(
                        "about {} Mbps (browser estimate), {}",
                        format_mbps(m, "en"),
                        quality.en
                    ),
                    format!(
                        "unos {} Mbps (cálculo del navegador), {}",
                        format_mbps(m, "es"),
                        quality.es
                    ),
                ),
                (Basis::Estimate, None) => t(
                    format!("very slow per the browser, {}", quality.en),
                    format!("muy lenta según el navegador, {}", quality.es),
                ),
                _ => t(
                    if result.reached {
                        "service reachable, speed not measured"
                    } else {
                        "speed not measured"
                    },
                    if result.reached {
                        "servicio alcanzable, velocidad no medida"
                    } else {
                        "velocidad no medida"
                    },
                ),
            };
            if result.where_ == Where::Network && v != Verdict::TooSlow {
                let (en, es) = cause
                    .map(|c| (format!(" ({})", c.en), format!(" ({})", c.es)))
                    .unwrap_or_default();
                line.en
                    .to_mut()
                    .push_str(&format!("; some addresses failed{en}"));
                line.es
                    .to_mut()
                    .push_str(&format!("; algunas direcciones fallaron{es}"));
            }
            line
        }
    };
    line.get(lang).to_string()
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
        let text = explain(&r, "en").join(" ");
        assert!(text.contains("50.0 Mbps") && text.contains("4K"), "{text}");
        assert!(text.contains("fast.com"), "{text}");
        assert!(text.contains("extension"), "{text}");
    }

    #[test]
    fn seven_mbps_is_hd() {
        let r = judge(&meas(vec![ok(200)], dl(7.0)));
        check(&r);
        assert_eq!((r.verdict, r.mbps), (Verdict::Hd, Some(7.0)));
        assert_eq!(r.where_, Where::Browser);
        let text = explain(&r, "en").join(" ");
        assert!(text.contains("about 5 Mbps") && text.contains("about 15 Mbps"));
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
        assert!(explain(&r, "en").join(" ").contains("DNS"));
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
        assert!(explain(&r, "en").join(" ").contains("proxy"));
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
        assert!(explain(&r, "en").join(" ").contains("extension"));
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
        assert!(explain(&r, "en").join(" ").contains("wait"));
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
        assert!(explain(&r, "en").join(" ").contains("(DNS)"));
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
        assert!(explain(&r, "en").join(" ").contains("rough"));
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
        let text = explain(&r, "en").join(" ");
        assert!(!text.contains("not for 4K"), "{text}");
        assert!(!text.contains("not what is stopping"), "{text}");
        assert!(text.contains("takes a measurement"), "{text}");
        let es = explain(&r, "es").join(" ");
        assert!(es.contains("requiere una medición"), "{es}");
    }

    #[test]
    fn no_answer_at_all_does_not_rule_the_service_out() {
        let r = judge(&meas(vec![failed("timeout"), failed("timeout")], None));
        assert_eq!(r.verdict, Verdict::Unreachable);
        let text = explain(&r, "en").join(" ");
        assert!(text.contains("may be down too"), "{text}");
        assert!(!text.contains("not in the service itself"), "{text}");
        // A DNS failure is this side's: said firmly.
        let r = judge(&meas(vec![failed("net::ERR_NAME_NOT_RESOLVED")], None));
        let text = explain(&r, "en").join(" ");
        assert!(text.contains("not in the service itself"), "{text}");
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
        let text = explain(&r, "en").join(" ");
        assert!(text.contains("could not measure"), "{text}");
        assert!(!text.contains("enough for"), "{text}");
        assert_eq!(
            summary_line(&r, "en"),
            "service reachable, speed not measured"
        );
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
