//! Detector throughput: `detect_page` over about 1 MB of realistic page text, in blocks
//! of at most `MAX_BLOCK_CHARS`, as the content script sends them. Plain `std::time`
//! bench (`harness = false`): `cargo bench --bench detector`.
//!
//! Prints one `detector <scenario>: <MB/s> MB/s` line per scenario, then the headline
//! figure as `detector_mbps <MB/s>` (the healthy page read as error containers: every
//! block is read to its end, lower-cased and searched for phrases — the slowest path).
//!
//! Arguments (after `--`): `--mb N` (text size, default 1), `--ms N` (time per scenario,
//! default 700).

use std::hint::black_box;
use std::time::{Duration, Instant};

use streamfix::core::catalog::Catalog;
use streamfix::core::detector::{detect_page, Block, BlockKind, MAX_BLOCK_CHARS};

const URL: &str = "https://www.netflix.com/watch/80114225";

/// Text a streaming page shows: titles, synopses, player chrome, numbers, names in
/// capitals and tokens that look a bit like codes but are not (`WI-FI`, `4K-HDR`).
const SENTENCES: &[&str] = &[
    "Blade Runner 2049 follows a new blade runner, LAPD Officer K, who unearths a long-buried secret.",
    "Continue watching for Ana: Stranger Things, The Crown, Money Heist and 14 more titles.",
    "Audio: English [Original], Español, Français — Subtitles: English CC, Deutsch, 日本語.",
    "Episode 3 · 52m · Sometimes to love someone, you got to be a stranger.",
    "Because you watched DARK: mind-bending sci-fi, time-travel thrillers, 2012-2049 TV-MA.",
    "Playback settings: AUTO quality, 4K-HDR when available, WI-FI only downloads on mobile.",
    "New episodes every Friday. Top 10 in Spain today. Rated 16+ for violence and language.",
    "bitrate 5800 kbps · buffer 24 s · frame 1733 · dropped 0 · cdn oca-1 · codec avc1.640028",
    "Cells. Interlinked. Within cells interlinked. More human than human is our motto.",
    "Help Centre · Privacy · Cookie Preferences · Corporate Information · Contact Us",
];

/// About `bytes` of text as blocks of `kind`, each under the detector's block limit.
fn page_blocks(bytes: usize, kind: BlockKind, error_last: Option<&str>) -> (Vec<Block>, usize) {
    let mut blocks = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < bytes {
        let mut text = String::new();
        while text.len() < MAX_BLOCK_CHARS - 200 {
            text.push_str(SENTENCES[i % SENTENCES.len()]);
            text.push(' ');
            i += 1;
        }
        total += text.len();
        blocks.push(Block {
            kind,
            text,
            place: None,
        });
    }
    if let Some(line) = error_last {
        total += line.len();
        blocks.push(Block {
            place: None,
            kind: BlockKind::Container,
            text: line.to_string(),
        });
    }
    (blocks, total)
}

struct Figure {
    mbps: f64,
    iters: u32,
    per_call: Duration,
}

fn measure(catalog: &Catalog, blocks: &[Block], bytes: usize, budget: Duration) -> Figure {
    // Warm-up, and a check that the scenario does what it says.
    black_box(detect_page(catalog, URL, blocks));
    let started = Instant::now();
    let mut iters = 0u32;
    while started.elapsed() < budget || iters < 3 {
        black_box(detect_page(
            black_box(catalog),
            black_box(URL),
            black_box(blocks),
        ));
        iters += 1;
    }
    let elapsed = started.elapsed();
    let per_call = elapsed / iters;
    let mbps = (bytes as f64 * f64::from(iters)) / elapsed.as_secs_f64() / 1e6;
    Figure {
        mbps,
        iters,
        per_call,
    }
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let catalog = Catalog::embedded();
    let bytes = (arg("--mb", 1.0) * 1_000_000.0) as usize;
    let budget = Duration::from_millis(arg("--ms", 700.0) as u64);

    let scenarios: [(&str, BlockKind, Option<&str>, bool); 4] = [
        ("healthy page, text blocks", BlockKind::Text, None, false),
        (
            "healthy page, container blocks",
            BlockKind::Container,
            None,
            false,
        ),
        ("healthy page, title blocks", BlockKind::Title, None, false),
        (
            "error after 1 MB of container text",
            BlockKind::Container,
            Some("Something went wrong. Error Code: NSEZ-503"),
            true,
        ),
    ];
    let mut headline = None;
    for (name, kind, error, expect) in scenarios {
        let (blocks, total) = page_blocks(bytes, kind, error);
        let found = detect_page(&catalog, URL, &blocks);
        if found.is_some() != expect {
            eprintln!("detector bench: scenario `{name}` detected {found:?}, expected detection: {expect}");
            std::process::exit(1);
        }
        let f = measure(&catalog, &blocks, total, budget);
        println!(
            "detector {name}: {:.1} MB/s ({} blocks, {:.2} MB, {:.2} ms per page, {} runs)",
            f.mbps,
            blocks.len(),
            total as f64 / 1e6,
            f.per_call.as_secs_f64() * 1e3,
            f.iters
        );
        if kind == BlockKind::Container && error.is_none() {
            headline = Some(f.mbps);
        }
    }
    if let Some(mbps) = headline {
        println!("detector_mbps {mbps:.1}");
    }
}
