//! `engine::dispatch_json` on any message and call context: never panics and always
//! answers JSON with a `reply` object. Input layout: message text, a NUL byte, context
//! text; without a NUL, the whole input is the message and the context is a valid one
//! from an extension page, so most inputs reach the handlers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamfix::core::engine::dispatch_json;

const CTX: &str = r#"{"sender":{"kind":"runtime","id":"fuzzid","url":"chrome-extension://fuzzid/panel.html","tab_id":1,"frame_id":0},"env":{"self_id":"fuzzid","self_origin":"chrome-extension://fuzzid/","lang":"en","browser":"chrome"},"session":{"tab:1":{"url":"https://www.netflix.com/watch/1","service":"netflix","watched":true,"pending":"clear-site-data"}},"local":{},"now":1750000000000}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (msg, ctx) = text.split_once('\0').unwrap_or((text, CTX));
    let out = dispatch_json(msg, ctx);
    let v: serde_json::Value = serde_json::from_str(&out).expect("the answer is JSON");
    assert!(v["reply"]["type"].is_string(), "no reply object: {out}");
});
