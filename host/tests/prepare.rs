//! `relkit prepare` → merge → `relkit release`: the release pull request,
//! merged by fast-forward, merge commit or squash, tagged once with one
//! CHANGELOG section.

use std::path::Path;

use crate::support::{TestRepo, git_in, with_remote};

/// A release due (1.2.3 → 1.3.0) with a version file, and a bare `origin`.
fn due() -> (TestRepo, tempfile::TempDir) {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("Cargo.toml", "[package]\nname = \"rocket\"\nversion = \"1.2.3\"\n"),
            ("relkit.toml", "[[version-files]]\npath = \"Cargo.toml\"\n"),
        ],
    );
    repo.tag("v1.2.3");
    repo.commit("feat(api): add pagination");
    let remote = with_remote(&repo);
    (repo, remote)
}

#[test]
fn prepare_makes_the_release_commit_on_a_branch_and_nothing_else() {
    let (repo, remote) = due();
    let head = repo.head();
    let status = repo.git(&["status", "--porcelain"]);
    let out = repo.relkit(&["prepare", "--push"]).ok().to_string();
    assert!(out.contains("relkit: prepared v1.3.0 on relkit/release"), "{out}");
    assert!(out.contains(": CHANGELOG.md, Cargo.toml"), "{out}");
    assert!(out.contains("pushed relkit/release to origin"), "{out}");
    // The current branch, the work tree and the tags are untouched.
    assert_eq!(repo.head(), head);
    assert_eq!(repo.git(&["status", "--porcelain"]), status);
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.3");
    assert_eq!(git_in(remote.path(), &["tag", "-l"]), "v1.2.3");
    // One commit on top of HEAD: subject, notes in the body, the files.
    assert_eq!(repo.git(&["rev-parse", "relkit/release~1"]), head);
    assert_eq!(repo.git(&["log", "-1", "--format=%s", "relkit/release"]), "chore(release): 1.3.0");
    assert!(repo.git(&["log", "-1", "--format=%b", "relkit/release"]).contains("add pagination"));
    assert_eq!(repo.git(&["diff", "--name-only", "HEAD", "relkit/release"]), "CHANGELOG.md\nCargo.toml");
    assert!(repo.git(&["show", "relkit/release:Cargo.toml"]).contains("version = \"1.3.0\""));
    assert_eq!(git_in(remote.path(), &["rev-parse", "relkit/release"]), repo.git(&["rev-parse", "relkit/release"]));
    // New commits: run again, and the branch is replaced (force-pushed).
    repo.commit("fix: handle empty pages");
    repo.relkit(&["prepare", "--push"]).ok();
    assert_eq!(repo.git(&["rev-parse", "relkit/release~1"]), repo.head());
    assert!(repo.git(&["log", "-1", "--format=%b", "relkit/release"]).contains("handle empty pages"));
    assert_eq!(git_in(remote.path(), &["rev-parse", "relkit/release"]), repo.git(&["rev-parse", "relkit/release"]));
}

/// After the merge: `relkit release --push` tags HEAD with the prepared
/// version; the CHANGELOG has one section and no second release commit.
fn release_after_merge(repo: &TestRepo, remote: &Path) {
    repo.git(&["push", "-q", "origin", "main"]);
    let merged = repo.head();
    let run = repo.relkit(&["release", "--push"]);
    run.ok();
    assert!(run.stderr.contains("prepared v1.3.0; releasing it without writing the CHANGELOG"), "{}", run.stderr);
    assert_eq!(repo.head(), merged, "a second release commit was made");
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), merged);
    assert_eq!(git_in(remote, &["rev-parse", "v1.3.0^{commit}"]), merged);
    let changelog = repo.read("CHANGELOG.md");
    assert_eq!(changelog.matches("## [1.3.0]").count(), 1, "{changelog}");
    assert!(repo.read("Cargo.toml").contains("version = \"1.3.0\""));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn merged_by_fast_forward() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
    release_after_merge(&repo, remote.path());
}

#[test]
fn merged_with_a_merge_commit() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.commit("docs: a change on main meanwhile");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/relkit/release", "relkit/release"]);
    release_after_merge(&repo, remote.path());
}

#[test]
fn merged_by_squash_with_the_pull_request_number() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["commit", "-q", "-m", "chore(release): 1.3.0 (#12)"]);
    release_after_merge(&repo, remote.path());
}

#[test]
fn nothing_due_prepares_nothing_and_a_bad_branch_is_refused() {
    let (repo, _remote) = due();
    repo.relkit(&["release"]).ok();
    let out = repo.relkit(&["prepare"]).ok().to_string();
    assert!(out.contains("relkit: no release due"), "{out}");
    assert!(repo.git(&["branch", "--list", "relkit/release"]).is_empty());
    let (repo, _remote) = due();
    let err = repo.relkit(&["prepare", "--branch", "bad..name"]).fails().to_string();
    assert!(err.contains("--branch \"bad..name\""), "{err}");
    let err = repo.relkit(&["prepare", "--branch", "main"]).fails().to_string();
    assert!(err.contains("HEAD is on main, the release branch itself"), "{err}");
}

#[test]
fn with_pull_request_set_only_a_merged_release_pull_request_is_released() {
    let (repo, remote) = due();
    repo.commit_files(
        "chore: release through pull requests",
        &[("relkit.toml", "[release]\npull-request = true\n\n[[version-files]]\npath = \"Cargo.toml\"\n")],
    );
    let out = repo.relkit(&["release", "--push"]).ok().to_string();
    assert!(out.contains("a release waits for its pull request"), "{out}");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.3");
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
    release_after_merge(&repo, remote.path());
}

/// A release job that runs after more pushes (late, or after a cancelled
/// one) tags the release pull request where it landed; the later commits are
/// not in its CHANGELOG section, so the next release ships them.
#[test]
fn commits_pushed_after_the_merge_wait_for_the_next_release() {
    for style in ["fast-forward", "merge commit", "squash"] {
        let (repo, remote) = due();
        repo.relkit(&["prepare"]).ok();
        match style {
            "fast-forward" => repo.git(&["merge", "-q", "--ff-only", "relkit/release"]),
            "merge commit" => repo.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #12", "relkit/release"]),
            _ => {
                repo.git(&["merge", "-q", "--squash", "relkit/release"]);
                repo.git(&["commit", "-q", "-m", "chore(release): 1.3.0 (#12)"])
            }
        };
        let landed = repo.head();
        repo.commit("feat: export to CSV");
        repo.commit("fix: trim the header");
        repo.git(&["push", "-q", "origin", "main"]);
        let head = repo.head();

        let run = repo.relkit(&["release", "--push"]);
        run.ok();
        let short = |id: &str| id[..7].to_string();
        assert!(
            run.stderr.contains(&format!(
                "the release pull request landed at {}; the commits after it (up to HEAD {}) wait for the next release",
                short(&landed),
                short(&head)
            )),
            "{style}: {}",
            run.stderr
        );
        assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), landed, "{style}");
        assert_eq!(git_in(remote.path(), &["rev-parse", "v1.3.0^{commit}"]), landed, "{style}");
        assert_eq!(repo.head(), head, "{style}: the branch moved");
        let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]);
        assert!(message.contains("add pagination") && !message.contains("export to CSV"), "{style}: {message}");

        // The next run releases what came after, on top of it.
        let out = repo.relkit(&["release", "--push"]).ok().to_string();
        assert!(out.contains("releasing v1.4.0 (minor; previous v1.3.0)"), "{style}: {out}");
        let changelog = repo.read("CHANGELOG.md");
        assert_eq!(changelog.matches("## [1.3.0]").count(), 1, "{style}: {changelog}");
        let (newer, older) = changelog.split_once("## [1.3.0]").unwrap();
        assert!(newer.contains("export to CSV") && newer.contains("trim the header"), "{style}: {changelog}");
        assert!(!older.contains("export to CSV"), "{style}: {changelog}");
        assert!(repo.read("Cargo.toml").contains("version = \"1.4.0\""), "{style}");
        assert_eq!(git_in(remote.path(), &["rev-parse", "v1.4.0^{commit}"]), repo.head(), "{style}");
    }
}
