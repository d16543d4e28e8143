//! Each known format on real-world-like files: the snapshot shows every
//! changed line; the check asserts that nothing but the values changed.

mod common;

use common::{assert_only_values_change, fixture, view};
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
