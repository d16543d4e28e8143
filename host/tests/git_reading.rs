//! Reading history: tags with and without prefix, non-semver tags, shallow
//! clones, detached HEAD, merge-heavy histories, non-UTF-8 messages.

use crate::support::{TestRepo, mask};

#[test]
fn no_tags_yet_is_a_first_release() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.commit("fix: first fix");
    assert_eq!(repo.relkit(&["version"]).ok(), "0.1.0\n");
}

#[test]
fn an_empty_repository_is_a_clear_error() {
    let repo = TestRepo::github();
    let err = repo.relkit(&["version"]).fails().to_string();
    assert_eq!(err, "error: the repository has no commits yet; commit something first\n");
}

#[test]
fn outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::support::relkit_bin())
        .arg("-C")
        .arg(dir.path())
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "[DIR]");
    assert_eq!(
        err,
        "error: [DIR] is not inside a git repository (run relkit in your repository, or point at it with -C DIR)\n"
    );
}

#[test]
fn tags_with_the_default_prefix() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.2.0");
    repo.commit("feat: b");
    repo.tag("1.9.0"); // with no tag-prefix set, `1.9.0` is a release tag too
    repo.commit("fix: c");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.9.1\n");
    // New tags follow the newest release tag's style.
    assert!(repo.relkit(&["version", "--json"]).ok().contains("\"tag\": \"1.9.1\""));
    // `tag-prefix = "v"` makes `v` the only prefix.
    repo.write("relkit.toml", "[release]\ntag-prefix = \"v\"\n");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.3.0\n");
}

#[test]
fn tags_without_prefix() {
    let repo = TestRepo::github();
    repo.write("relkit.toml", "[release]\ntag-prefix = \"\"\n");
    repo.commit("feat: a");
    repo.lightweight_tag("1.2.0");
    repo.commit("fix: c");
    assert!(repo.relkit(&["version", "--json"]).ok().contains("\"tag\": \"1.2.1\""));
}

#[test]
fn a_monorepo_prefix_ignores_other_tags() {
    let repo = TestRepo::github();
    repo.write("relkit.toml", "[release]\ntag-prefix = \"api-v\"\n");
    repo.commit("feat: a");
    repo.tag("api-v2.0.0");
    repo.commit("feat: b");
    repo.tag("web-v7.0.0");
    repo.tag("v9.0.0");
    repo.commit("fix: c");
    assert_eq!(repo.relkit(&["version"]).ok(), "2.1.0\n");
}

#[test]
fn non_semver_tags_are_ignored() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("feat: b");
    for t in ["latest", "v2", "v1.1", "release-2026", "v1.2.3.4", "vnext"] {
        repo.tag(t);
    }
    repo.commit("fix: c");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.1.0\n");
}

#[test]
fn the_highest_reachable_tag_wins_over_unreachable_ones() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.git(&["switch", "-q", "-c", "next"]);
    repo.commit("feat!: next major");
    repo.tag("v2.0.0");
    repo.git(&["switch", "-q", "main"]);
    repo.commit("fix: maintenance");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.0.1\n");
}

#[test]
fn detached_head() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    let fix = repo.commit("fix: b");
    repo.commit("feat: c");
    repo.git(&["checkout", "-q", "--detach", &fix]);
    assert_eq!(repo.relkit(&["version"]).ok(), "1.0.1\n");
}

#[test]
fn merge_heavy_history() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    for (i, kind) in ["fix", "fix", "feat", "docs"].iter().enumerate() {
        repo.git(&["switch", "-q", "-c", &format!("topic-{i}"), "main"]);
        repo.commit(&format!("{kind}: topic {i} part 1"));
        repo.commit(&format!("chore: topic {i} part 2"));
        repo.git(&["switch", "-q", "main"]);
        repo.commit(&format!("chore: main moves on {i}"));
        repo.git(&["merge", "-q", "--no-ff", "--no-edit", &format!("topic-{i}")]);
    }
    let json = repo.relkit(&["version", "--json"]).ok().to_string();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["next"], "1.1.0");
    // 4 merges + 8 topic commits + 4 main commits, each read once
    assert_eq!(v["commits"].as_array().unwrap().len(), 16);
    let merges =
        v["commits"].as_array().unwrap().iter().filter(|c| c["subject"].as_str().unwrap().starts_with("Merge")).count();
    assert_eq!(merges, 4);
}

#[test]
fn non_utf8_messages_do_not_crash_anything() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit_bytes(b"feat: caf\xe9 \xff\xfe support\n\nbody \xc3\x28\n");
    assert_eq!(repo.relkit(&["version"]).ok(), "1.1.0\n");
    let notes = repo.relkit(&["notes"]).ok().to_string();
    assert!(notes.contains("caf\u{fffd} \u{fffd}\u{fffd} support"), "{notes}");
    repo.relkit(&["changelog", "--full", "--dry-run"]).ok();
    repo.relkit(&["rollback"]).ok();
}

fn origin_with_history() -> TestRepo {
    let origin = TestRepo::github();
    for i in 0..3 {
        origin.commit(&format!("chore: early {i}"));
    }
    origin.commit("feat: a");
    origin.tag("v1.0.0");
    for i in 0..5 {
        origin.commit(&format!("fix: fix {i}"));
    }
    origin
}

#[test]
fn a_shallow_clone_that_misses_the_tag_is_refused_with_the_fix() {
    let origin = origin_with_history();
    let clone = TestRepo::shallow_clone(&origin, 2);
    let before = clone.state();
    let err = mask(clone.relkit(&["release"]).fails(), &clone);
    insta::assert_snapshot!(err);
    assert_eq!(clone.state(), before);
}

#[test]
fn a_shallow_clone_deep_enough_works() {
    let origin = origin_with_history();
    let clone = TestRepo::shallow_clone(&origin, 7);
    assert_eq!(clone.git(&["rev-parse", "--is-shallow-repository"]), "true");
    assert_eq!(clone.relkit(&["version"]).ok(), "1.0.1\n");
}
