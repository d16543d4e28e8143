//! `relkit tag`: annotated (or signed) tags with the notes as message, pushing
//! only that tag, and the refusals.

use crate::support::{TestRepo, mask};

fn releasable() -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo.commit("feat(api): add pagination");
    repo.commit("fix: handle empty pages");
    repo
}

#[test]
fn creates_an_annotated_tag_with_the_notes() {
    let repo = releasable();
    let out = repo.relkit(&["tag"]).ok().to_string();
    assert_eq!(out, format!("created annotated tag v1.3.0 at {}\n", &repo.head()[..7]));
    assert_eq!(repo.git(&["cat-file", "-t", "v1.3.0"]), "tag");
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), repo.head());
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]);
    insta::assert_snapshot!(message);
    // Now HEAD is released: nothing is due any more.
    assert_eq!(repo.relkit(&["version"]).ok(), "");
}

#[test]
fn dry_run_changes_nothing() {
    let repo = releasable();
    let before = repo.state();
    let out = repo.relkit(&["tag", "--dry-run", "--push"]).ok().to_string();
    assert!(
        out.starts_with(&format!(
            "would create annotated tag v1.3.0 at {}\nwould push v1.3.0 to origin\n--- tag message ---\n## [1.3.0]",
            &repo.head()[..7]
        )),
        "{out}"
    );
    assert_eq!(repo.state(), before);
}

#[test]
fn refuses_when_no_release_is_due() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("docs: b");
    let before = repo.state();
    let err = repo.relkit(&["tag"]).fails().to_string();
    assert_eq!(err, "error: no release: none of the 1 commits since v1.0.0 asks for one; there is nothing to tag\n");
    assert_eq!(repo.state(), before);
}

#[test]
fn refuses_when_the_tag_exists() {
    let repo = releasable();
    repo.git(&["switch", "-q", "-c", "elsewhere", "HEAD~2"]);
    repo.commit("feat: released from another branch");
    repo.tag("v1.3.0");
    repo.git(&["switch", "-q", "main"]);
    let before = repo.state();
    let err = repo.relkit(&["tag"]).fails().to_string();
    assert!(err.contains("the next version 1.3.0 is already tagged v1.3.0"), "{err}");
    assert_eq!(repo.state(), before);
}

#[test]
fn refuses_when_head_is_already_released() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    let before = repo.state();
    let err = repo.relkit(&["tag", "--release-as", "2.0.0"]).fails().to_string();
    assert_eq!(
        err,
        format!(
            "error: HEAD ({}) is already released as v1.0.0; commit the changes to release first\n",
            &repo.head()[..7]
        )
    );
    assert_eq!(repo.state(), before);
}

#[test]
fn promotes_a_release_candidate_on_the_same_commit() {
    let repo = releasable();
    repo.relkit(&["tag", "--prerelease", "rc"]).ok();
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]), "v1.3.0-rc.1");
    repo.relkit(&["tag"]).ok();
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]), "v1.3.0\nv1.3.0-rc.1");
}

#[test]
fn pushes_only_the_tag() {
    let remote = tempfile::tempdir().unwrap();
    let repo = releasable();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "set-url", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["tag", "unrelated"]);
    let out = repo.relkit(&["tag", "--push"]).ok().to_string();
    assert!(out.ends_with("pushed v1.3.0 to origin\n"), "{out}");
    let remote_refs = std::process::Command::new("git")
        .arg("-C")
        .arg(remote.path())
        .args(["for-each-ref", "--format=%(refname)"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&remote_refs.stdout).trim(), "refs/tags/v1.3.0");
}

#[test]
fn a_failed_push_leaves_no_tag() {
    let repo = releasable();
    let missing = repo.home().join("no-such-remote.git");
    repo.git(&["remote", "set-url", "origin", missing.to_str().unwrap()]);
    let before = repo.state();
    let err = mask(repo.relkit(&["tag", "--push"]).fails(), &repo);
    assert!(err.contains("does not appear to be a git repository"), "{err}");
    assert!(err.contains("relkit could not reach origin") && err.ends_with("nothing was changed\n"), "{err}");
    assert_eq!(repo.state(), before);
}

#[test]
fn signs_with_git_signing_configuration() {
    let repo = releasable();
    let key = repo.home().join("id_ed25519");
    let keygen = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "relkit-test", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(keygen.success());
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    let out = repo.relkit(&["tag", "--sign"]).ok().to_string();
    assert!(out.starts_with("created signed tag v1.3.0"), "{out}");
    let raw = repo.git(&["cat-file", "-p", "v1.3.0"]);
    assert!(raw.contains("-----BEGIN SSH SIGNATURE-----"), "{raw}");
}
