//! `detector::detect_page` on any text blocks and URL: never panics, and a detection names
//! an entry of the URL's service. Input layout: the first line is the URL (an empty line
//! means the streaming page); every following line is one block, its first byte picking
//! the kind (container, title, text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamfix::core::catalog::Catalog;
use streamfix::core::detector::{detect_page, watched_service, Block, BlockKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = Catalog::shared().expect("the embedded catalog loads");
    let mut lines = text.split('\n');
    let url = match lines.next().unwrap_or_default() {
        "" => "https://www.netflix.com/watch/80100172",
        url => url,
    };
    let blocks: Vec<Block> = lines
        .take(80)
        .map(|line| {
            let kind = match line.bytes().next().unwrap_or(0) % 3 {
                0 => BlockKind::Container,
                1 => BlockKind::Title,
                _ => BlockKind::Text,
            };
            Block {
                kind,
                text: line.get(1..).unwrap_or(line).to_string(),
            }
        })
        .collect();
    if let Some(d) = detect_page(catalog, url, &blocks) {
        let service = watched_service(catalog, url).expect("a detection on a watched url");
        assert_eq!(d.service, service.id);
        assert!(catalog
            .error
            .iter()
            .any(|e| e.id == d.entry && e.service == d.service));
    }
});
