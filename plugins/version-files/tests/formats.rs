//! Each known format on real-world-like files: the snapshot shows every
//! changed line; the check asserts that nothing but the values changed.

mod common;

use common::{assert_only_values_change, file, fixture, member, view};
use relkit_plugin_sdk::version_files::VersionFile;

/// Runs the plugin on `files`: the view of every file, after checking each
/// one byte for byte, and that `update` agrees with `plan`.
fn run(files: &[VersionFile]) -> String {
    let planned = relkit_plugin_version_files::plan(files).unwrap_or_else(|e| panic!("{e}"));
    let updated = relkit_plugin_version_files::update(files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(updated.len(), files.len());
    let mut out = String::new();
    for ((f, changes), u) in files.iter().zip(&planned).zip(&updated) {
        assert_eq!(u.path, f.path);
        assert_eq!(u.changes.len(), changes.len());
        assert_only_values_change(&f.text, &u.text, changes);
        out.push_str(&view(&f.path, &f.text, &u.text, changes));
    }
    out
}

#[test]
fn cargo_workspace_and_its_lock() {
    insta::assert_snapshot!(run(&[
        fixture("workspace/Cargo.toml", "1.4.0", &[]),
        fixture("workspace/Cargo.lock", "1.4.0", &[]),
    ]));
}

#[test]
fn single_crate_with_crlf_literal_string_and_v() {
    insta::assert_snapshot!(run(&[
        fixture("single/Cargo.toml", "1.0.0-rc.1", &[]),
        fixture("single/Cargo.lock", "1.0.0-rc.1", &[]),
    ]));
}

#[test]
fn package_json_and_each_lockfile_version() {
    insta::assert_snapshot!(run(&[
        fixture("npm/package.json", "2.2.0", &[]),
        fixture("npm/v1/package-lock.json", "2.2.0", &[]),
        fixture("npm/v2/package-lock.json", "2.2.0", &[]),
        fixture("npm/v3/npm-shrinkwrap.json", "2.2.0", &[]),
    ]));
}

/// An npm workspace: the member's entry in the root lock changes, not the
/// root's, not a sibling's or a dependency's at the same version; a
/// package.json the lock does not list (a docs site) leaves the lock alone.
#[test]
fn npm_workspace_member_and_the_root_lock() {
    insta::assert_snapshot!(run(&[
        fixture("npm-workspace/packages/web/package.json", "2.1.0", &[]),
        fixture("npm-workspace/docs/package.json", "2.1.0", &[]),
        fixture("npm-workspace/package-lock.json", "2.1.0", &[]),
    ]));
}

/// The companion of a configured manifest, as the host passes the
/// repository's other manifests.
fn companion(path: &str) -> VersionFile {
    VersionFile { companion: true, ..fixture(path, "0.0.0", &[]) }
}

/// Requirements on a released crate in the other manifests follow it where
/// they no longer admit the new version (inline, dotted and `[table]`
/// forms, a renamed dependency, the workspace's table); a registry crate at
/// the same version, a requirement that still admits it and a range stay.
#[test]
fn requirements_on_a_released_crate_follow_it() {
    insta::assert_snapshot!(run(&[
        fixture("dependents/crates/core/Cargo.toml", "0.4.0", &[]),
        companion("dependents/crates/cli/Cargo.toml"),
        companion("dependents/Cargo.toml"),
    ]));
    // 0.3.1 is admitted by every requirement but the exact pin.
    let patch = run(&[
        fixture("dependents/crates/core/Cargo.toml", "0.3.1", &[]),
        companion("dependents/crates/cli/Cargo.toml"),
        companion("dependents/Cargo.toml"),
    ]);
    let changed: Vec<&str> = patch.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(
        changed,
        [
            "# package.version: 0.3.0 -> 0.3.1 (line 3)",
            "# target.\"cfg(unix)\".dependencies.core-unix.version: =0.3.0 -> =0.3.1 (line 16)"
        ],
        "{patch}"
    );
}

/// A crate of the released name that a path dependency does not lead to (a
/// vendored copy elsewhere) is another crate: its requirement stays.
#[test]
fn a_vendored_crate_of_the_same_name_is_another_crate() {
    let legacy = "[package]\nname = \"legacy-app\"\nversion = \"1.0.0\"\n\n[dependencies]\n\
acme-core = { path = \"../vendor/acme-core\", version = \"0.1.0\" }\n";
    let out = run(&[
        fixture("dependents/crates/core/Cargo.toml", "0.4.0", &[]),
        VersionFile { companion: true, ..file("legacy/app/Cargo.toml", legacy, "0.0.0", &[]) },
    ]);
    assert!(!out.contains("legacy/app/Cargo.toml\n#"), "{out}");
}

/// A Cargo.lock with the released crate and a vendored copy of its name:
/// only the entry at the released crate's old version changes, and the
/// `name version` references to it follow.
#[test]
fn a_lock_with_two_path_crates_of_one_name() {
    let lock = "version = 4\n\n[[package]]\nname = \"acme-app\"\nversion = \"1.0.0\"\ndependencies = [\n \"acme-core 0.1.0\",\n \
\"acme-core 0.10.0\",\n]\n\n[[package]]\nname = \"acme-core\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"acme-core\"\n\
version = \"0.10.0\"\n";
    let core = "[package]\nname = \"acme-core\"\nversion = \"0.10.0\"\n";
    let out = run(&[file("crates/core/Cargo.toml", core, "0.11.0", &[]), file("Cargo.lock", lock, "0.11.0", &[])]);
    insta::assert_snapshot!(out);
}

/// The same for an npm workspace: the member's package.json and its entry
/// in the root lock, never a `node_modules/` entry or another package.
#[test]
fn requirements_on_a_released_npm_package_follow_it() {
    insta::assert_snapshot!(run(&[
        fixture("dependents/api/package.json", "3.0.0", &[]),
        companion("dependents/web/package.json"),
        fixture("dependents/package-lock.json", "3.0.0", &[]),
    ]));
}

#[test]
fn pyproject_pep621_poetry_and_poetry2() {
    insta::assert_snapshot!(run(&[
        fixture("python/pep621/pyproject.toml", "0.5.0", &[]),
        fixture("python/poetry/pyproject.toml", "0.5.0", &[]),
        fixture("python/poetry2/pyproject.toml", "0.5.0", &[]),
    ]));
}

#[test]
fn charts_with_dependencies() {
    insta::assert_snapshot!(run(&[
        fixture("chart/Chart.yaml", "1.4.0", &[]),
        fixture("chart-indented/Chart.yaml", "2.1.0", &[]),
        fixture("chart/Chart.yaml", "1.4.0", &["version"]),
    ]));
}

#[test]
fn readme_marker_lines() {
    insta::assert_snapshot!(run(&[fixture("README.md", "1.4.0", &[])]));
}

#[test]
fn generic_files_with_fields() {
    insta::assert_snapshot!(run(&[
        fixture("generic/values.yaml", "1.4.0", &["image.tag"]),
        fixture("generic/settings.json", "1.4.0", &["app.meta.release"]),
        fixture("generic/config.toml", "1.4.0", &["app.release.version"]),
        fixture("workspace/Cargo.toml", "1.4.0", &["workspace.dependencies.itoa"]),
    ]));
}

#[test]
fn results_keep_the_input_order_with_locks_planned_last() {
    let files = [
        fixture("workspace/Cargo.lock", "1.4.0", &[]),
        fixture("README.md", "1.4.0", &[]),
        fixture("workspace/Cargo.toml", "1.4.0", &[]),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    let paths: Vec<&str> = updated.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["workspace/Cargo.lock", "README.md", "workspace/Cargo.toml"]);
    assert_eq!(updated[0].changes.len(), 2);
}

#[test]
fn an_unchanged_version_gives_the_same_text() {
    let files = [fixture("chart/Chart.yaml", "1.3.0", &[])];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(updated[0].text, files[0].text);
    assert_eq!(updated[0].changes[1].new, "v1.3.0");
}

/// A `Cargo.lock` with the given path packages (name, version) and serde
/// from the registry at 1.0.0.
fn lock(packages: &[(&str, &str)]) -> String {
    let mut out = "# This file is automatically @generated by Cargo.\nversion = 4\n".to_string();
    for (name, version) in packages {
        out.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [\n \"serde\",\n]\n"
        ));
    }
    out.push_str(
        "\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    out
}

/// The `(name, version)` of each `[[package]]` of an updated lock.
fn lock_versions(text: &str) -> Vec<(String, String)> {
    let doc: toml_edit::DocumentMut = text.parse().expect("the lock is TOML");
    let field = |p: &toml_edit::Table, key: &str| p[key].as_str().expect("a string").to_string();
    doc["package"]
        .as_array_of_tables()
        .expect("[[package]] entries")
        .iter()
        .map(|p| (field(p, "name"), field(p, "version")))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

const VIRTUAL_WORKSPACE: &str =
    "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n\n[workspace.package]\nversion = \"1.0.0\"\n";

#[test]
fn a_member_with_its_own_version_keeps_it_in_the_lock() {
    // `a` inherits the workspace's version, `c` has its own, equal to it.
    let a = "[package]\nname = \"a\"\nversion.workspace = true\n\n[dependencies]\nc = { path = \"../c\", version = \"1.0.0\" }\n";
    let c = "[package]\nname = \"c\"\nversion = \"1.0.0\"\n";
    let files = [
        file("Cargo.toml", VIRTUAL_WORKSPACE, "1.1.0", &[]),
        file("Cargo.lock", &lock(&[("a", "1.0.0"), ("c", "1.0.0")]), "1.1.0", &[]),
        member("crates/a/Cargo.toml", a, "1.1.0"),
        member("crates/c/Cargo.toml", c, "1.1.0"),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(lock_versions(&updated[1].text), pairs(&[("a", "1.1.0"), ("c", "1.0.0"), ("serde", "1.0.0")]));
    for (u, f) in updated[2..].iter().zip(&files[2..]) {
        assert_eq!((u.text.as_str(), u.changes.len()), (f.text.as_str(), 0), "{} changed", f.path);
    }
    insta::assert_snapshot!(run(&files));
}

#[test]
fn a_member_with_an_inline_workspace_table_inherits() {
    let b = "[package]\nname = \"b\"\nversion = { workspace = true }\nedition = \"2024\"\n";
    let t = "[package]\nname = \"t\"\nedition = \"2024\"\n\n[package.version]\nworkspace = true\n";
    let c = "[package]\nname = \"c\"\nversion = \"0.3.0\"\n";
    let files = [
        file("Cargo.toml", VIRTUAL_WORKSPACE, "1.1.0", &[]),
        member("crates/b/Cargo.toml", b, "1.1.0"),
        member("crates/t/Cargo.toml", t, "1.1.0"),
        member("crates/c/Cargo.toml", c, "1.1.0"),
        file("Cargo.lock", &lock(&[("b", "1.0.0"), ("c", "0.3.0"), ("t", "1.0.0")]), "1.1.0", &[]),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(
        lock_versions(&updated[4].text),
        pairs(&[("b", "1.1.0"), ("c", "0.3.0"), ("t", "1.1.0"), ("serde", "1.0.0")])
    );
    assert!(updated[1..4].iter().zip(&files[1..4]).all(|(u, f)| u.text == f.text && u.changes.is_empty()));
}

#[test]
fn a_root_package_and_its_members() {
    // The root package inherits; `core` inherits; `legacy` has its own
    // version, equal to the workspace's; `tools/gen` is another workspace
    // (its own root), whose `version.workspace = true` is not this one's.
    let root = "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"tools/gen\"]\n\n[workspace.package]\nversion = \"2.3.0\"\n\n[package]\nname = \"app\"\nversion.workspace = true\n";
    let core = "[package]\nname = \"core\"\nversion.workspace = true\n";
    let legacy = "[package]\nname = \"legacy\"\nversion = \"2.3.0\"\n";
    let gen_ws = "[workspace]\n\n[workspace.package]\nversion = \"2.3.0\"\n\n[package]\nname = \"gen\"\nversion.workspace = true\n";
    let lock_text = lock(&[("app", "2.3.0"), ("core", "2.3.0"), ("gen", "2.3.0"), ("legacy", "2.3.0")]);
    let files = [
        file("Cargo.toml", root, "2.4.0", &[]),
        file("Cargo.lock", &lock_text, "2.4.0", &[]),
        member("crates/core/Cargo.toml", core, "2.4.0"),
        member("crates/legacy/Cargo.toml", legacy, "2.4.0"),
        member("tools/gen/Cargo.toml", gen_ws, "2.4.0"),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(
        lock_versions(&updated[1].text),
        pairs(&[("app", "2.4.0"), ("core", "2.4.0"), ("gen", "2.3.0"), ("legacy", "2.3.0"), ("serde", "1.0.0")])
    );
    insta::assert_snapshot!(run(&files));

    // A root package with its own version changes with the workspace's too.
    let root_own = root.replace("version.workspace = true", "version = \"2.3.0\"");
    let files = [
        file("Cargo.toml", &root_own, "2.4.0", &[]),
        file("Cargo.lock", &lock_text, "2.4.0", &[]),
        member("crates/core/Cargo.toml", core, "2.4.0"),
        member("crates/legacy/Cargo.toml", legacy, "2.4.0"),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(updated[0].changes.len(), 2);
    assert_eq!(
        lock_versions(&updated[1].text),
        pairs(&[("app", "2.4.0"), ("core", "2.4.0"), ("gen", "2.3.0"), ("legacy", "2.3.0"), ("serde", "1.0.0")])
    );
}

#[test]
fn without_member_companions_the_lock_follows_the_old_version() {
    // An older host gives no member Cargo.toml: every path package at the
    // workspace's old version follows it, `c` included (the fallback).
    let files = [
        file("Cargo.toml", VIRTUAL_WORKSPACE, "1.1.0", &[]),
        file("Cargo.lock", &lock(&[("a", "1.0.0"), ("c", "1.0.0"), ("d", "0.9.0")]), "1.1.0", &[]),
    ];
    let updated = relkit_plugin_version_files::update(&files).unwrap();
    assert_eq!(
        lock_versions(&updated[1].text),
        pairs(&[("a", "1.1.0"), ("c", "1.1.0"), ("d", "0.9.0"), ("serde", "1.0.0")])
    );
}
