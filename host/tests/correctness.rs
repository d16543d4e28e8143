//! Fault kinds from public bug reports of release tools (the host's part):
//! odd tags, pre-release order, errors that name where, ranges the wrong way
//! round, plugin files and budgets that are no plugin or no limit.

use std::process::Stdio;

use crate::support::TestRepo;

#[test]
fn tags_that_lead_to_no_commit_are_skipped_with_a_warning() {
    let repo = TestRepo::github();
    repo.commit_files("chore: init", &[("README.md", "hi\n")]);
    repo.tag("v1.0.0");
    repo.commit("feat: a");
    // A tag of a tree, a tag of a blob, and an annotated tag of a tree.
    repo.git(&["tag", "v9.0.0", "HEAD^{tree}"]);
    repo.git(&["tag", "v8.0.0", "HEAD:README.md"]);
    repo.git(&["tag", "-a", "-m", "odd", "v7.0.0", "HEAD^{tree}"]);
    let run = repo.relkit(&["version"]);
    assert_eq!(run.ok(), "1.1.0\n");
    for tag in ["v9.0.0", "v8.0.0", "v7.0.0"] {
        assert!(run.stderr.contains(&format!("warning: tag {tag} points at a ")), "{tag}: {}", run.stderr);
    }
    assert!(run.stderr.contains("tag v8.0.0 points at a blob, not a commit; relkit skips it"), "{}", run.stderr);
    // Every command works, not only version.
    repo.relkit(&["notes"]).ok();
    repo.relkit(&["changelog", "--full", "--dry-run"]).ok();
}

#[test]
fn a_new_version_must_sort_above_every_reachable_release_tag() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("feat!: a new world");
    repo.tag("v2.0.0-rc.1");
    repo.commit("fix: polish");
    // beta sorts below rc (SemVer 11): refused, saying why and what to do.
    let err = repo.relkit(&["version", "--prerelease", "beta"]).fails().to_string();
    assert!(err.contains("the next version 2.0.0-beta.1 would sort below v2.0.0-rc.1"), "{err}");
    assert!(err.contains("--prerelease rc"), "{err}");
    assert_eq!(repo.relkit(&["tag", "--prerelease", "beta"]).code, 1);
    assert_eq!(repo.git(&["tag", "-l", "v2*"]), "v2.0.0-rc.1");
    // The same line goes on; the stable release is above it.
    assert_eq!(repo.relkit(&["version", "--prerelease", "rc"]).ok(), "2.0.0-rc.2\n");
    assert_eq!(repo.relkit(&["version"]).ok(), "2.0.0\n");
    // A label without a dot counts for the ordering too.
    repo.tag("v2.0.0-rc9");
    let err = repo.relkit(&["version", "--prerelease", "beta"]).fails().to_string();
    assert!(err.contains("would sort below v2.0.0-rc9"), "{err}");
    // --release-as leaves no trace in history; the order is still checked.
    let err = repo.relkit(&["version", "--release-as", "1.5.0"]).fails().to_string();
    assert!(err.contains("would sort below v2.0.0-rc9"), "{err}");
}

#[test]
fn bad_values_are_reported_where_they_are() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo.commit("feat: a");
    for (config, expected) in [
        ("[version]\ninitial = \"abc\"\n", "line 2: key `initial` in [version]: \"abc\" is not a semantic version"),
        (
            "[version]\nprerelease = \"rc.1\"\n",
            "line 2: key `prerelease` in [version]: `rc.1` is not a pre-release label",
        ),
        ("[plugins]\nfuel = 18446744073709551615\n", "[plugins] fuel must be between 1 and"),
    ] {
        repo.write("relkit.toml", config);
        let err = repo.relkit(&["version"]).fails().to_string();
        assert!(err.contains(expected) && err.contains("relkit.toml"), "{config}: {err}");
        assert!(!err.contains("plugin version"), "{err}");
    }
    std::fs::remove_file(repo.path().join("relkit.toml")).unwrap();
    let err = repo.relkit(&["version", "--release-as", "1.0.0"]).fails().to_string();
    assert_eq!(err, "error: --release-as 1.0.0 is not above the last release v1.2.3; give a higher version\n");
}

#[test]
fn notes_of_a_range_the_wrong_way_round_is_an_error_naming_both_refs() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("feat: a");
    repo.tag("v1.1.0");
    let err = repo.relkit(&["notes", "--from", "v1.1.0", "--to", "v1.0.0"]).fails().to_string();
    assert!(err.contains("--from v1.1.0 is newer than --to v1.0.0") && err.contains("swap"), "{err}");
    repo.relkit(&["notes", "--from", "v1.0.0", "--to", "v1.1.0"]).ok();
}

#[cfg(unix)]
#[test]
fn a_plugin_file_that_is_no_plugin_is_refused_without_reading_it_all() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.write(
        "relkit.toml",
        "[[plugins.load]]\npath = \"/dev/zero\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
    );
    let err = repo.relkit(&["version"]).fails().to_string();
    assert!(err.contains("/dev/zero is not a regular file"), "{err}");
}

#[test]
fn a_closed_pipe_ends_any_command_quietly() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    for n in 0..30 {
        repo.commit(&format!("feat: change {n}"));
    }
    for args in [&["changelog", "--full", "--dry-run"][..], &["notes"][..], &["version", "--explain"][..]] {
        let mut child = repo.relkit_command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn tags_without_a_v_are_releases_and_new_tags_follow_their_style() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("1.0.0");
    repo.commit("feat: a");
    repo.tag("1.1.0");
    repo.commit("fix: b");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.1.1\n");
    let notes = repo.relkit(&["notes", "--to", "1.1.0"]).ok().to_string();
    assert!(notes.starts_with("## [1.1.0](https://github.com/acme/rocket/compare/1.0.0...1.1.0)"), "{notes}");
    let changelog = repo.relkit(&["changelog", "--full", "--dry-run"]).ok().to_string();
    for section in ["## [1.1.1]", "## [1.1.0]", "## [1.0.0]"] {
        assert!(changelog.contains(section), "{section}: {changelog}");
    }
    repo.relkit(&["tag"]).ok();
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]), "1.1.1");
    // A configured prefix is the only one.
    repo.write("relkit.toml", "[release]\ntag-prefix = \"v\"\n");
    assert_eq!(repo.relkit(&["version"]).ok(), "0.1.0\n");
}

#[test]
fn newer_tags_under_another_prefix_are_pointed_out() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.1.0");
    for n in 0..3 {
        repo.commit(&format!("feat: step {n}"));
        repo.tag(&format!("pkg-v3.{n}.0"));
    }
    repo.commit("fix: c");
    let run = repo.relkit(&["version"]);
    assert_eq!(run.ok(), "1.2.0\n");
    assert!(
        run.stderr.contains(
            "tags like pkg-v3.2.0 are newer than the releases relkit reads (the last release tag relkit found is v1.1.0"
        ) && run.stderr.contains("set `[release] tag-prefix = \"pkg-v\"`"),
        "{}",
        run.stderr
    );
    repo.write("relkit.toml", "[release]\ntag-prefix = \"pkg-v\"\n");
    let run = repo.relkit(&["version"]);
    assert_eq!(run.ok(), "3.2.1\n");
    assert!(!run.stderr.contains("newer than"), "{}", run.stderr);
}

#[test]
fn a_full_changelog_refuses_to_drop_sections_unless_forced() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[("CHANGELOG.md", "# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- a\n\n## [0.9.0] - 2025-01-01\n\n- old\n")],
    );
    repo.tag("v1.0.0");
    repo.commit("feat: a");
    let before = repo.read("CHANGELOG.md");
    let err = repo.relkit(&["changelog", "--full"]).fails().to_string();
    assert!(err.contains("would drop the sections of 0.9.0") && err.contains("--force"), "{err}");
    assert_eq!(repo.read("CHANGELOG.md"), before);
    repo.relkit(&["changelog", "--full", "--force"]).ok();
    assert!(!repo.read("CHANGELOG.md").contains("0.9.0"));
}

#[test]
fn verbose_says_what_relkit_read_and_did() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("feat: a");
    repo.commit("fix: b");
    let run = repo.relkit(&["-v", "notes"]);
    run.ok();
    // Plugin times vary from run to run.
    let stderr: String = run
        .stderr
        .lines()
        .map(|l| match l.find(" ran in ") {
            Some(at) => format!("{} ran in N ms\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect();
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_release_that_changes_50000_paths_stays_within_the_plugins_budget() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    let blob = repo.git(&["hash-object", "-w", "--stdin"]);
    let mut index = String::new();
    for i in 0..50_000 {
        let dir = ["src", "k8s", "migrations", "terraform", "docs"][i % 5];
        index.push_str(&format!("100644 {blob}\t{dir}/dir{}/file{i}.txt\n", i / 500));
    }
    let mut child =
        repo.command("git").args(["update-index", "--add", "--index-info"]).stdin(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), index.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    repo.commit("feat: a huge change");
    let runbook = repo.relkit(&["rollback"]).ok().to_string();
    assert!(runbook.contains("v1.1.0"), "{}", &runbook[..runbook.len().min(400)]);
    repo.relkit(&["release", "--dry-run"]).ok();
}

#[test]
fn a_bad_release_as_footer_is_a_warning_naming_the_commit() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("fix: a\n\nRelease-As: 2.0.0\nand then some\n");
    repo.commit("fix: b\n\nRelease-As:\n");
    let run = repo.relkit(&["version"]);
    assert_eq!(run.ok(), "1.0.1\n");
    assert!(
        run.stderr.contains("(fix: a): its Release-As footer \"2.0.0\\nand then some\" is ignored"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(fix: b): its Release-As footer \"\" is ignored"), "{}", run.stderr);
}
