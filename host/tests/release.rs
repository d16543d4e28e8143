//! `relkit release`: the CI entry point. Outputs on GitHub and GitLab, dry
//! runs, and failures that leave the repository exactly as it was.

use std::path::Path;

use crate::support::{Run, TestRepo, mask, with_remote};

fn releasable() -> TestRepo {
    let repo = TestRepo::github();
    repo.commit_files("chore: init", &[("src/lib.rs", "//\n")]);
    repo.tag("v1.2.3");
    repo.commit("feat(api): add pagination");
    repo.commit_files("fix: handle empty pages\n\nCloses #12", &[("src/lib.rs", "// fixed\n")]);
    repo
}

fn remote_refs(remote: &Path) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(remote)
        .args(["for-each-ref", "--format=%(refname)"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct GithubFiles {
    dir: tempfile::TempDir,
}

impl GithubFiles {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn output(&self) -> std::path::PathBuf {
        self.dir.path().join("output")
    }
    fn summary(&self) -> std::path::PathBuf {
        self.dir.path().join("summary")
    }
    fn run(&self, repo: &TestRepo, args: &[&str]) -> Run {
        let out = repo
            .relkit_command(args)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", self.output())
            .env("GITHUB_STEP_SUMMARY", self.summary())
            .output()
            .unwrap();
        Run::from(out)
    }
    /// The outputs file with the random delimiters replaced.
    fn outputs(&self) -> String {
        let text = std::fs::read_to_string(self.output()).unwrap();
        let mut masked = String::new();
        for line in text.lines() {
            let line = match line.find("<<relkit_") {
                Some(i) => format!("{}<<DELIMITER", &line[..i]),
                None if line.starts_with("relkit_") => "DELIMITER".to_string(),
                None => line.to_string(),
            };
            masked.push_str(&line);
            masked.push('\n');
        }
        masked
    }
}

#[test]
fn github_release_with_push() {
    let repo = releasable();
    let remote = with_remote(&repo);
    let gh = GithubFiles::new();
    let run = gh.run(&repo, &["release", "--push"]);
    insta::assert_snapshot!("github_stdout", mask(run.ok(), &repo));
    insta::assert_snapshot!("github_outputs", gh.outputs());
    insta::assert_snapshot!("github_summary", std::fs::read_to_string(gh.summary()).unwrap());
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), repo.head());
    assert_eq!(remote_refs(remote.path()), "refs/heads/main\nrefs/tags/v1.2.3\nrefs/tags/v1.3.0");
    // With --push the CHANGELOG goes into the release commit by default, so
    // the runner's copy is kept.
    assert!(repo.read("CHANGELOG.md").contains("## [1.3.0] - 2026-11-29"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "chore(release): 1.3.0");
    assert_eq!(repo.git(&["show", "v1.3.0:CHANGELOG.md"]), repo.read("CHANGELOG.md").trim_end());
}

#[test]
fn gitlab_release_writes_dotenv_and_files() {
    let repo = releasable();
    let out = repo.relkit_command(&["release"]).env("GITLAB_CI", "true").output().unwrap();
    let run = Run::from(out);
    insta::assert_snapshot!("gitlab_stdout", mask(run.ok(), &repo).replace('\x1b', "\\e").replace('\r', "\\r"));
    let sha = repo.git(&["rev-parse", "v1.3.0^{commit}"]);
    assert_eq!(
        repo.read("relkit.env"),
        format!(
            "RELKIT_VERSION=1.3.0\nRELKIT_TAG=v1.3.0\nRELKIT_RELEASED=true\nRELKIT_DRY_RUN=false\n\
             RELKIT_PREVIOUS_TAG=v1.2.3\nRELKIT_BUMP=minor\nRELKIT_MAJOR=1\nRELKIT_MINOR=3\nRELKIT_PATCH=0\n\
             RELKIT_SHA={sha}\n"
        )
    );
    assert!(
        repo.read("relkit-notes.md").starts_with("## [1.3.0](https://github.com/acme/rocket/compare/v1.2.3...v1.3.0)")
    );
    assert!(repo.read("relkit-rollback.md").starts_with("**Safe:**"));
}

#[test]
fn dry_run_changes_nothing_and_says_so() {
    let repo = releasable();
    let gh = GithubFiles::new();
    let before = repo.state();
    let run = gh.run(&repo, &["release", "--dry-run", "--push"]);
    insta::assert_snapshot!("dry_run_stdout", mask(run.ok(), &repo));
    assert_eq!(repo.state(), before);
    let outputs = gh.outputs();
    assert!(outputs.starts_with("version=1.3.0\ntag=v1.3.0\nreleased=true\ndry-run=true\n"), "{outputs}");
}

#[test]
fn no_release_due_exits_zero_with_released_false() {
    let repo = TestRepo::github();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("docs: b");
    let gh = GithubFiles::new();
    let before = repo.state();
    let run = gh.run(&repo, &["release"]);
    assert_eq!(
        crate::support::mask_stop_tokens(run.ok()),
        "::stop-commands::TOKEN\nrelkit: no release due (no release: none of the 1 commits since v1.0.0 asks for one)\n::TOKEN::\n"
    );
    assert_eq!(
        gh.outputs(),
        "version=\ntag=\nreleased=false\ndry-run=false\nprevious-tag=\nbump=\nmajor=\nminor=\npatch=\nsha=\nnotes=\nrollback=\n"
    );
    assert_eq!(repo.state(), before);
}

#[test]
fn notes_with_a_delimiter_looking_line_survive_the_outputs_file() {
    let repo = releasable();
    repo.write("relkit.toml", "[notes]\ntemplate = \"notes.hbs\"\n");
    repo.write("notes.hbs", "first line\nEOF\nlast line\n");
    repo.git(&["add", "relkit.toml", "notes.hbs"]);
    repo.commit("chore: configure notes");
    let gh = GithubFiles::new();
    gh.run(&repo, &["release", "--dry-run"]).ok();
    let raw = std::fs::read_to_string(gh.output()).unwrap();
    let start = raw.find("notes<<").unwrap();
    let delimiter = raw[start + 7..].lines().next().unwrap().to_string();
    assert_ne!(delimiter, "EOF");
    assert!(raw.contains(&format!("notes<<{delimiter}\nfirst line\nEOF\nlast line\n{delimiter}\n")), "{raw}");
}

#[test]
fn commit_changelog_commits_tags_and_pushes_both() {
    let repo = releasable();
    repo.write("relkit.toml", "[release]\ncommit-changelog = true\n");
    repo.git(&["add", "relkit.toml"]);
    repo.commit("chore: configure relkit");
    let remote = with_remote(&repo);
    let released_from = repo.head();
    let out = repo.relkit(&["release", "--push"]).ok().to_string();
    assert!(out.contains("committed CHANGELOG.md as"), "{out}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "chore(release): 1.3.0");
    assert_eq!(repo.git(&["rev-parse", "HEAD~1"]), released_from);
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), repo.head());
    let remote_head =
        std::process::Command::new("git").arg("-C").arg(remote.path()).args(["rev-parse", "main"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&remote_head.stdout).trim(), repo.head());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // The release commit is a chore: nothing is due afterwards.
    assert_eq!(repo.relkit(&["version"]).ok(), "");
}

/// Each failure: exit 1, an annotation, and nothing changed (refs, files, remote).
fn assert_untouched_failure(repo: &TestRepo, args: &[&str]) -> String {
    let gh = GithubFiles::new();
    // The runner creates the outputs file before the step; it must stay empty.
    std::fs::write(gh.output(), "").unwrap();
    let before = repo.state();
    let changelog_before = std::fs::read(repo.path().join("CHANGELOG.md")).ok();
    let run = gh.run(repo, args);
    let err = run.fails().to_string();
    assert!(run.stdout.contains("::error title=relkit::"), "no annotation: {}", run.stdout);
    assert_eq!(repo.state(), before, "the repository changed");
    assert_eq!(std::fs::read(repo.path().join("CHANGELOG.md")).ok(), changelog_before, "CHANGELOG.md changed");
    assert_eq!(std::fs::read_to_string(gh.output()).unwrap(), "", "outputs were left behind");
    assert!(!gh.summary().exists(), "a step summary was left behind");
    mask(&err, repo)
}

#[test]
fn a_rejected_push_leaves_nothing() {
    let repo = releasable();
    let remote = with_remote(&repo);
    let hook = remote.path().join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'remote: Permission to acme/rocket.git denied to github-actions[bot].' >&2\nexit 1\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let err = assert_untouched_failure(&repo, &["release", "--push"]);
    // A hook's refusal shows the hook's own words and says nothing was changed.
    assert!(err.contains("origin refused main and v1.3.0 (pre-receive hook declined)"), "{err}");
    assert!(err.contains("origin said: Permission to acme/rocket.git denied"), "{err}");
    assert!(err.ends_with("nothing was changed\n"), "{err}");
    assert_eq!(remote_refs(remote.path()), "refs/heads/main\nrefs/tags/v1.2.3");
}

#[test]
fn a_rejected_push_with_commit_changelog_leaves_nothing() {
    let repo = releasable();
    repo.write("relkit.toml", "[release]\ncommit-changelog = true\n");
    repo.git(&["add", "relkit.toml"]);
    repo.commit("chore: configure relkit");
    let remote = with_remote(&repo);
    let hook = remote.path().join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'denied' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_untouched_failure(&repo, &["release", "--push"]);
}

#[test]
fn an_existing_tag_is_refused() {
    let repo = releasable();
    repo.git(&["switch", "-q", "-c", "elsewhere", "HEAD~2"]);
    repo.commit("feat: released from another branch");
    repo.tag("v1.3.0");
    repo.git(&["switch", "-q", "main"]);
    let err = assert_untouched_failure(&repo, &["release"]);
    assert!(err.contains("already tagged v1.3.0"), "{err}");
}

#[test]
fn a_dirty_changelog_is_refused() {
    let repo = releasable();
    repo.commit_files("docs: changelog", &[("CHANGELOG.md", "# Changelog\n")]);
    repo.write("CHANGELOG.md", "# Changelog\n\nlocal edits\n");
    let err = assert_untouched_failure(&repo, &["release"]);
    assert_eq!(
        err,
        "error: CHANGELOG.md has uncommitted changes; commit or discard them first, so the release does not mix them in\n"
    );
    // A dry run only warns.
    let gh = GithubFiles::new();
    let run = gh.run(&repo, &["release", "--dry-run"]);
    assert!(run.ok().starts_with("::warning title=relkit::CHANGELOG.md has uncommitted changes"), "{}", run.stdout);
}

#[test]
fn a_shallow_clone_is_refused() {
    let origin = releasable();
    let clone = TestRepo::shallow_clone(&origin, 1);
    let err = assert_untouched_failure(&clone, &["release"]);
    assert!(err.contains("`fetch-depth: 0`") && err.contains("`GIT_DEPTH: 0`"), "{err}");
}

#[test]
fn a_failing_plugin_leaves_nothing() {
    let repo = releasable();
    repo.write("relkit.toml", "[rollback]\ntemplate = \"rollback.hbs\"\n");
    repo.write("rollback.hbs", "{{#if}}\n");
    repo.git(&["add", "relkit.toml", "rollback.hbs"]);
    repo.commit("chore: broken rollback template");
    let err = assert_untouched_failure(&repo, &["release"]);
    assert!(err.starts_with("error: plugin rollback: returned an error: template rollback.hbs: line "), "{err}");
}

#[test]
fn the_gitlab_files_go_where_the_template_says() {
    // The GitLab template names its artifact paths and passes them as
    // RELKIT_*_FILE, which win over [ci].
    let repo = releasable();
    repo.write("relkit.toml", "[ci]\nenv-file = \"configured.env\"\n");
    repo.git(&["add", "relkit.toml"]);
    repo.commit("chore: configure relkit");
    let out = repo
        .relkit_command(&["release", "--dry-run"])
        .env("GITLAB_CI", "true")
        .env("RELKIT_ENV_FILE", "build/relkit.env")
        .env("RELKIT_NOTES_FILE", "build/notes.md")
        .output()
        .unwrap();
    Run::from(out).ok();
    assert!(repo.read("build/relkit.env").contains("RELKIT_RELEASED=true"));
    assert!(repo.read("build/notes.md").starts_with("## [1.3.0]"));
    assert!(!repo.path().join("configured.env").exists());
    assert!(repo.path().join("relkit-rollback.md").exists());
    // A path out of the repository is refused there too.
    let out = repo
        .relkit_command(&["release", "--dry-run"])
        .env("GITLAB_CI", "true")
        .env("RELKIT_ENV_FILE", "../outside.env")
        .output()
        .unwrap();
    assert!(Run::from(out).fails().contains("RELKIT_ENV_FILE: ../outside.env leads to"));
    // A real release checks it before anything is made: no tag, no journal,
    // and the next run, told a good path, releases.
    let _remote = with_remote(&repo);
    let release = |env_file: &str| {
        let out = repo
            .relkit_command(&["release", "--push"])
            .env("GITLAB_CI", "true")
            .env("CI_COMMIT_BRANCH", "main")
            .env("RELKIT_ENV_FILE", env_file)
            .output()
            .unwrap();
        Run::from(out)
    };
    let err = release("../outside.env").fails().to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("RELKIT_ENV_FILE: ../outside.env leads to"), "{err}");
    assert_eq!(repo.git(&["tag", "-l", "v1.3.*"]), "");
    assert!(!repo.path().join(".git/relkit-release.json").exists());
    let out = release("build/relkit.env").ok().to_string();
    assert!(out.contains("releasing v1.3.0") && !out.contains("interrupted"), "{out}");
}
