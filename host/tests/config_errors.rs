//! `relkit.toml` errors name the file, the line and the key, exit with 1 and
//! change nothing.

use crate::support::{TestRepo, mask};

fn repo_with_config(text: &str) -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    repo.write("relkit.toml", text);
    repo
}

#[test]
fn unknown_key() {
    let repo = repo_with_config("[notes]\nsplit-squash = true\nsectoins = []\n");
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    insta::assert_snapshot!(err, @"error: [REPO]/relkit.toml: line 3: unknown key `sectoins` in [notes]; expected one of `template`, `sections`, `breaking-title`, `other-title`, `scopes`, `include-non-conventional`, `split-squash`, `architecture-paths`, `contributors`");
}

#[test]
fn unknown_table() {
    let repo = repo_with_config("[relase]\ntag-prefix = \"v\"\n");
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    insta::assert_snapshot!(err, @"error: [REPO]/relkit.toml: line 1: unknown key `relase` at the top level; expected one of `release`, `version`, `notes`, `changelog`, `rollback`, `plugins`, `repository`, `ci`, `version-files`, `metrics`, `check`, `packages`");
}

#[test]
fn wrong_type() {
    let repo = repo_with_config("[plugins]\nfuel = \"a lot\"\n");
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    insta::assert_snapshot!(err, @r#"error: [REPO]/relkit.toml: line 2: key `fuel` in [plugins]: invalid type: string "a lot", expected u64"#);
}

#[test]
fn bad_enum_value() {
    let repo = repo_with_config("[version]\npreset = \"angular\"\n");
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    insta::assert_snapshot!(err, @"error: [REPO]/relkit.toml: line 2: key `preset` in [version]: unknown variant `angular`, expected `conventional` or `semantic-release`");
}

#[test]
fn syntax_error() {
    let repo = repo_with_config("[version\npreset = 1\n");
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    assert!(err.starts_with("error: [REPO]/relkit.toml: line 1: "), "{err}");
}

#[test]
fn unreadable_file() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    std::fs::create_dir(repo.path().join("relkit.toml")).unwrap();
    let err = mask(repo.relkit(&["version"]).fails(), &repo);
    insta::assert_snapshot!(err, @"error: cannot read [REPO]/relkit.toml: Is a directory (os error 21)");
}

#[test]
fn missing_explicit_config() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    let err = repo.relkit(&["--config", "nope.toml", "version"]).fails().to_string();
    insta::assert_snapshot!(err, @"error: cannot read nope.toml: No such file or directory (os error 2) (check the --config path)");
}

#[test]
fn explicit_config_and_its_relative_paths() {
    let repo = TestRepo::github();
    repo.commit("feat: x");
    repo.write("ci/relkit.toml", "[release]\ntag-prefix = \"rel-\"\n[notes]\ntemplate = \"notes.hbs\"\n");
    repo.write("ci/notes.hbs", "custom {{tag}}\n");
    assert_eq!(repo.relkit(&["--config", "ci/relkit.toml", "notes"]).ok(), "custom rel-0.1.0\n");
}

#[test]
fn a_missing_template_names_the_key_path() {
    let repo = repo_with_config("[notes]\ntemplate = \"templates/missing.hbs\"\n");
    let err = repo.relkit(&["notes"]).fails().to_string();
    insta::assert_snapshot!(err, @"error: template templates/missing.hbs: cannot read it: No such file or directory (os error 2) (check the path in relkit.toml)");
}
