//! `relkit version` end to end: every rule on real repositories, both presets,
//! pre-1.0, pre-releases, reverts in and across ranges, merges, custom rules,
//! `--json` and `--explain`.

use crate::support::TestRepo;

/// A repository released as `tag`, then `messages` committed in order.
fn after(tag: &str, messages: &[&str]) -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag(tag);
    for m in messages {
        repo.commit(m);
    }
    repo
}

fn version(repo: &TestRepo, args: &[&str]) -> String {
    let mut all = vec!["version"];
    all.extend_from_slice(args);
    repo.relkit(&all).ok().trim().to_string()
}

#[test]
fn conventional_rules() {
    let cases: &[(&[&str], &str)] = &[
        (&["fix: a"], "1.2.4"),
        (&["perf: a"], "1.2.4"),
        (&["fix: a", "feat: b"], "1.3.0"),
        (&["feat!: b"], "2.0.0"),
        (&["refactor(core)!: b"], "2.0.0"),
        (&["feat: b\n\nBREAKING CHANGE: the config moved"], "2.0.0"),
        (&["fix: b\n\nBREAKING-CHANGE: renamed"], "2.0.0"),
        (&["Rewrite the parser\n\nBREAKING CHANGE: new syntax"], "2.0.0"),
        (&["docs: a", "chore: b", "style: c", "test: d", "ci: e", "build: f", "refactor: g"], ""),
        (&["Plain English commit"], ""),
        (&["\n\n  fix: surrounded by whitespace  \n\n"], "1.2.4"),
    ];
    for (messages, want) in cases {
        let repo = after("v1.2.3", messages);
        assert_eq!(version(&repo, &[]), *want, "{messages:?}");
    }
}

#[test]
fn semantic_release_preset_rules() {
    let cases: &[(&[&str], &str)] = &[
        (&["feat!: b"], ""),
        (&["feat: b\n\nBREAKING CHANGES: plural"], "1.3.0"),
        (&["fix: b\n\nBREAKING CHANGE: x"], "2.0.0"),
        (&["Plain subject\n\nBREAKING CHANGE: x"], "2.0.0"),
        (&["fix: b\n\nBREAKING-CHANGE: x"], "1.2.4"),
        (&["Feat: capitalised"], ""),
        (&["fix(deps): bump"], "1.2.4"),
        (&["chore(deps): bump"], ""),
        (&["feat: skipped [skip release]"], ""),
    ];
    for (messages, want) in cases {
        let repo = after("v1.2.3", messages);
        assert_eq!(version(&repo, &["--preset", "semantic-release"]), *want, "{messages:?}");
    }
    // The preset also comes from relkit.toml.
    let repo = after("v1.2.3", &["feat!: b"]);
    repo.write("relkit.toml", "[version]\npreset = \"semantic-release\"\n");
    assert_eq!(version(&repo, &[]), "");
}

#[test]
fn semantic_release_reverts_need_header_and_full_hash() {
    let repo = after("v1.2.3", &[]);
    let feat = repo.commit("feat: x");
    repo.commit(&format!("Revert \"feat: x\"\n\nThis reverts commit {feat}."));
    assert_eq!(version(&repo, &["--preset", "semantic-release"]), "");
    let repo = after("v1.2.3", &[]);
    let feat = repo.commit("feat: x");
    repo.commit(&format!("Revert \"feat: x\"\n\nThis reverts commit {}.", &feat[..10]));
    // abbreviated: semantic-release cancels nothing, so feat + revert = minor
    assert_eq!(version(&repo, &["--preset", "semantic-release"]), "1.3.0");
    assert_eq!(version(&repo, &[]), "", "the conventional preset matches abbreviated hashes");
}

#[test]
fn reverts_in_and_across_ranges() {
    // In range: cancels.
    let repo = after("v1.2.3", &[]);
    let feat = repo.commit("feat: x");
    repo.commit(&format!("revert: feat: x\n\nThis reverts commit {feat}."));
    assert_eq!(version(&repo, &[]), "");
    // Across ranges: the reverted commit was released, the revert is a patch.
    let repo = TestRepo::github();
    let feat = repo.commit("feat: x");
    repo.tag("v1.2.3");
    repo.commit(&format!("Revert \"feat: x\"\n\nThis reverts commit {feat}."));
    assert_eq!(version(&repo, &[]), "1.2.4");
    assert_eq!(version(&repo, &["--preset", "semantic-release"]), "1.2.4");
    // A revert of a revert brings the feature back.
    let repo = after("v1.2.3", &[]);
    let feat = repo.commit("feat: x");
    let revert = repo.commit(&format!("Revert \"feat: x\"\n\nThis reverts commit {feat}."));
    repo.commit(&format!("Revert \"Revert \"feat: x\"\"\n\nThis reverts commit {revert}."));
    assert_eq!(version(&repo, &[]), "1.3.0");
    assert_eq!(version(&repo, &["--preset", "semantic-release"]), "1.3.0");
}

#[test]
fn merge_commits_count_like_any_commit() {
    let repo = after("v1.2.3", &[]);
    repo.git(&["switch", "-q", "-c", "topic"]);
    repo.commit("chore: wip");
    repo.git(&["switch", "-q", "main"]);
    repo.commit("chore: other");
    repo.git(&["merge", "-q", "--no-ff", "-m", "feat: merged topic", "topic"]);
    assert_eq!(version(&repo, &[]), "1.3.0");
}

#[test]
fn pre_one_point_oh() {
    let repo = after("v0.4.1", &["feat!: new config"]);
    assert_eq!(version(&repo, &[]), "0.5.0");
    let explain = repo.relkit(&["version", "--explain"]).ok().to_string();
    assert!(
        explain.contains("pre-1.0: a breaking change bumps the minor version ([version] pre-1.0 = \"minor\")"),
        "{explain}"
    );
    repo.write("relkit.toml", "[version]\npre-1.0 = \"semver\"\n");
    assert_eq!(version(&repo, &[]), "1.0.0");
    repo.write("relkit.toml", "[version]\npre-1.0 = \"cargo\"\n");
    assert_eq!(version(&repo, &[]), "0.5.0");
    let repo = after("v0.4.1", &["feat: thing"]);
    repo.write("relkit.toml", "[version]\npre-1.0 = \"cargo\"\n");
    assert_eq!(version(&repo, &[]), "0.4.2");
    assert_eq!(version(&repo, &["--release-as", "1.0.0"]), "1.0.0");
}

#[test]
fn first_release_uses_initial() {
    let repo = TestRepo::github();
    repo.commit("feat: start");
    assert_eq!(version(&repo, &[]), "0.1.0");
    repo.write("relkit.toml", "[version]\ninitial = \"1.0.0\"\n");
    assert_eq!(version(&repo, &[]), "1.0.0");
    let explain = repo.relkit(&["version", "--explain"]).ok().to_string();
    assert!(
        explain.contains("first release: there is no release tag yet, so the version is [version] initial = 1.0.0")
    );
}

#[test]
fn release_as_flag_and_footer() {
    let repo = after("v1.2.3", &["chore: prepare"]);
    assert_eq!(version(&repo, &["--release-as", "2.0.0"]), "2.0.0");
    let err = repo.relkit(&["version", "--release-as", "1.0.0"]).fails().to_string();
    assert_eq!(err, "error: --release-as 1.0.0 is not above the last release v1.2.3; give a higher version\n");
    let run = repo.relkit(&["version", "--release-as", "two"]);
    assert_eq!(run.code, 2, "a bad --release-as is a usage error");
    assert!(run.stderr.contains("`two` is not a semantic version (X.Y.Z)"), "{}", run.stderr);
    let repo = after("v1.2.3", &["chore: release 3.0.0\n\nRelease-As: 3.0.0"]);
    assert_eq!(version(&repo, &[]), "3.0.0");
}

#[test]
fn prereleases_count_up_and_promote() {
    let repo = after("v1.2.0", &["feat: one"]);
    assert_eq!(version(&repo, &["--prerelease", "rc"]), "1.3.0-rc.1");
    repo.tag("v1.3.0-rc.1");
    assert_eq!(version(&repo, &["--prerelease", "rc"]), "", "nothing new since rc.1");
    repo.commit("fix: two");
    assert_eq!(version(&repo, &["--prerelease", "rc"]), "1.3.0-rc.2");
    // beta sorts below the published rc.1 (SemVer 11): refused, not offered.
    repo.write("relkit.toml", "[version]\nprerelease = \"beta\"\n");
    let err = repo.relkit(&["version"]).fails().to_string();
    assert!(err.contains("1.3.0-beta.1 would sort below v1.3.0-rc.1"), "{err}");
    repo.write("relkit.toml", "");
    assert_eq!(version(&repo, &[]), "1.3.0", "the stable release after rc tags");
    let run = repo.relkit(&["version", "--prerelease", "rc.1"]);
    assert_eq!(run.code, 2, "a bad --prerelease is a usage error");
    assert!(run.stderr.contains("`rc.1` is not a pre-release label"), "{}", run.stderr);
    // The same label from relkit.toml is refused with its key and line.
    repo.write("relkit.toml", "[version]\nprerelease = \"rc.1\"\n");
    let err = repo.relkit(&["version"]).fails().to_string();
    assert!(err.contains("line 2: key `prerelease` in [version]: `rc.1` is not a pre-release label"), "{err}");
}

#[test]
fn custom_rules() {
    let repo = after("v1.2.3", &["chore(deps): bump serde"]);
    assert_eq!(version(&repo, &[]), "");
    repo.write(
        "relkit.toml",
        "[[version.rules]]\ntype = \"chore\"\nscope = \"deps\"\nbump = \"patch\"\n\n[[version.rules]]\ntype = \"docs\"\nbump = \"minor\"\n",
    );
    assert_eq!(version(&repo, &[]), "1.2.4");
    repo.commit("docs: new guide");
    assert_eq!(version(&repo, &[]), "1.3.0");
}

#[test]
fn an_existing_tag_elsewhere_is_an_error_not_a_duplicate() {
    let repo = after("v1.2.3", &[]);
    repo.git(&["switch", "-q", "-c", "other"]);
    repo.commit("feat: elsewhere");
    repo.tag("v1.3.0");
    repo.git(&["switch", "-q", "main"]);
    repo.commit("feat: here");
    let err = repo.relkit(&["version"]).fails().to_string();
    assert!(
        err.starts_with("error: plugin version: returned an error: the next version 1.3.0 is already tagged v1.3.0"),
        "{err}"
    );
}

fn sample() -> TestRepo {
    let repo = after("v1.2.3", &[]);
    let feat = repo.commit("feat(api): add pagination");
    repo.commit("fix: handle empty pages\n\nCloses #12");
    repo.commit("docs: explain pagination");
    repo.commit(&format!("Revert \"feat(api): add pagination\"\n\nThis reverts commit {feat}."));
    repo.commit("feat(cli)!: rename --out to --output\n\nBREAKING CHANGE: scripts using --out must change");
    repo.commit("Update README");
    repo
}

#[test]
fn json_output() {
    let repo = sample();
    insta::assert_snapshot!(repo.relkit(&["version", "--json"]).ok());
}

#[test]
fn explain_output() {
    let repo = sample();
    insta::assert_snapshot!(repo.relkit(&["version", "--explain"]).ok());
}

#[test]
fn explain_semantic_release_preset() {
    let repo = sample();
    insta::assert_snapshot!(repo.relkit(&["version", "--explain", "--preset", "semantic-release"]).ok());
}

#[test]
fn explain_no_release() {
    let repo = after("v1.2.3", &["docs: a", "chore: b"]);
    insta::assert_snapshot!(repo.relkit(&["version", "--explain"]).ok());
    // No output and status 0 when no release is due.
    let run = repo.relkit(&["version"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}
