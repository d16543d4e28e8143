//! `relkit notes`: snapshots over fixture repositories for every feature of
//! the notes (forges, breaking changes, scopes, references, squash bodies,
//! reverts, architecture documents, custom templates and sections).

use crate::support::{TestRepo, mask};

/// A realistic release on a repository hosted at `remote` (or none).
fn fixture(remote: Option<&str>) -> TestRepo {
    let repo = TestRepo::new();
    if let Some(url) = remote {
        repo.git(&["remote", "add", "origin", url]);
    }
    repo.commit("chore: init");
    let released = repo.commit("feat: export to CSV");
    repo.tag("v1.2.0");
    repo.commit_by(
        "feat(api): add pagination to the list endpoint (#42)",
        "Grace Hopper",
        "98+grace@users.noreply.github.com",
    );
    repo.commit("fix(api): handle empty pages\n\nThe last page was dropped.\n\nCloses #12\nRefs: group/other#7");
    let reverted = repo.commit("feat(cli): colour output");
    repo.commit("docs: explain pagination");
    repo.commit_by(
        "feat(config)!: read relkit.toml from the repository root\n\nBREAKING CHANGE: relkit no longer reads .relkit.toml.\nRename the file to relkit.toml.",
        "Linus T",
        "linus@example.org",
    );
    repo.commit(&format!("Revert \"feat(cli): colour output\"\n\nThis reverts commit {reverted}."));
    repo.commit(&format!("Revert \"feat: export to CSV\"\n\nThis reverts commit {released}."));
    repo.commit("perf: cache compiled plugins, see !17 and #3");
    repo.commit("Merge branch 'topic'");
    repo.commit("WIP on things");
    repo
}

fn notes(repo: &TestRepo, args: &[&str]) -> String {
    let mut all = vec!["notes"];
    all.extend_from_slice(args);
    mask(repo.relkit(&all).ok(), repo)
}

#[test]
fn github() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn gitlab_subgroup() {
    let repo = fixture(Some("https://gitlab.example.com/group/sub/rocket.git"));
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn unknown_forge_has_no_links() {
    let repo = fixture(None);
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn json_is_the_template_data() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    insta::assert_snapshot!(notes(&repo, &["--json"]));
}

#[test]
fn grouped_scopes_custom_sections_and_other_commits() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    repo.write(
        "relkit.toml",
        r#"[notes]
scopes = "group"
include-non-conventional = true
breaking-title = "Breaking"
other-title = "Everything else"
contributors = false
sections = [
  { title = "New", types = ["feat"] },
  { title = "Fixed", types = ["fix", "perf"] },
  { title = "Docs", types = ["docs"] },
]
"#,
    );
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn squash_bodies_split_when_asked() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v2.0.0");
    repo.commit(
        "feat(search): fuzzy matching (#51)\n\n* feat(search): add trigram index\n\n* fix(search): ignore case\n\n* chore: tidy\n\n* perf(search): cache the index\n\nCo-authored-by: Kim Park <kim@example.com>",
    );
    insta::assert_snapshot!("squash_not_split", notes(&repo, &[]));
    repo.write("relkit.toml", "[notes]\nsplit-squash = true\n");
    insta::assert_snapshot!("squash_split", notes(&repo, &[]));
}

#[test]
fn architecture_decisions_link_to_the_tag() {
    let repo = TestRepo::github();
    repo.commit_files("chore: init", &[("docs/adr/0001-record.md", "# 1\n"), ("docs/adr/0002-old.md", "# 2\n")]);
    repo.tag("v0.3.0");
    repo.commit_files(
        "docs: decide on wasm plugins",
        &[("docs/adr/0003-wasm-plugins.md", "# 3\n"), ("docs/adrs.md", "not a record")],
    );
    repo.commit_files(
        "docs: supersede 0001",
        &[("docs/adr/0001-record.md", "# 1 superseded\n"), ("docs/adr/0002-old.md", "")],
    );
    repo.commit_files("feat: plugins", &[("docs/architecture/plugins.md", "# plugins\n"), ("src/lib.rs", "//")]);
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn from_and_to_refs() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    repo.tag("v1.3.0");
    repo.commit("fix: after the release");
    // --to a release tag: that release's notes, dated by its commit.
    insta::assert_snapshot!("to_tag", notes(&repo, &["--to", "v1.3.0"]));
    // --from/--to any refs.
    insta::assert_snapshot!("from_to_commits", notes(&repo, &["--from", "HEAD~3", "--to", "HEAD~1"]));
    // Default: the release about to be made.
    insta::assert_snapshot!("pending", notes(&repo, &[]));
}

#[test]
fn no_release_due_shows_the_unreleased_commits() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("docs: b");
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn head_at_a_release_tag_shows_that_release() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    repo.tag("v1.3.0");
    assert_eq!(notes(&repo, &[]), notes(&repo, &["--to", "v1.3.0"]));
}

#[test]
fn prerelease_notes_start_at_the_previous_candidate() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("feat: first candidate feature");
    repo.tag("v1.1.0-rc.1");
    repo.commit("fix: found in rc.1");
    insta::assert_snapshot!(notes(&repo, &["--prerelease", "rc"]));
}

#[test]
fn custom_template() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    repo.write("relkit.toml", "[notes]\ntemplate = \".github/release-notes.hbs\"\n");
    repo.write(
        ".github/release-notes.hbs",
        "# {{tag}} ({{date}})\n{{#each sections}}\n{{title}}: {{#each entries}}{{description}}{{#unless @last}}; {{/unless}}{{/each}}\n{{/each}}\n{{#if breaking_changes}}Breaking: {{#each breaking_changes}}{{first_line text}}{{/each}}{{/if}}\nThanks {{#each contributors}}{{#if username}}@{{username}}{{else}}{{name}}{{/if}} {{/each}}\n",
    );
    insta::assert_snapshot!(notes(&repo, &[]));
}

#[test]
fn bad_templates_name_file_and_line() {
    let repo = fixture(Some("git@github.com:acme/rocket.git"));
    repo.write("relkit.toml", "[notes]\ntemplate = \"notes.hbs\"\n");
    repo.write("notes.hbs", "# {{tag}}\n\n{{#each sections}}\n{{title}}\n{{/if}}\n");
    let err = repo.relkit(&["notes"]).fails().to_string();
    assert!(err.starts_with("error: plugin notes: returned an error: template notes.hbs: line 5: "), "{err}");
    repo.write("notes.hbs", "# {{tag}}\n{{shout version}}\n");
    let err = repo.relkit(&["notes"]).fails().to_string();
    assert!(err.starts_with("error: plugin notes: returned an error: template notes.hbs: line 2: "), "{err}");
    assert!(err.contains("shout"), "{err}");
}
