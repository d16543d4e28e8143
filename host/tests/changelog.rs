//! `relkit changelog`: insertion that keeps every other byte, idempotency,
//! full regeneration from history, and the refusals.

use crate::support::{TestRepo, mask};

fn history() -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("feat: first feature");
    repo.tag("v0.1.0");
    repo.commit("fix: first fix");
    repo.tag("v0.1.1");
    repo.git(&["switch", "-q", "-c", "topic"]);
    repo.commit("feat(api): branch work");
    repo.git(&["switch", "-q", "main"]);
    repo.commit("perf: main work");
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "topic"]);
    repo.tag("v0.2.0");
    repo.commit("feat!: new format\n\nBREAKING CHANGE: the old format is gone");
    repo.tag("v0.3.0-rc.1");
    repo.commit("fix: polish");
    repo.tag("v0.3.0");
    repo.commit("fix: after the release");
    repo
}

#[test]
fn creates_the_file_with_a_header_then_is_idempotent() {
    let repo = history();
    let out = repo.relkit(&["changelog"]);
    assert_eq!(out.ok(), "");
    assert_eq!(out.stderr, "relkit: wrote CHANGELOG.md\n");
    let first = repo.read("CHANGELOG.md");
    insta::assert_snapshot!(first);
    let again = repo.relkit(&["changelog"]);
    assert_eq!(again.stderr, "relkit: CHANGELOG.md is up to date\n");
    assert_eq!(repo.read("CHANGELOG.md"), first);
}

#[test]
fn inserting_keeps_every_other_byte() {
    let repo = history();
    let old = "# Our changes\r\n\r\nWritten by hand, CRLF line endings.\r\n\r\n## [Unreleased]\r\n\r\n- something in progress\r\n\r\n## [0.3.0] - 2026-10-01\r\n\r\n- edited   by hand  \r\n* odd bullet\r\n\r\n[0.3.0]: https://example.com\r\n";
    repo.write("CHANGELOG.md", old);
    repo.relkit(&["changelog"]).ok();
    let new = repo.read("CHANGELOG.md");
    let at = new.find("## [0.3.0] - 2026-10-01").unwrap();
    assert_eq!(&new[at..], &old[old.find("## [0.3.0]").unwrap()..], "the older sections changed");
    let unreleased_end = old.find("## [0.3.0]").unwrap();
    assert!(new.starts_with(&old[..unreleased_end]), "the header and the Unreleased section changed");
    assert!(!new.replace("\r\n", "").contains('\n'), "a bare LF was mixed into a CRLF file");
    insta::assert_snapshot!(new.replace("\r\n", "⏎\n"));
    repo.relkit(&["changelog"]).ok();
    assert_eq!(repo.read("CHANGELOG.md"), new);
}

#[test]
fn full_regeneration() {
    let repo = history();
    repo.write("CHANGELOG.md", "# Project history\n\nKept header.\n\n## [0.0.1] - stale\n\n- stale\n");
    // 0.0.1 has no tag: regenerating would drop its section, so only --force does.
    let err = repo.relkit(&["changelog", "--full"]).fails().to_string();
    assert!(err.contains("would drop the sections of 0.0.1"), "{err}");
    repo.relkit(&["changelog", "--full", "--force"]).ok();
    insta::assert_snapshot!(repo.read("CHANGELOG.md"));
}

#[test]
fn full_with_prereleases() {
    let repo = history();
    repo.write("relkit.toml", "[changelog]\ninclude-prereleases = true\n");
    let out = repo.relkit(&["changelog", "--full", "--dry-run"]).ok().to_string();
    assert!(out.contains("## [0.3.0-rc.1]"), "{out}");
    let rc = out.find("## [0.3.0-rc.1]").unwrap();
    let stable = out.find("## [0.3.0] ").unwrap();
    assert!(stable < rc);
    assert!(out[stable..rc].contains("polish") && !out[stable..rc].contains("new format"));
}

#[test]
fn dry_run_and_output() {
    let repo = history();
    let before = repo.state();
    let printed = repo.relkit(&["changelog", "--dry-run"]).ok().to_string();
    assert!(printed.starts_with("# Changelog\n"), "{printed}");
    assert_eq!(repo.state(), before);
    repo.relkit(&["changelog", "--output", "docs/HISTORY.md"]).ok();
    assert_eq!(repo.read("docs/HISTORY.md"), printed);
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn no_release_due_leaves_the_file_alone() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("docs: b");
    let run = repo.relkit(&["changelog"]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        run.stderr,
        "relkit: no release: none of the 1 commits since v1.0.0 asks for one; CHANGELOG.md is unchanged\n"
    );
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn custom_template_and_header() {
    let repo = history();
    repo.write("relkit.toml", "[changelog]\ntemplate = \"changelog.hbs\"\nheader = \"# Releases\"\n");
    repo.write(
        "changelog.hbs",
        "## {{version}} ({{date}})\n{{#each sections}}{{#each entries}}\n* {{description}}{{/each}}{{/each}}\n",
    );
    insta::assert_snapshot!(repo.relkit(&["changelog", "--full", "--dry-run"]).ok());
}

#[test]
fn a_file_that_is_not_utf8_is_left_alone() {
    let repo = history();
    std::fs::write(repo.path().join("CHANGELOG.md"), b"# Changes\n\xff\xfe\n").unwrap();
    let err = mask(repo.relkit(&["changelog"]).fails(), &repo);
    assert_eq!(
        err,
        "error: [REPO]/CHANGELOG.md: is not UTF-8 text; relkit leaves it alone (convert it or choose --output)\n"
    );
    assert_eq!(std::fs::read(repo.path().join("CHANGELOG.md")).unwrap(), b"# Changes\n\xff\xfe\n");
}

#[test]
fn an_unwritable_destination_fails_cleanly() {
    let repo = history();
    repo.write("blocker", "a file, not a directory");
    let before = repo.state();
    let err = repo.relkit(&["changelog", "--output", "blocker/CHANGELOG.md"]).fails().to_string();
    assert!(err.starts_with("error: blocker/CHANGELOG.md: "), "{err}");
    assert_eq!(repo.state(), before);
}

#[test]
fn pre_releases_stay_out_unless_asked_for() {
    let repo = history();
    let run = repo.relkit(&["changelog", "--prerelease", "rc"]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        run.stderr,
        "relkit: v0.3.1-rc.1 is a pre-release; CHANGELOG.md gets the stable release's section ([changelog] include-prereleases = true writes pre-releases too)\n"
    );
    assert!(!repo.path().join("CHANGELOG.md").exists());
    repo.write("relkit.toml", "[changelog]\ninclude-prereleases = true\n");
    repo.relkit(&["changelog", "--prerelease", "rc"]).ok();
    assert!(repo.read("CHANGELOG.md").contains("## [0.3.1-rc.1] - 2026-11-29"));
}
