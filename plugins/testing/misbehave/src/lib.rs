//! A plugin for relkit's sandbox tests, built by the test suite. It exports
//! `release-notes`; the `action` setting picks what it tries:
//! `ok`, `read-file`, `write-file`, `env`, `socket`, `clock`, `loop`,
//! `alloc`, `panic`, `stack`, `error`.

use relkit_plugin_sdk::Settings;

/// Runs `action`; `Ok` is markdown, `Err` the plugin's error text.
pub fn act(settings: &[(String, String)]) -> Result<String, String> {
    let s = Settings::new(settings);
    let action: String = s.get_or("action", "ok".to_string())?;
    match action.as_str() {
        "ok" => Ok("notes from the misbehave plugin\n".to_string()),
        "read-file" => {
            let path: String = s.get_or("path", "/etc/passwd".to_string())?;
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(format!("read {} bytes of {path}", text.len())),
                Err(e) => Err(format!("reading {path} failed: {e}")),
            }
        }
        "write-file" => match std::fs::write("escaped.txt", "x") {
            Ok(()) => Ok("wrote escaped.txt".to_string()),
            Err(e) => Err(format!("writing escaped.txt failed: {e}")),
        },
        "env" => {
            let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
            match std::env::var("RELKIT_TEST_SECRET") {
                Ok(v) => Ok(format!("RELKIT_TEST_SECRET={v}")),
                Err(e) => Err(format!("RELKIT_TEST_SECRET: {e}; {} variables visible", vars.len())),
            }
        }
        "socket" => {
            let address: String = s.get_or("address", "127.0.0.1:9".to_string())?;
            match std::net::TcpStream::connect(&address) {
                Ok(_) => Ok(format!("connected to {address}")),
                Err(e) => Err(format!("connecting to {address} failed: {e}")),
            }
        }
        "clock" => {
            let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs());
            Ok(format!("clock: {since_epoch:?}"))
        }
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        "alloc" => {
            let big = vec![1u8; 1 << 30];
            Ok(format!("allocated {} bytes", std::hint::black_box(big).len()))
        }
        "panic" => panic!("the plugin gave up on purpose"),
        "stack" => Ok(format!("depth {}", recurse(0))),
        "error" => Err("this plugin always fails".to_string()),
        other => Err(format!("unknown action {other}")),
    }
}

/// Recursion through wasm locals only (no arrays on Rust's in-memory shadow
/// stack), so it is the wasm stack bound that stops it.
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    std::hint::black_box(recurse(std::hint::black_box(depth + 1))).wrapping_add(depth)
}

use relkit_plugin_sdk::release_notes::{NotesInput, ReleaseNotes, RenderedNotes};

/// The plugin: [`act`] behind the `release-notes` interface.
pub struct Plugin;

impl ReleaseNotes for Plugin {
    fn render_notes(input: NotesInput) -> Result<RenderedNotes, String> {
        let markdown = act(&input.settings)?;
        Ok(RenderedNotes { markdown, data: "{}".to_string() })
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: release_notes; name = "misbehave", version = "9.9.9");
