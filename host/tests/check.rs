//! `relkit check`: commits and PR titles against the commit rules, then the
//! release they would make.

use crate::support::{TestRepo, mask, mask_stop_tokens};

fn branch() -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo
}

#[test]
fn a_branch_with_a_non_conventional_commit_fails_naming_it() {
    let repo = branch();
    repo.commit("feat(api): add pagination");
    let bad = repo.commit("update stuff");
    repo.commit("fixup! feat(api): add pagination");
    let run = repo.relkit(&["check"]);
    let err = run.fails().to_string();
    assert!(
        run.stdout.contains(&format!("| ✗ | `{}` | update stuff | not a Conventional Commit", &bad[..7])),
        "{}",
        run.stdout
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    insta::assert_snapshot!(mask(&format!("{}\n--- stderr\n{err}", run.stdout), &repo));
}

#[test]
fn a_conventional_branch_shows_the_release_it_makes() {
    let repo = branch();
    repo.commit("fix: handle empty pages");
    let decider = repo.commit("feat(api): add pagination");
    let out = repo.relkit(&["check"]).ok().to_string();
    assert!(
        out.contains(&format!(
            "This branch would release v1.3.0 (minor, decided by {} feat(api): add pagination)",
            &decider[..7]
        )),
        "{out}"
    );
    assert!(out.contains("relkit check: 2 commits from v1.2.3 to HEAD: all pass"), "{out}");
    insta::assert_snapshot!(mask(&out, &repo));
}

#[test]
fn a_pr_title_is_checked_and_predicts_the_squash_release() {
    let repo = branch();
    repo.commit("wip");
    let out = repo.relkit(&["check", "--message", "feat(ui)!: new layout"]).ok().to_string();
    assert!(out.contains("Squash-merged with this title, the branch would release v2.0.0 (major)"), "{out}");
    let run = repo.relkit(&["check", "--message", "Update README"]);
    run.fails();
    assert!(run.stdout.contains("| ✗ | title | Update README | not a Conventional Commit"), "{}", run.stdout);
    let run = repo.relkit(&["check", "--message", "chore: tidy"]);
    assert!(run.ok().contains("Squash-merged with this title, the branch releases nothing"), "{}", run.stdout);
}

#[test]
fn configured_rules_apply() {
    let repo = branch();
    repo.write("relkit.toml", "[check]\nscopes = [\"api\", \"cli\"]\nrequire-scope = true\nmax-header-length = 30\n");
    repo.commit("fix(db): a header that is much too long for the limit");
    repo.commit("feat: no scope");
    let run = repo.relkit(&["check"]);
    run.fails();
    for expected in [
        "scope `db` is not allowed; use one of api, cli",
        "the header is 53 characters, more than 30 ([check] max-header-length)",
        "a scope is required ([check] require-scope)",
    ] {
        assert!(run.stdout.contains(expected), "{expected}: {}", run.stdout);
    }
}

#[test]
fn under_github_actions_each_failing_commit_is_an_annotation_and_the_table_is_summarised() {
    let repo = branch();
    // The base branch of the pull request, as actions/checkout fetches it.
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo.commit("feat: ok");
    let bad = repo.commit("oops %0A::warning::injected");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary");
    let out = repo
        .relkit_command(&["check"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annotation = format!(
        "::error title=relkit check: commit {}::oops %250A::warning::injected: not a Conventional Commit",
        &bad[..7]
    );
    assert!(stdout.contains(&annotation), "{stdout}");
    assert!(stdout.contains("2 commits from origin/main to HEAD"), "{stdout}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("## relkit check\n"), "{summary}");
    assert!(summary.contains("| ✓ |") && summary.contains("| ✗ |"), "{summary}");
    insta::assert_snapshot!(mask_stop_tokens(&mask(&stdout, &repo)));
}

#[test]
fn a_freeze_window_within_a_week_is_announced() {
    let repo = branch();
    repo.write("relkit.toml", "[[release.freeze]]\nfrom = \"2026-12-03\"\nto = \"2026-12-05\"\nreason = \"launch\"\n");
    repo.commit("feat: x");
    let out = repo.relkit(&["check"]).ok().to_string();
    assert!(
        out.contains("A freeze window starts 2026-12-03 00:00 UTC: \"launch\" (2026-12-03 to 2026-12-05, UTC)."),
        "{out}"
    );
    repo.write("relkit.toml", "[[release.freeze]]\nfrom = \"2026-12-13\"\nto = \"2026-12-15\"\n");
    assert!(!repo.relkit(&["check"]).ok().contains("freeze"));
}

/// In a pull request whose base branch was not fetched, the range falls back
/// to the last release, and relkit says so.
#[test]
fn a_missing_base_branch_is_pointed_out() {
    let repo = branch();
    repo.commit("feat(api): add pagination");
    let run = repo.relkit_command(&["check"]).env("GITHUB_BASE_REF", "develop").output().unwrap();
    let run = crate::support::Run::from(run);
    assert!(run.ok().contains("1 commit from v1.2.3 to HEAD"), "{}", run.stdout);
    assert!(
        run.stderr.contains("the pull request's base branch origin/develop is not in this clone")
            && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
}
