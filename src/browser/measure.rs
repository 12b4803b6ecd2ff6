//! The connection check's raw figures: a few small requests to the service (their outcome
//! and Resource Timing phases) and one timed download. The core's `connection::judge`
//! turns them into a verdict; nothing here judges.

use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Performance, PerformanceResourceTiming, RequestCache, RequestCredentials,
    RequestInit, Response,
};

use super::api::NetErrorWatch;
use crate::core::connection::{Download, Measurement, Probe, ProbeOutcome};

#[wasm_bindgen]
extern "C" {
    // The global `fetch`: a worker's in Chrome, the event page's window in Firefox.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with(input: &str, init: &RequestInit) -> Promise;
}

const PROBE_TIMEOUT_MS: u32 = 8_000;
const DOWNLOAD_TIMEOUT_MS: u32 = 15_000;

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap_or_default()
}

fn performance() -> Performance {
    global("performance").unchecked_into()
}

fn now() -> f64 {
    performance().now()
}

/// A fresh URL each time, so no cache anywhere answers for the network.
fn fresh(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}streamfix={}", js_sys::Date::now() as u64)
}

fn init(signal: Option<&web_sys::AbortSignal>) -> RequestInit {
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoStore);
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(signal);
    init
}

/// The last Resource Timing entry of `url`.
fn timing(url: &str) -> Option<PerformanceResourceTiming> {
    let entries = performance().get_entries_by_name(url);
    let last = entries.get(entries.length().checked_sub(1)?);
    last.dyn_into().ok()
}

async fn body_bytes(res: &Response) -> Result<f64, JsValue> {
    let buf = JsFuture::from(res.array_buffer()?).await?;
    Ok(Reflect::get(&buf, &"byteLength".into())?
        .as_f64()
        .unwrap_or(0.0))
}

/// How a fetch within a time limit ended.
enum Fetched {
    /// The response, its body's size, and how long reading the body took (ms).
    Done(Response, f64, f64),
    Failed(JsValue),
    /// Aborted at the time limit.
    TimedOut,
}

/// Fetches `u` (no cache, no cookies) and reads its body within `limit_ms`.
async fn fetch_within(u: &str, limit_ms: u32) -> Fetched {
    let ctrl = AbortController::new().ok();
    let signal = ctrl.as_ref().map(|c| c.signal());
    let fetched = async move {
        let res: Response = JsFuture::from(fetch_with(u, &init(signal.as_ref())))
            .await?
            .dyn_into()?;
        let start = now();
        let bytes = body_bytes(&res).await?;
        Ok::<_, JsValue>((res, bytes, now() - start))
    };
    match select(Box::pin(fetched), TimeoutFuture::new(limit_ms)).await {
        Either::Left((Ok((res, bytes, ms)), _)) => Fetched::Done(res, bytes, ms),
        Either::Left((Err(e), _)) => Fetched::Failed(e),
        Either::Right(_) => {
            if let Some(c) = &ctrl {
                c.abort();
            }
            Fetched::TimedOut
        }
    }
}

/// One small request: its outcome and Resource Timing phases.
async fn probe(url: &str) -> ProbeOutcome {
    let u = fresh(url);
    let watch = NetErrorWatch::new(&u);
    let outcome = match fetch_within(&u, PROBE_TIMEOUT_MS).await {
        Fetched::Done(res, _, _) => Ok(res.status()),
        Fetched::Failed(e) => Err(Some(e)),
        Fetched::TimedOut => Err(None),
    };
    match outcome {
        Ok(status) => {
            let t = timing(&u);
            let span = |a: fn(&PerformanceResourceTiming) -> f64,
                        b: fn(&PerformanceResourceTiming) -> f64| {
                t.as_ref().map_or(0.0, |t| {
                    let (a, b) = (a(t), b(t));
                    if a > 0.0 && b >= a {
                        b - a
                    } else {
                        0.0
                    }
                })
            };
            ProbeOutcome::Ok {
                status,
                dns_ms: span(|t| t.domain_lookup_start(), |t| t.domain_lookup_end()),
                connect_ms: span(|t| t.connect_start(), |t| t.connect_end()),
                tls_ms: span(|t| t.secure_connection_start(), |t| t.connect_end()),
                ttfb_ms: span(|t| t.request_start(), |t| t.response_start()),
                total_ms: t.map_or(0.0, |t| t.duration()),
            }
        }
        Err(None) => ProbeOutcome::Failed {
            error: "timeout".into(),
        },
        Err(Some(e)) => {
            // fetch may reject before the browser's own error name reaches the listener.
            if watch.error.borrow().is_none() {
                TimeoutFuture::new(200).await;
            }
            let named = watch.error.borrow().clone();
            let error = named.unwrap_or_else(|| {
                Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "failed".into())
            });
            ProbeOutcome::Failed { error }
        }
    }
}

/// The body's bytes on the network and the time they took, from the headers on (looking
/// up, connecting and the server's own time are not the line's speed). A compressed
/// body's size on the network is its Content-Length (or Resource Timing's
/// encodedBodySize); when neither is known, the decoded size is sent as such.
async fn timed_download(url: &str) -> Option<Download> {
    let u = fresh(url);
    let Fetched::Done(res, decoded, ms) = fetch_within(&u, DOWNLOAD_TIMEOUT_MS).await else {
        return None;
    };
    if !res.ok() {
        return None;
    }
    let header = |name: &str| res.headers().get(name).ok().flatten().unwrap_or_default();
    let encoding = header("content-encoding").trim().to_ascii_lowercase();
    if encoding.is_empty() || encoding == "identity" {
        return Some(Download {
            bytes: decoded as u64,
            ms,
            decoded: false,
        });
    }
    let encoded = timing(&u).map_or(0.0, |t| t.encoded_body_size());
    let wire = if encoded > 0.0 {
        encoded
    } else {
        header("content-length").trim().parse().unwrap_or(0.0)
    };
    Some(if wire > 0.0 {
        Download {
            bytes: wire as u64,
            ms,
            decoded: false,
        }
    } else {
        Download {
            bytes: decoded as u64,
            ms,
            decoded: true,
        }
    })
}

/// `navigator.connection`'s estimate, where the browser has one.
fn estimate() -> (Option<String>, Option<f64>) {
    let conn = Reflect::get(&global("navigator"), &"connection".into()).unwrap_or_default();
    if !conn.is_object() {
        return (None, None);
    }
    let field = |k: &str| Reflect::get(&conn, &k.into()).unwrap_or_default();
    (
        field("effectiveType").as_string(),
        field("downlink").as_f64(),
    )
}

/// Probes each URL in turn, then, if any answered, times the download.
pub async fn measure(probes: &[String], download: &str) -> Measurement {
    let online = Reflect::get(&global("navigator"), &"onLine".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let (effective_type, downlink_mbps) = estimate();
    let mut m = Measurement {
        online,
        probes: Vec::new(),
        download: None,
        effective_type,
        downlink_mbps,
    };
    for url in probes {
        let outcome = probe(url).await;
        m.probes.push(Probe {
            url: url.clone(),
            outcome,
        });
    }
    if m.probes
        .iter()
        .any(|p| matches!(p.outcome, ProbeOutcome::Ok { .. }))
    {
        m.download = timed_download(download).await;
    }
    m
}
