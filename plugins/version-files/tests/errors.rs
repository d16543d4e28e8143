//! Every error path, one snapshot each: `<path>: <what> (<where>); <fix>`,
//! on one line. An error returns no file at all, so nothing is written.

mod common;

use common::{file, fixture, member};
use relkit_plugin_sdk::version_files::VersionFile;

fn error(files: &[VersionFile]) -> String {
    let e = relkit_plugin_version_files::update(files).expect_err("an error");
    assert!(!e.contains('\n'), "more than one line: {e}");
    e
}

fn one(path: &str, text: &str, fields: &[&str]) -> String {
    error(&[file(path, text, "1.4.0", fields)])
}

#[test]
fn a_configured_field_that_is_absent() {
    insta::assert_snapshot!(one("deploy/chart/Chart.yaml", "version: 1.0.0\n", &["version", "appVersion"]));
}

#[test]
fn a_cargo_member_that_inherits_its_version() {
    insta::assert_snapshot!(error(&[fixture("workspace/crates/core/Cargo.toml", "1.4.0", &[])]));
}

#[test]
fn a_virtual_workspace_without_a_version() {
    insta::assert_snapshot!(one("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n", &[]));
}

#[test]
fn a_cargo_package_without_a_version() {
    insta::assert_snapshot!(one("Cargo.toml", "[package]\nname = \"a\"\n", &[]));
}

#[test]
fn a_cargo_lock_without_the_packages_entries() {
    insta::assert_snapshot!(error(&[
        file("Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.0.0\"\n", "1.4.0", &[]),
        file(
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n",
            "1.4.0",
            &[]
        ),
    ]));
}

#[test]
fn a_cargo_lock_without_its_manifest() {
    insta::assert_snapshot!(error(&[
        file("sub/Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.0.0\"\n", "1.4.0", &[]),
        file("other/Cargo.lock", "version = 4\n", "1.4.0", &[]),
    ]));
}

#[test]
fn a_value_that_is_not_a_version() {
    insta::assert_snapshot!(one("Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.2\"\n", &[]));
}

#[test]
fn a_value_that_is_not_a_string() {
    insta::assert_snapshot!(one("package.json", "{\"version\": 1}", &[]));
}

#[test]
fn a_toml_value_that_is_not_a_string() {
    insta::assert_snapshot!(one("pyproject.toml", "[project]\nversion = 1\n", &[]));
}

#[test]
fn a_value_written_with_escapes() {
    insta::assert_snapshot!(one("package.json", "{\"version\": \"1\\u002e0.0\"}", &[]));
}

#[test]
fn json_that_does_not_parse() {
    insta::assert_snapshot!(one("package.json", "{\n  \"name\": \"a\"\n  \"version\": \"1.0.0\"\n}\n", &[]));
}

#[test]
fn toml_that_does_not_parse() {
    insta::assert_snapshot!(one("Cargo.toml", "[package]\nname = \"a\nversion = \"1.0.0\"\n", &[]));
}

#[test]
fn yaml_that_does_not_parse() {
    insta::assert_snapshot!(one("Chart.yaml", "apiVersion: v2\nversion 1.0.0\n", &[]));
}

#[test]
fn yaml_flow_collection_on_the_way() {
    insta::assert_snapshot!(one("values.yaml", "image: {tag: 1.0.0}\n", &["image.tag"]));
}

#[test]
fn yaml_anchor_on_the_way() {
    insta::assert_snapshot!(one("values.yaml", "image: &img\n  tag: 1.0.0\n", &["image.tag"]));
}

#[test]
fn a_duplicate_key() {
    insta::assert_snapshot!(one("package.json", "{\"version\": \"1.0.0\", \"version\": \"1.0.0\"}", &[]));
}

#[test]
fn a_file_without_marker() {
    insta::assert_snapshot!(one("README.md", "# app\n\nversion 1.0.0\n", &[]));
}

#[test]
fn a_marker_without_a_version() {
    insta::assert_snapshot!(one("README.md", "# app\n\nversion 1.0 <!-- x-relkit-version -->\n", &[]));
}

#[test]
fn a_dynamic_version_from_a_setuptools_attribute() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[project]\nname = \"a\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = { attr = \"acme.__version__\" }\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_a_setuptools_file() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[project]\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = { file = [\"VERSION\"] }\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_a_hatch_path() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"src/acme/__about__.py\"\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_hatch_vcs() {
    insta::assert_snapshot!(one(
        "py/pyproject.toml",
        "[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_setuptools_scm() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools-scm>=8\"]\n[project]\ndynamic = [\"version\"]\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_poetry_dynamic_versioning() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[project]\ndynamic = [\"version\"]\n[tool.poetry]\nversion = \"0.0.0\"\n[tool.poetry-dynamic-versioning]\nenable = true\n",
        &[]
    ));
}

#[test]
fn a_dynamic_version_from_an_unknown_backend() {
    insta::assert_snapshot!(one("pyproject.toml", "[project]\ndynamic = [\"version\"]\n", &[]));
}

#[test]
fn a_pyproject_without_a_version() {
    insta::assert_snapshot!(one("pyproject.toml", "[project]\nname = \"a\"\n", &[]));
}

#[test]
fn an_npm_lock_without_its_root_package_version() {
    insta::assert_snapshot!(one(
        "package-lock.json",
        "{\"version\": \"1.0.0\", \"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"a\"}}}",
        &[]
    ));
}

/// A workspace member whose entry in the root lock has no version: the lock
/// is out of step with its package.json.
#[test]
fn an_npm_workspace_lock_entry_without_a_version() {
    let lock =
        "{\"lockfileVersion\": 3, \"packages\": {\"\": {\"workspaces\": [\"web\"]}, \"web\": {\"name\": \"w\"}}}";
    insta::assert_snapshot!(error(&[
        file("web/package.json", "{\"name\": \"w\", \"version\": \"1.0.0\"}", "1.1.0", &[]),
        file("package-lock.json", lock, "1.1.0", &[]),
    ]));
}

/// A path dependency's range that the release leaves behind: cargo would
/// refuse the workspace, so the release is not made.
#[test]
fn a_path_dependency_range_the_release_leaves_behind() {
    let cli = "[package]\nname = \"cli\"\nversion = \"1.0.0\"\n\n[dependencies]\n\
core = { path = \"../core\", version = \">=0.3, <0.4\" }\n";
    insta::assert_snapshot!(error(&[
        file("crates/core/Cargo.toml", "[package]\nname = \"core\"\nversion = \"0.3.0\"\n", "0.4.0", &[]),
        VersionFile { companion: true, ..file("crates/cli/Cargo.toml", cli, "0.0.0", &[]) },
    ]));
}

/// Poetry 1.x with poetry-dynamic-versioning: the version is a placeholder.
#[test]
fn a_poetry_placeholder_version_with_poetry_dynamic_versioning() {
    insta::assert_snapshot!(one(
        "pyproject.toml",
        "[tool.poetry]\nname = \"x\"\nversion = \"0.0.0\"\n\n[tool.poetry-dynamic-versioning]\nenable = true\n",
        &[]
    ));
}

#[test]
fn a_chart_app_version_that_is_not_a_version() {
    insta::assert_snapshot!(one("Chart.yaml", "version: 1.0.0\nappVersion: latest\n", &[]));
}

#[test]
fn a_version_to_write_that_is_not_semver() {
    insta::assert_snapshot!(error(&[file("Chart.yaml", "version: 1.0.0\n", "v1.4", &[])]));
}

#[test]
fn the_first_error_stops_everything() {
    let files = [fixture("npm/package.json", "1.4.0", &[]), file("README.md", "no marker\n", "1.4.0", &[])];
    assert!(error(&files).starts_with("README.md: "));
}

#[test]
fn a_workspace_member_that_does_not_parse() {
    insta::assert_snapshot!(error(&[
        file("Cargo.toml", "[workspace]\n\n[workspace.package]\nversion = \"1.0.0\"\n", "1.4.0", &[]),
        member("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = tru\n", "1.4.0"),
        file("Cargo.lock", "version = 4\n", "1.4.0", &[]),
    ]));
}

#[test]
fn a_cargo_lock_without_the_inheriting_members_entries() {
    insta::assert_snapshot!(error(&[
        file("Cargo.toml", "[workspace]\n\n[workspace.package]\nversion = \"1.0.0\"\n", "1.4.0", &[]),
        member("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = true\n", "1.4.0"),
        file("Cargo.lock", "version = 4\n\n[[package]]\nname = \"c\"\nversion = \"1.0.0\"\n", "1.4.0", &[]),
    ]));
}
