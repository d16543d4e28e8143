//! The sandbox: a plugin can compute and nothing else, every failure is one
//! clear line, and the host goes on working after a plugin failed.

use std::net::TcpListener;

use relkit::runtime::{Failure, Limits, Runtime};

use crate::support::{TestRepo, sha256_of, test_plugin};

fn misbehave_input(action: &str, extra: &[(&str, &str)]) -> relkit::contract::NotesInput {
    use relkit::contract::{ForgeKind, NotesInput, Release, Repository};
    let mut settings = vec![("action".to_string(), format!("\"{action}\""))];
    settings.extend(extra.iter().map(|(k, v)| (k.to_string(), format!("\"{v}\""))));
    NotesInput {
        release: Release {
            version: "1.0.0".into(),
            tag: "v1.0.0".into(),
            commit_id: "0".repeat(40),
            date: "2026-11-29".into(),
            previous: None,
            commits: vec![],
        },
        repository: Repository { remote_url: None, forge: ForgeKind::Unknown, web_url: None },
        settings,
        template: None,
    }
}

fn runtime(fuel: u64, memory_mib: u64) -> Runtime {
    Runtime::new(Limits { fuel, memory_mib }).unwrap()
}

fn run(rt: &Runtime, action: &str, extra: &[(&str, &str)]) -> Result<String, relkit::runtime::PluginError> {
    let plugin = rt.load_file(&test_plugin("relkit-test-misbehave"), None).unwrap();
    rt.render_notes(&plugin, &misbehave_input(action, extra)).map(|r| r.markdown)
}

#[test]
fn reading_a_file_is_denied() {
    let err = run(&runtime(1_000_000_000, 64), "read-file", &[("path", "/etc/passwd")]).unwrap_err();
    assert_eq!(err.plugin, "misbehave");
    let line = err.to_string();
    assert!(line.starts_with("plugin misbehave: returned an error: reading /etc/passwd failed: "), "{line}");
    let write = run(&runtime(1_000_000_000, 64), "write-file", &[]).unwrap_err().to_string();
    assert!(write.starts_with("plugin misbehave: returned an error: writing escaped.txt failed: "), "{write}");
}

#[test]
fn the_environment_is_empty() {
    // relkit's own process has the secret; the plugin must not see it.
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let plugin = test_plugin("relkit-test-misbehave");
    repo.write(
        "relkit.toml",
        &format!(
            "[[plugins.load]]\npath = {:?}\nsha256 = \"{}\"\nsettings = {{ action = \"env\" }}\n",
            plugin.display().to_string(),
            sha256_of(&plugin)
        ),
    );
    let out = repo.relkit_command(&["notes"]).env("RELKIT_TEST_SECRET", "hunter2").output().unwrap();
    let run = crate::support::Run::from(out);
    assert_eq!(
        run.fails(),
        "error: plugin misbehave: returned an error: RELKIT_TEST_SECRET: environment variable not found; 0 variables visible\n"
    );
}

#[test]
fn sockets_are_denied() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let err = run(&runtime(1_000_000_000, 64), "socket", &[("address", &address)]).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("plugin misbehave: returned an error: connecting to {address} failed: ")),
        "{err}"
    );
    assert!(listener.accept().is_err(), "the plugin reached the listener");
}

#[test]
fn the_clock_is_stopped() {
    let out = run(&runtime(1_000_000_000, 64), "clock", &[]).unwrap();
    assert_eq!(out, "clock: Ok(0)");
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let err = run(&runtime(50_000_000, 64), "loop", &[]).unwrap_err();
    assert_eq!(err.failure, Failure::OutOfFuel);
    assert_eq!(err.to_string(), "plugin misbehave: ran out of its CPU budget (raise [plugins] fuel)");
}

#[test]
fn a_huge_allocation_hits_the_memory_limit() {
    let err = run(&runtime(1_000_000_000, 64), "alloc", &[]).unwrap_err();
    assert_eq!(err.to_string(), "plugin misbehave: exceeded its memory limit of 64 MiB (raise [plugins] memory-mib)");
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let err = run(&runtime(1_000_000_000, 64), "panic", &[]).unwrap_err();
    assert_eq!(err.to_string(), "plugin misbehave: panicked: the plugin gave up on purpose");
}

#[test]
fn runaway_recursion_overflows_the_stack() {
    let err = run(&runtime(10_000_000_000, 64), "stack", &[]).unwrap_err();
    assert_eq!(err.to_string(), "plugin misbehave: overflowed its wasm stack (runaway recursion?)");
}

#[test]
fn an_error_is_reported_as_returned() {
    let err = run(&runtime(1_000_000_000, 64), "error", &[]).unwrap_err();
    assert_eq!(err.to_string(), "plugin misbehave: returned an error: this plugin always fails");
}

#[test]
fn the_host_goes_on_after_each_failure() {
    let rt = runtime(50_000_000, 64);
    let plugin = rt.load_file(&test_plugin("relkit-test-misbehave"), None).unwrap();
    for action in ["loop", "alloc", "panic", "read-file", "env", "error"] {
        assert!(rt.render_notes(&plugin, &misbehave_input(action, &[])).is_err(), "{action}");
        // The same plugin works again right after, in a new Store...
        let ok = rt.render_notes(&plugin, &misbehave_input("ok", &[])).unwrap();
        assert_eq!(ok.markdown, "notes from the misbehave plugin\n");
    }
    // ...and so does a built-in plugin in the same runtime.
    let version = rt.builtin("version").unwrap();
    assert_eq!(rt.info(&version).unwrap().name, "version");
}

#[test]
fn a_plugin_of_another_contract_version_is_refused() {
    let path = test_plugin("relkit-test-future-contract");
    let rt = runtime(1_000_000_000, 64);
    let err = rt.load_file(&path, None).err().unwrap();
    assert_eq!(
        err.to_string(),
        "plugin relkit_test_future_contract: does not implement relkit:plugin@0.1.0 (it exports relkit:plugin/info@9.0.0)"
    );
    // The same through the command line.
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let run = repo.relkit(&["plugins", "check", path.to_str().unwrap()]);
    assert_eq!(run.fails().trim(), format!("error: {err}"));
}

#[test]
fn configured_plugins_run_sandboxed_through_the_cli() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let plugin = test_plugin("relkit-test-misbehave");
    repo.write(
        "relkit.toml",
        &format!(
            "[plugins]\nfuel = 50000000\n\n[[plugins.load]]\npath = {:?}\nsha256 = \"{}\"\nsettings = {{ action = \"loop\" }}\n",
            plugin.display().to_string(),
            sha256_of(&plugin)
        ),
    );
    let run = repo.relkit(&["notes"]);
    assert_eq!(run.fails(), "error: plugin misbehave: ran out of its CPU budget (raise [plugins] fuel)\n");
    // The version plugin (built-in) still answered before the notes plugin failed.
    assert_eq!(repo.relkit(&["version"]).ok(), "0.1.0\n");
}

#[test]
fn a_pinned_plugin_that_changed_is_refused() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let plugin = test_plugin("relkit-test-misbehave");
    let wrong = "0".repeat(64);
    repo.write(
        "relkit.toml",
        &format!("[[plugins.load]]\npath = {:?}\nsha256 = \"{wrong}\"\n", plugin.display().to_string()),
    );
    let err = repo.relkit(&["notes"]).fails().to_string();
    assert!(err.starts_with("error: plugin relkit_test_misbehave: cannot be loaded: "), "{err}");
    assert!(err.contains(&format!("has sha256 {}, but relkit.toml pins {wrong}", sha256_of(&plugin))), "{err}");
}

#[test]
fn a_configured_plugin_replaces_the_builtin_for_its_capability() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let plugin = test_plugin("relkit-test-misbehave");
    repo.write(
        "relkit.toml",
        &format!("[[plugins.load]]\npath = {:?}\nsha256 = \"{}\"\n", plugin.display().to_string(), sha256_of(&plugin)),
    );
    assert_eq!(repo.relkit(&["notes"]).ok(), "notes from the misbehave plugin\n");
    // Compiled once, then served from the cache: the second run finds the artifact.
    let cached: Vec<_> = std::fs::read_dir(repo.home().join("cache")).unwrap().collect();
    assert_eq!(cached.len(), 1);
    assert_eq!(repo.relkit(&["notes"]).ok(), "notes from the misbehave plugin\n");
}
