//! `relkit plugins list` and `relkit plugins check`.

use crate::support::{TestRepo, sha256_of, test_plugin};

#[test]
fn list_shows_the_four_builtin_plugins() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    let out = repo.relkit(&["plugins", "list"]).ok().to_string();
    let masked: String = out
        .lines()
        .map(|l| match l.find("built-in (") {
            Some(i) => format!("{}built-in (N KiB)", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(masked);
}

#[test]
fn list_works_outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::support::relkit_bin())
        .current_dir(dir.path())
        .args(["plugins", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The header and one line per built-in plugin.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 7);
}

#[test]
fn list_shows_configured_plugins_and_what_they_replace() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    let plugin = test_plugin("relkit-test-misbehave");
    repo.write(
        "relkit.toml",
        &format!("[[plugins.load]]\npath = {:?}\nsha256 = \"{}\"\n", plugin.display().to_string(), sha256_of(&plugin)),
    );
    let out = repo.relkit(&["plugins", "list"]).ok().to_string();
    let notes = out.lines().find(|l| l.starts_with("notes ")).unwrap();
    let columns: Vec<&str> = notes.split_whitespace().collect();
    assert_eq!(columns[2..4], ["release-notes", "-"], "{out}");
    let misbehave = out.lines().find(|l| l.starts_with("misbehave ")).unwrap();
    assert!(
        misbehave.contains("9.9.9")
            && misbehave.split_whitespace().collect::<Vec<_>>()[2..4] == ["release-notes", "release-notes"]
            && misbehave.contains(&plugin.display().to_string()),
        "{out}"
    );
}

#[test]
fn check_reports_capabilities_and_the_pin() {
    let plugin = test_plugin("relkit-test-misbehave");
    let out = std::process::Command::new(crate::support::relkit_bin())
        .args(["plugins", "check"])
        .arg(&plugin)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(&plugin.display().to_string(), "[PLUGIN]")
        .replace(&sha256_of(&plugin), "[SHA256]");
    insta::assert_snapshot!(text);
}

#[test]
fn check_refuses_what_is_not_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.wasm");
    std::fs::write(&file, "not wasm at all").unwrap();
    let out = std::process::Command::new(crate::support::relkit_bin())
        .args(["plugins", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: plugin notes: cannot be loaded: not a WebAssembly file\n");
}
