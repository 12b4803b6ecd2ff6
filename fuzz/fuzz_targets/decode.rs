//! `messages::decode` on any text: never panics; what it accepts re-encodes and decodes
//! again (unless escaping made the copy longer than the size limit); what it refuses, it
//! refuses with a "message refused" text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamfix::core::messages::{decode, MAX_MESSAGE_BYTES};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode(text) {
        Ok(msg) => {
            assert!(text.len() <= MAX_MESSAGE_BYTES);
            let again = serde_json::to_string(&msg).expect("a decoded message encodes");
            if again.len() <= MAX_MESSAGE_BYTES {
                assert!(
                    decode(&again).is_ok(),
                    "re-encoded message refused: {again}"
                );
            }
        }
        Err(refusal) => assert!(refusal.to_string().starts_with("message refused")),
    }
});
