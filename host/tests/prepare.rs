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
    // Run again later with nothing new: the branch keeps its commit (a new
    // one would re-run the pull request's checks and dismiss approvals).
    let prepared = repo.git(&["rev-parse", "relkit/release"]);
    repo.set_clock(repo.clock() + 600);
    let run = repo.relkit(&["prepare", "--push"]);
    assert!(run.ok().contains("relkit: prepared v1.3.0 on relkit/release"), "{}", run.stdout);
    assert!(run.stderr.contains("relkit/release already holds this release; its commit is kept"), "{}", run.stderr);
    assert_eq!(repo.git(&["rev-parse", "relkit/release"]), prepared);
    // Also from a clone that has only the remote's branch (a CI checkout).
    repo.git(&["branch", "-D", "relkit/release"]);
    repo.git(&["fetch", "-q", "origin"]);
    repo.set_clock(repo.clock() + 600);
    repo.relkit(&["prepare", "--push"]).ok();
    assert_eq!(repo.git(&["rev-parse", "relkit/release"]), prepared);
    // New commits: run again, and the branch is replaced (force-pushed).
    repo.commit("fix: handle empty pages");
    repo.relkit(&["prepare", "--push"]).ok();
    assert_eq!(repo.git(&["rev-parse", "relkit/release~1"]), repo.head());
    assert!(repo.git(&["log", "-1", "--format=%b", "relkit/release"]).contains("handle empty pages"));
    assert_eq!(git_in(remote.path(), &["rev-parse", "relkit/release"]), repo.git(&["rev-parse", "relkit/release"]));
}

/// After the merge: `relkit release --push` tags the commit that holds the
/// pull request (`tagged`: the prepared commit, or the squash commit) with
/// the prepared version; the CHANGELOG has one section and no second
/// release commit is made.
fn release_after_merge(repo: &TestRepo, remote: &Path, tagged: &str) {
    repo.git(&["push", "-q", "origin", "main"]);
    let merged = repo.head();
    let run = repo.relkit(&["release", "--push"]);
    run.ok();
    assert!(run.stderr.contains("prepared v1.3.0; releasing it without writing the CHANGELOG"), "{}", run.stderr);
    assert_eq!(repo.head(), merged, "a second release commit was made");
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), tagged);
    assert_eq!(git_in(remote, &["rev-parse", "v1.3.0^{commit}"]), tagged);
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
    release_after_merge(&repo, remote.path(), &repo.head());
}

#[test]
fn merged_with_a_merge_commit() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.commit("docs: a change on main meanwhile");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/relkit/release", "relkit/release"]);
    // The prepared commit holds the release; the docs commit merged beside
    // it is the next release's.
    release_after_merge(&repo, remote.path(), &repo.git(&["rev-parse", "relkit/release"]));
    let out = repo.relkit(&["version"]).ok().to_string();
    assert_eq!(out, "", "a docs commit releases nothing");
}

#[test]
fn merged_by_squash_with_the_pull_request_number() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["commit", "-q", "-m", "chore(release): 1.3.0 (#12)"]);
    release_after_merge(&repo, remote.path(), &repo.head());
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
    let err = repo.relkit(&["tag"]).fails().to_string();
    assert!(err.contains("a release waits for its pull request"), "{err}");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.3");
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
    release_after_merge(&repo, remote.path(), &repo.head());
    // The runbook's fix-forward goes through a release pull request too.
    let runbook = repo.relkit(&["rollback", "--release", "v1.3.0"]).ok().to_string();
    assert!(runbook.contains("relkit prepare --push") && !runbook.contains("relkit release --push"), "{runbook}");
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
        // The commit that holds the pull request: the prepared commit (also
        // behind a merge commit) or the squash commit.
        let landed = repo.git(&["rev-parse", if style == "merge commit" { "HEAD^2" } else { "HEAD" }]);
        repo.commit("feat: export to CSV");
        repo.commit("fix: trim the header");
        repo.git(&["push", "-q", "origin", "main"]);
        let head = repo.head();

        let run = repo.relkit(&["release", "--push"]);
        run.ok();
        let short = |id: &str| id[..7].to_string();
        assert!(
            run.stderr.contains(&format!(
                "the release pull request's commit is {}; the commits it does not hold (up to HEAD {}) wait for the \
                 next release",
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

/// relkit's own release commit of a pre-release (`chore(release):
/// 1.3.0-rc.1`, written with version files) is tagged: it is no release
/// pull request, so the next pre-release and the stable release follow.
#[test]
fn a_tagged_pre_release_commit_is_not_taken_for_a_release_pull_request() {
    let (repo, remote) = due();
    repo.relkit(&["release", "--push", "--prerelease", "rc"]).ok();
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "chore(release): 1.3.0-rc.1");
    repo.commit("fix: handle empty pages");
    let out = repo.relkit(&["release", "--push", "--prerelease", "rc"]).ok().to_string();
    assert!(out.contains("releasing v1.3.0-rc.2"), "{out}");
    let out = repo.relkit(&["release", "--push"]).ok().to_string();
    assert!(out.contains("releasing v1.3.0 (minor; previous v1.2.3)"), "{out}");
    assert_eq!(git_in(remote.path(), &["tag", "-l"]), "v1.2.3\nv1.3.0\nv1.3.0-rc.1\nv1.3.0-rc.2");
}

/// A pull request squash-merged onto a branch that got a breaking change
/// meanwhile: relkit does not release the breaking change as the minor the
/// pull request names. Reverting it and preparing again releases 2.0.0.
#[test]
fn a_breaking_change_merged_with_a_stale_pull_request_is_refused_until_prepared_again() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.commit("feat!: drop the v1 API");
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["commit", "-q", "-m", "chore(release): 1.3.0 (#7)"]);
    let squash = repo.head();
    for command in [&["release", "--push"][..], &["version"], &["tag"], &["notes"]] {
        let err = repo.relkit(command).fails().to_string();
        assert!(
            err.contains(&format!(
                "the merged release pull request {} (chore(release): 1.3.0 (#7)) prepared v1.3.0, but commits merged \
                 with it call for 2.0.0",
                &squash[..7]
            )) && err.contains("drop the v1 API")
                && err.contains(&format!("Revert {} and run relkit prepare again", &squash[..7])),
            "{command:?}: {err}"
        );
    }
    assert_eq!(git_in(remote.path(), &["tag", "-l"]), "v1.2.3");
    repo.git(&["revert", "--no-edit", "HEAD"]);
    assert_eq!(repo.relkit(&["version"]).ok(), "2.0.0\n");
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
    repo.git(&["push", "-q", "origin", "main"]);
    let out = repo.relkit(&["release", "--push"]).ok().to_string();
    assert!(out.contains("releasing v2.0.0"), "{out}");
    assert_eq!(git_in(remote.path(), &["rev-parse", "v2.0.0^{commit}"]), repo.head());
    let changelog = repo.read("CHANGELOG.md");
    assert!(!changelog.contains("## [1.3.0]") && changelog.matches("## [2.0.0]").count() == 1, "{changelog}");
}

/// Behind a merge commit, the prepared commit is tagged: a breaking change
/// merged into main before it is the next release's, and every command
/// agrees on what is released now.
#[test]
fn behind_a_merge_commit_the_prepared_commit_is_released_and_commands_agree() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    let prepared = repo.git(&["rev-parse", "relkit/release"]);
    repo.commit("feat!: drop the v1 API");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #7", "relkit/release"]);
    repo.git(&["push", "-q", "origin", "main"]);
    assert_eq!(repo.relkit(&["version"]).ok(), "1.3.0\n");
    let notes = repo.relkit(&["notes"]).ok().to_string();
    assert!(notes.contains("add pagination") && !notes.contains("drop the v1 API"), "{notes}");
    let err = repo.relkit(&["release", "--release-as", "3.0.0"]).fails().to_string();
    assert!(err.contains("--release-as would tag a commit whose CHANGELOG and version files say 1.3.0"), "{err}");
    repo.relkit(&["tag", "--push"]).ok();
    assert_eq!(git_in(remote.path(), &["rev-parse", "v1.3.0^{commit}"]), prepared);
    let out = repo.relkit(&["release", "--push"]).ok().to_string();
    assert!(out.contains("releasing v2.0.0 (major; previous v1.3.0)"), "{out}");
    let changelog = repo.read("CHANGELOG.md");
    let (newer, older) = changelog.split_once("## [1.3.0]").unwrap();
    assert!(newer.contains("drop the v1 API") && !older.contains("drop the v1 API"), "{changelog}");
}

/// A release pull request reverted before its release is no release: the
/// next release decides from the commits, and writes its own section.
#[test]
fn a_reverted_release_pull_request_is_not_released() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
    repo.git(&["revert", "--no-edit", "HEAD"]);
    repo.git(&["push", "-q", "origin", "main"]);
    let run = repo.relkit(&["release", "--push"]);
    assert!(!run.stderr.contains("prepared"), "{}", run.stderr);
    assert!(run.ok().contains("releasing v1.3.0 (minor; previous v1.2.3)"), "{}", run.stdout);
    assert_eq!(git_in(remote.path(), &["rev-parse", "v1.3.0^{commit}"]), repo.head());
    assert_eq!(repo.read("CHANGELOG.md").matches("## [1.3.0]").count(), 1);
    assert!(repo.read("Cargo.toml").contains("version = \"1.3.0\""));
}

/// A merge that lost the version change (a conflict resolved with the old
/// text) is not tagged: the tag would say 1.3.0 on a manifest at 1.2.3.
#[test]
fn a_merge_that_lost_the_version_change_is_refused() {
    let (repo, remote) = due();
    repo.relkit(&["prepare"]).ok();
    repo.git(&["merge", "-q", "--squash", "relkit/release"]);
    repo.git(&["checkout", "HEAD", "--", "Cargo.toml"]);
    repo.git(&["commit", "-q", "-m", "chore(release): 1.3.0 (#7)"]);
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(
        err.contains(&format!(
            "Cargo.toml says 1.2.3 (package.version) at the release pull request's commit {}, not 1.3.0",
            &repo.head()[..7]
        )),
        "{err}"
    );
    assert_eq!(git_in(remote.path(), &["tag", "-l"]), "v1.2.3");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.3");
}

/// A release pull request of a pre-release (`relkit prepare --prerelease
/// rc`) is released as it names, with or without the flag again (the action
/// passes its `prerelease` input to both).
#[test]
fn a_prepared_pre_release_is_released() {
    for again in [&["release", "--push"][..], &["release", "--push", "--prerelease", "rc"]] {
        let (repo, remote) = due();
        repo.relkit(&["prepare", "--prerelease", "rc"]).ok();
        assert_eq!(repo.git(&["log", "-1", "--format=%s", "relkit/release"]), "chore(release): 1.3.0-rc.1");
        repo.git(&["merge", "-q", "--ff-only", "relkit/release"]);
        repo.git(&["push", "-q", "origin", "main"]);
        assert_eq!(repo.relkit(&["version"]).ok(), "1.3.0-rc.1\n");
        let out = repo.relkit(again).ok().to_string();
        assert!(out.contains("releasing v1.3.0-rc.1"), "{again:?}: {out}");
        assert_eq!(git_in(remote.path(), &["rev-parse", "v1.3.0-rc.1^{commit}"]), repo.head(), "{again:?}");
    }
}
