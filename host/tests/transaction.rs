//! `relkit release` as a transaction: killed at every git step (a `git`
//! wrapper first on PATH stops relkit before or after its Nth git call), two
//! runs at once, hostile configuration values, push rejections by kind, a
//! closed stdout. After each, one more `relkit release --push` must leave
//! exactly one complete release.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Run, TestRepo, git_in, with_remote};

/// A repository with a release due (1.2.3 -> 1.3.0) and a bare `origin`.
fn fixture(config: &str) -> (TestRepo, tempfile::TempDir) {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("src/lib.rs", "//\n"),
            ("CHANGELOG.md", "# Changelog\n"),
            ("Cargo.toml", "[package]\nname = \"rocket\"\nversion = \"1.2.3\"\n"),
        ],
    );
    repo.tag("v1.2.3");
    repo.commit("feat(api): add pagination");
    repo.commit_files("fix: handle empty pages", &[("src/lib.rs", "// fixed\n")]);
    if !config.is_empty() {
        repo.commit_files("chore: configure relkit", &[("relkit.toml", config)]);
    }
    let remote = with_remote(&repo);
    (repo, remote)
}

/// SSH signing with a fresh key (no agent, no passphrase).
fn enable_signing(repo: &TestRepo) {
    let key = repo.home().join("signing-key");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "relkit-test", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
}

/// A `git` that counts its calls and, at call `at`, sends `signal` to relkit
/// before or after running the real git.
pub(crate) fn fault_wrapper(dir: &Path) -> PathBuf {
    let real = which_git();
    let script = format!(
        r#"#!/bin/sh
exec 9>>"$RELKIT_FAULT_DIR/lock"
flock 9
n=$(( $(cat "$RELKIT_FAULT_DIR/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$RELKIT_FAULT_DIR/count"
flock -u 9
if [ "$n" = "$RELKIT_FAULT_AT" ] && [ "$RELKIT_FAULT_WHEN" = before ]; then
  touch "$RELKIT_FAULT_DIR/fired"
  kill -s "$RELKIT_FAULT_SIGNAL" "$PPID"
  [ "$RELKIT_FAULT_SIGNAL" = KILL ] && exit 1
fi
"{real}" "$@"
rc=$?
if [ "$n" = "$RELKIT_FAULT_AT" ] && [ "$RELKIT_FAULT_WHEN" = after ]; then
  touch "$RELKIT_FAULT_DIR/fired"
  kill -s "$RELKIT_FAULT_SIGNAL" "$PPID"
fi
exit $rc
"#,
        real = real.display()
    );
    let path = dir.join("git");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir.to_path_buf()
}

fn which_git() -> PathBuf {
    let paths = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&paths).map(|d| d.join("git")).find(|p| p.is_file()).unwrap()
}

/// Runs `relkit release --push` with the fault at git call `at`; returns
/// whether the fault fired (false: the run made fewer git calls than `at`).
pub(crate) fn faulted_run(repo: &TestRepo, wrapper: &Path, at: usize, when: &str, signal: &str) -> bool {
    faulted_run_with(repo, wrapper, at, when, signal, &["release", "--push"])
}

/// [`faulted_run`] of any relkit command.
pub(crate) fn faulted_run_with(
    repo: &TestRepo,
    wrapper: &Path,
    at: usize,
    when: &str,
    signal: &str,
    args: &[&str],
) -> bool {
    let state = tempfile::tempdir().unwrap();
    let path = format!("{}:{}", wrapper.display(), std::env::var("PATH").unwrap());
    let out = repo
        .relkit_command(args)
        .env("PATH", path)
        .env("RELKIT_FAULT_DIR", state.path())
        .env("RELKIT_FAULT_AT", at.to_string())
        .env("RELKIT_FAULT_WHEN", when)
        .env("RELKIT_FAULT_SIGNAL", signal)
        .output()
        .unwrap();
    // Not the count: git calls from other threads of the killed run may still
    // be writing it.
    let fired = state.path().join("fired").exists();
    let calls = std::fs::read_to_string(state.path().join("count")).unwrap_or_default();
    if !fired {
        assert_eq!(
            out.status.code(),
            Some(0),
            "a run that made {} git calls (the fault was at {at}, {signal} {when}) failed: {}",
            calls.trim(),
            String::from_utf8_lossy(&out.stderr),
        );
    }
    fired
}

/// One complete release v1.3.0: the same tag here and on the remote, one
/// CHANGELOG section, the CHANGELOG committed (or written) as configured, a
/// clean work tree and nothing left behind.
#[track_caller]
fn assert_one_complete_release(repo: &TestRepo, remote: &Path, committed: bool, context: &str) {
    let local = repo.git(&["rev-parse", "refs/tags/v1.3.0"]);
    assert_eq!(git_in(remote, &["rev-parse", "refs/tags/v1.3.0"]), local, "{context}: remote tag differs");
    let changelog = repo.read("CHANGELOG.md");
    assert_eq!(changelog.matches("## [1.3.0]").count(), 1, "{context}: CHANGELOG:\n{changelog}");
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    if committed {
        assert_eq!(status, "", "{context}: work tree not clean");
        let tagged = repo.git(&["rev-parse", "v1.3.0^{commit}"]);
        assert_eq!(repo.head(), tagged, "{context}: HEAD is not the release commit");
        assert_eq!(git_in(remote, &["rev-parse", "main"]), tagged, "{context}: remote main is not the release commit");
        assert_eq!(repo.git(&["show", "v1.3.0:CHANGELOG.md"]), changelog.trim_end(), "{context}");
        // With version files, the tagged commit and the work tree say 1.3.0.
        let manifest = if std::fs::read_to_string(repo.path().join("relkit.toml"))
            .unwrap_or_default()
            .contains("[[version-files]]")
        {
            "1.3.0"
        } else {
            "1.2.3"
        };
        let expected = format!("[package]\nname = \"rocket\"\nversion = \"{manifest}\"\n");
        assert_eq!(repo.git(&["show", "v1.3.0:Cargo.toml"]) + "\n", expected, "{context}: tagged Cargo.toml");
        assert_eq!(repo.read("Cargo.toml"), expected, "{context}: Cargo.toml in the work tree");
    } else {
        assert_eq!(status, "M CHANGELOG.md", "{context}: work tree");
        assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), repo.head(), "{context}");
    }
    let git_dir = repo.path().join(".git");
    assert!(!git_dir.join("index.lock").exists(), "{context}: index.lock left");
    assert!(!git_dir.join("relkit-release.json").exists(), "{context}: journal left");
    let tmp = git_dir.join("relkit/tmp");
    assert!(!tmp.exists() || std::fs::read_dir(&tmp).unwrap().next().is_none(), "{context}: temporary files left");
    let stray: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".relkit-"))
        .collect();
    assert!(stray.is_empty(), "{context}: stray files {stray:?}");
}

fn kill_at_every_git_step(config: &str, committed: bool, sign: bool) {
    let wrapper_dir = tempfile::tempdir().unwrap();
    let wrapper = fault_wrapper(wrapper_dir.path());
    for (when, signal) in [("before", "KILL"), ("after", "KILL"), ("after", "TERM")] {
        for at in 1.. {
            let (repo, remote) = fixture(config);
            if sign {
                enable_signing(&repo);
            }
            let fired = faulted_run(&repo, &wrapper, at, when, signal);
            let context = format!("{signal} {when} git call {at} ({config:?}, sign {sign})");
            let rerun = repo.relkit(&["release", "--push"]);
            assert_eq!(rerun.code, 0, "{context}: the next run failed:\n{}\n{}", rerun.stdout, rerun.stderr);
            assert_one_complete_release(&repo, remote.path(), committed, &context);
            if !fired {
                break;
            }
        }
    }
}

#[test]
fn killed_at_every_git_step_then_run_again_makes_one_release() {
    kill_at_every_git_step("[release]\ncommit = false\n", false, false);
}

#[test]
fn killed_at_every_git_step_with_the_changelog_committed() {
    // The default with --push: the CHANGELOG goes into the release commit.
    kill_at_every_git_step("", true, false);
}

#[test]
fn killed_at_every_git_step_with_version_files() {
    // The CHANGELOG and Cargo.toml in one release commit: a kill anywhere
    // leaves either no release or one the next run finishes.
    kill_at_every_git_step("[[version-files]]\npath = \"Cargo.toml\"\n", true, false);
}

#[test]
fn killed_at_every_git_step_signed_and_committed() {
    kill_at_every_git_step("[release]\nsign = true\n", true, true);
}

#[test]
fn killed_at_random_moments_then_run_again_makes_one_release() {
    // Kill by time rather than by git call: the moment lands inside plugin
    // runs, file writes and git calls alike. The delays are spread over a
    // whole run's length, measured first.
    let config = "";
    let (probe, _probe_remote) = fixture(config);
    let start = std::time::Instant::now();
    probe.relkit(&["release", "--push"]).ok();
    let length = start.elapsed().as_micros().max(1000) as u64;
    for i in 0..12u64 {
        let (repo, remote) = fixture(config);
        let mut child =
            repo.relkit_command(&["release", "--push"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(length * i / 11));
        let _ = child.kill();
        let _ = child.wait();
        let rerun = repo.relkit(&["release", "--push"]);
        let context = format!("killed after {} µs", length * i / 11);
        assert_eq!(rerun.code, 0, "{context}: {}\n{}", rerun.stdout, rerun.stderr);
        assert_one_complete_release(&repo, remote.path(), true, &context);
    }
}

#[test]
fn two_runs_at_once_end_in_one_release() {
    for round in 0..6 {
        let config = if round % 2 == 0 { "[release]\ncommit = false\n" } else { "" };
        let (repo, remote) = fixture(config);
        let a =
            repo.relkit_command(&["release", "--push"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let b =
            repo.relkit_command(&["release", "--push"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let (a, b) = (Run::from(a.wait_with_output().unwrap()), Run::from(b.wait_with_output().unwrap()));
        for run in [&a, &b] {
            assert!(
                run.code == 0 || run.stderr.contains("another relkit release is running"),
                "round {round}: {}\n{}",
                run.stdout,
                run.stderr
            );
        }
        assert!(a.code == 0 || b.code == 0, "round {round}: neither run released");
        let last = repo.relkit(&["release", "--push"]);
        assert_eq!(last.code, 0, "{}", last.stderr);
        assert_one_complete_release(&repo, remote.path(), round % 2 == 1, &format!("round {round}"));
    }
}

/// Two pipelines, each in its own clone, releasing at once: the remote takes
/// one release; the other run is told the branch moved on or the tag exists
/// (whether git's client saw it or the remote lost the race for the ref's
/// lock), never that the remote's rules said no.
#[test]
fn two_clones_releasing_at_once_make_one_release_and_the_other_is_told_why() {
    for round in 0..8 {
        let config = if round % 2 == 0 { "[release]\ncommit = false\n" } else { "" };
        let (repo, remote) = fixture(config);
        let other = TestRepo::clone_of(remote.path());
        let spawn = |r: &TestRepo| {
            r.relkit_command(&["release", "--push"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        };
        let (a, b) = (spawn(&repo), spawn(&other));
        let runs = [Run::from(a.wait_with_output().unwrap()), Run::from(b.wait_with_output().unwrap())];
        assert!(runs.iter().any(|r| r.code == 0), "round {round}: neither run released");
        for run in runs.iter().filter(|r| r.code != 0) {
            assert!(
                run.stderr.contains("it moved on") || run.stderr.contains("already has tag v1.3.0"),
                "round {round}: {}",
                run.stderr
            );
            assert!(!run.stderr.contains("said no"), "round {round}: {}", run.stderr);
        }
        assert_eq!(git_in(remote.path(), &["tag"]), "v1.2.3\nv1.3.0", "round {round}");
        let tagged = git_in(remote.path(), &["rev-parse", "v1.3.0^{commit}"]);
        assert_eq!(git_in(remote.path(), &["rev-parse", "main"]), tagged, "round {round}");
    }
}

/// Two pipelines one after the other in the same second, the second not
/// fetched: it builds the same tag object, which git pushes as "up to date".
/// That is the first one's release: the second says so and does not
/// report a release of its own (its CI would publish a second time).
#[test]
fn the_same_release_made_elsewhere_in_the_same_second_is_not_reported_twice() {
    for config in ["[release]\ncommit = false\n", ""] {
        let (repo, remote) = fixture(config);
        let other = TestRepo::clone_of(remote.path());
        other.set_clock(repo.clock());
        repo.relkit(&["release", "--push"]).ok();
        let run = other.relkit(&["release", "--push"]);
        // The same objects, made apart: git found them up to date.
        assert_eq!(
            other.git(&["cat-file", "-t", &repo.git(&["rev-parse", "v1.3.0"])]),
            "tag",
            "{config:?}: the second run did not build the same tag object"
        );
        let err = run.fails().to_string();
        assert!(err.contains("origin already has tag v1.3.0: a release was made elsewhere"), "{config:?}: {err}");
        assert_eq!(other.git(&["tag", "-l", "v1.3.0"]), "", "{config:?}");
        other.git(&["pull", "-q", "--tags", "origin", "main"]);
        assert!(other.relkit(&["release", "--push"]).ok().contains("no release due"), "{config:?}");
    }
}

#[test]
fn a_local_release_tag_missing_on_the_remote_is_pushed_not_forgotten() {
    let (repo, remote) = fixture("[release]\ncommit = true\n");
    // Released without --push: tag and release commit exist only here.
    repo.relkit(&["release"]).ok();
    assert_eq!(git_in(remote.path(), &["tag"]), "v1.2.3");
    let run = repo.relkit(&["release", "--push"]);
    assert!(run.ok().contains("relkit: pushed v1.3.0 to origin (made here earlier, never pushed)"), "{}", run.stdout);
    assert_one_complete_release(&repo, remote.path(), true, "publish");
}

#[test]
fn a_journal_whose_commit_point_was_not_reached_is_forgotten() {
    // Killed just before its push: a journal naming objects no ref points at.
    let wrapper_dir = tempfile::tempdir().unwrap();
    let wrapper = fault_wrapper(wrapper_dir.path());
    for at in 1.. {
        let (repo, remote) = fixture("[release]\ncommit = false\n");
        assert!(faulted_run(&repo, &wrapper, at, "before", "KILL"), "no run stopped with a journal and no tag");
        let journal = repo.path().join(".git/relkit-release.json");
        if !journal.exists() || repo.git(&["tag"]) != "v1.2.3" {
            continue;
        }
        let run = repo.relkit(&["release", "--push"]);
        assert!(!run.ok().contains("completed"), "{}", run.stdout);
        assert!(run.stdout.contains("releasing v1.3.0"), "{}", run.stdout);
        assert_one_complete_release(&repo, remote.path(), false, "stale journal");
        break;
    }
}

#[test]
fn hostile_config_values_are_refused_before_git_runs() {
    let (repo, remote) = fixture("");
    let owned = repo.path().join("owned");
    let cases = [
        ("[release]\nremote = \"--receive-pack=touch owned; false\"\n", "line 2: key `remote` in [release]"),
        ("[release]\nremote = \"origin;touch owned\"\n", "key `remote` in [release]"),
        ("[release]\ntag-prefix = \"--upload-pack=touch owned\"\n", "line 2: key `tag-prefix` in [release]"),
        ("[release]\ntag-prefix = \"v 1\"\n", "key `tag-prefix`"),
        ("[repository]\nremote = \"-x\"\n", "key `remote` in [repository]"),
        ("[changelog]\npath = \"../outside.md\"\n", "line 2: key `path` in [changelog]: ../outside.md leads to"),
        ("[changelog]\npath = \"/tmp/relkit-outside.md\"\n", "outside the repository"),
        ("[notes]\ntemplate = \"../../etc/passwd\"\n", "key `template` in [notes]"),
        ("[release]\nidentity = \"nobody\"\n", "key `identity` in [release]"),
    ];
    for (config, expected) in cases {
        repo.write("relkit.toml", config);
        for command in [&["release", "--push"][..], &["release", "--dry-run", "--push"][..], &["version"][..]] {
            let run = repo.relkit(command);
            let err = run.fails();
            assert!(err.contains(expected) && err.contains("relkit.toml"), "{config}: {err}");
        }
        assert!(!owned.exists(), "{config}: a command ran");
    }
    std::fs::remove_file(repo.path().join("relkit.toml")).unwrap();
    assert_eq!(git_in(remote.path(), &["tag"]), "v1.2.3");
    assert!(!Path::new("/tmp/relkit-outside.md").exists());
}

#[cfg(unix)]
#[test]
fn a_changelog_symlinked_out_of_the_repository_is_refused() {
    let (repo, _remote) = fixture("");
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("CHANGELOG.md");
    std::fs::write(&target, "# Someone else's file\n").unwrap();
    std::fs::remove_file(repo.path().join("CHANGELOG.md")).unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join("CHANGELOG.md")).unwrap();
    let err = repo.relkit(&["release"]).fails().to_string();
    assert!(err.contains("outside the repository") && err.contains("symlink"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# Someone else's file\n");
    assert_eq!(repo.git(&["tag"]), "v1.2.3");
}

#[cfg(unix)]
#[test]
fn a_changelog_symlinked_inside_the_repository_is_committed_at_its_target() {
    let (repo, remote) = fixture("");
    repo.git(&["mv", "CHANGELOG.md", "HISTORY.md"]);
    std::os::unix::fs::symlink("HISTORY.md", repo.path().join("CHANGELOG.md")).unwrap();
    repo.git(&["add", "CHANGELOG.md"]);
    repo.commit("docs: the CHANGELOG is HISTORY.md");
    repo.git(&["push", "-q", "origin", "main"]);
    repo.relkit(&["release", "--push"]).ok();
    assert!(std::fs::symlink_metadata(repo.path().join("CHANGELOG.md")).unwrap().file_type().is_symlink());
    assert!(repo.git(&["show", "v1.3.0:HISTORY.md"]).contains("## [1.3.0]"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(git_in(remote.path(), &["rev-parse", "main"]), repo.head());
}

fn install_hook(remote: &Path, script: &str) {
    let hook = remote.join("hooks/pre-receive");
    std::fs::write(&hook, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn each_push_rejection_gets_its_own_message_and_changes_nothing() {
    // The tag exists on the remote: a release was made elsewhere.
    let (repo, remote) = fixture("");
    let other = tempfile::tempdir().unwrap();
    git_in(other.path(), &["clone", "-q", "-b", "main", remote.path().to_str().unwrap(), "."]);
    let before = repo.state();
    Command::new("git")
        .current_dir(other.path())
        .args(["-c", "user.name=x", "-c", "user.email=x@y", "tag", "-a", "-m", "elsewhere", "v1.3.0"])
        .status()
        .unwrap();
    git_in(other.path(), &["push", "-q", "origin", "v1.3.0"]);
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(err.contains("origin already has tag v1.3.0: a release was made elsewhere"), "{err}");
    assert!(err.contains("git fetch --tags origin") && err.ends_with("nothing was changed\n"), "{err}");
    assert!(!err.contains("undo"), "{err}");
    assert_eq!(repo.state(), before);

    // The branch moved on: the lease fails.
    let (repo, remote) = fixture("");
    let other = tempfile::tempdir().unwrap();
    git_in(other.path(), &["clone", "-q", "-b", "main", remote.path().to_str().unwrap(), "."]);
    Command::new("git")
        .current_dir(other.path())
        .args(["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-q", "--allow-empty", "-m", "fix: elsewhere"])
        .status()
        .unwrap();
    git_in(other.path(), &["push", "-q", "origin", "main"]);
    let before = repo.state();
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(
        err.contains("branch main on origin is not at") && err.contains("Pull, then run the release again"),
        "{err}"
    );
    assert_eq!(repo.state(), before);
    assert_eq!(git_in(remote.path(), &["tag"]), "v1.2.3");

    // A hook says no: its own words are shown.
    let (repo, remote) = fixture("[release]\ncommit = false\n");
    install_hook(remote.path(), "#!/bin/sh\necho 'releases are frozen until Monday' >&2\nexit 1\n");
    let before = repo.state();
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(err.contains("origin refused v1.3.0 (pre-receive hook declined)"), "{err}");
    assert!(err.contains("origin said: releases are frozen until Monday"), "{err}");
    assert_eq!(repo.state(), before);

    // Unreachable.
    let (repo, _remote) = fixture("");
    repo.git(&["remote", "set-url", "origin", "/nonexistent/relkit-remote"]);
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(err.contains("relkit could not read the tags of origin"), "{err}");
    assert_eq!(repo.git(&["tag"]), "v1.2.3");
}

#[test]
fn a_closed_stdout_does_not_fail_a_release_that_was_made() {
    let (repo, remote) = fixture("[release]\ncommit = false\n");
    let mut child =
        repo.relkit_command(&["release", "--push"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // `| head -c 0`: the reader is gone before relkit writes.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_one_complete_release(&repo, remote.path(), false, "closed stdout");

    // Elsewhere too: quiet, status 0.
    let mut child = repo
        .relkit_command(&["notes", "--to", "v1.3.0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn without_identity(mut command: Command) -> Command {
    crate::support::without_git_identity(&mut command);
    command
}

#[test]
fn a_runner_without_git_identity_releases_as_the_forge_bot() {
    let (repo, remote) = fixture("");
    let outside = without_identity(repo.relkit_command(&["release", "--push"]));
    let run = Run::from({ outside }.output().unwrap());
    let err = run.fails();
    assert!(
        err.contains("git does not know who makes the release commit and tag") && err.contains("[release] identity"),
        "{err}"
    );
    assert_eq!(repo.git(&["tag"]), "v1.2.3");

    let output = tempfile::tempdir().unwrap();
    let mut github = without_identity(repo.relkit_command(&["release", "--push"]));
    github.env("GITHUB_ACTIONS", "true").env("GITHUB_OUTPUT", output.path().join("out"));
    Run::from(github.output().unwrap()).ok();
    assert_eq!(
        repo.git(&["for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v1.3.0"]),
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    );
    assert_eq!(repo.git(&["log", "-1", "--format=%an|%cn"]), "github-actions[bot]|github-actions[bot]");
    assert_one_complete_release(&repo, remote.path(), true, "bot identity");

    let (repo, _remote) = fixture("[release]\nidentity = \"Release Bot <bot@example.com>\"\n");
    let run = Run::from(without_identity(repo.relkit_command(&["release"])).output().unwrap());
    run.ok();
    assert_eq!(
        repo.git(&["for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v1.3.0"]),
        "Release Bot <bot@example.com>"
    );
}

#[test]
fn commits_the_remote_lacks_go_in_the_same_atomic_push() {
    // The release workflow's way: a commit made on the runner (the checksums
    // of the binaries) goes out with the release commit and the tag, in one push.
    let (repo, remote) = fixture("");
    repo.commit_files("chore(release): checksums", &[("dist/checksums.txt", "abc  relkit-1.3.0\n")]);
    repo.relkit(&["release", "--push"]).ok();
    assert_one_complete_release(&repo, remote.path(), true, "unpushed commit");
    assert_eq!(git_in(remote.path(), &["show", "v1.3.0:dist/checksums.txt"]), "abc  relkit-1.3.0");

    // A branch that diverged from what this clone saw of the remote is
    // refused before anything is pushed.
    let (repo, remote) = fixture("");
    let side = repo.git(&["commit-tree", "HEAD^{tree}", "-p", "HEAD~1", "-m", "fix: made elsewhere"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", &side]);
    let before = repo.state();
    let err = repo.relkit(&["release", "--push"]).fails().to_string();
    assert!(err.contains("origin/main") && err.contains("is not part of HEAD"), "{err}");
    assert_eq!(repo.state(), before);
    assert_eq!(git_in(remote.path(), &["tag"]), "v1.2.3");
}
