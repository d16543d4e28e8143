//! The command line: help texts (snapshots), usage errors (status 2).

use crate::support::TestRepo;

fn help(args: &[&str]) -> String {
    let out =
        std::process::Command::new(crate::support::relkit_bin()).args(args).env("NO_COLOR", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", help(&["--help"]));
    for command in ["version", "notes", "changelog", "rollback", "tag", "release", "plugins"] {
        insta::assert_snapshot!(format!("help_{command}"), help(&[command, "--help"]));
    }
}

#[test]
fn usage_errors_exit_with_2() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    for args in [
        &["version", "--json", "--explain"][..],
        &["version", "--preset", "angular"],
        &["frobnicate"],
        &["-q", "-v", "version"],
    ] {
        let run = repo.relkit(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn quiet_hides_progress() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    let run = repo.relkit(&["-q", "changelog"]);
    assert_eq!((run.ok(), run.stderr.as_str()), ("", ""));
    let run = repo.relkit(&["changelog"]);
    assert_eq!(run.stderr, "relkit: CHANGELOG.md is up to date\n");
}

#[test]
fn color_on_request_only() {
    let repo = TestRepo::github();
    let plain = repo.relkit(&["version"]);
    assert_eq!(plain.stderr, "error: the repository has no commits yet; commit something first\n");
    let colored = repo.relkit(&["--color", "always", "version"]);
    assert_eq!(colored.stderr, "\x1b[1;31merror\x1b[0m: the repository has no commits yet; commit something first\n");
}

#[test]
fn runs_in_another_directory_with_dash_c() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = repo
        .relkit_command(&["-C", repo.path().to_str().unwrap(), "version"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.1.0\n");
    // Like `git -C`, relative paths are then relative to DIR.
    let out = repo
        .relkit_command(&["-C", repo.path().to_str().unwrap(), "changelog", "--output", "docs/CHANGES.md"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(repo.path().join("docs/CHANGES.md").is_file());
    assert!(!elsewhere.path().join("docs").exists());
}
