//! Turns the human-edited TOML rule files under `data/` into one JSON document that the
//! core embeds with `include_str!`. Only the syntax is checked here; the typed, strict
//! (`deny_unknown_fields`) validation happens in the core and is exercised by tests.

use std::{env, fs, path::Path};

const FILES: [&str; 4] = ["services", "errors", "steps", "extensions"];

fn main() {
    let out_dir = env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set"));
    let mut doc = serde_json::Map::new();
    for name in FILES {
        let path = format!("data/{name}.toml");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        let json = serde_json::to_value(value).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        if let serde_json::Value::Object(map) = json {
            doc.extend(map);
        }
    }
    let json = serde_json::Value::Object(doc).to_string();
    let dest = Path::new(&out_dir).join("catalog.json");
    fs::write(&dest, json).unwrap_or_else(|e| fail(&format!("{}: {e}", dest.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("error: rule data: {msg}");
    std::process::exit(1)
}
