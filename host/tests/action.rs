//! The GitHub composite action, run as the runner would: each step of
//! action.yml with its `env:` (expressions filled in), `shell: bash`, the
//! step's own $GITHUB_OUTPUT, then the action's outputs resolved from them.
//! The install step takes its build-from-source path (this version has no
//! release asset), reusing the test build.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::support::TestRepo;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `name=value` and `name<<DELIMITER ... DELIMITER` entries.
fn parse_output_file(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// Fills `${{ inputs.x }}`, `${{ steps.id.outputs.x }}` and `${{ github.token }}`.
fn expand(text: &str, inputs: &HashMap<String, String>, steps: &HashMap<String, HashMap<String, String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).cloned().unwrap_or_default()
        } else if let Some(path) = expr.strip_prefix("steps.") {
            let (id, key) = path.split_once(".outputs.").expect("steps.<id>.outputs.<key>");
            steps.get(id).and_then(|o| o.get(key)).cloned().unwrap_or_default()
        } else if expr == "github.token" {
            "ghs_test_token".to_string()
        } else {
            panic!("the test runner does not know the expression `{expr}`")
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct ActionRun {
    outputs: HashMap<String, String>,
    summary: String,
    logs: String,
    /// What the action asked `gh` to do, one call a line.
    gh_calls: String,
    /// The notes file `gh release create` was given.
    gh_notes: String,
}

fn run_action(repo: &TestRepo, with: &[(&str, &str)]) -> ActionRun {
    let action: Value =
        serde_yaml::from_str(&std::fs::read_to_string(workspace().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let mut inputs: HashMap<String, String> = HashMap::new();
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        let default = spec["default"].as_str().unwrap_or("");
        inputs.insert(name.as_str().unwrap().to_string(), expand(default, &HashMap::new(), &HashMap::new()));
    }
    for (k, v) in with {
        assert!(inputs.contains_key(*k), "action.yml has no input `{k}`");
        inputs.insert(k.to_string(), v.to_string());
    }
    let runner = tempfile::tempdir().unwrap();
    let summary = runner.path().join("summary.md");
    let mut steps: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut logs = String::new();
    for (n, step) in action["runs"]["steps"].as_sequence().unwrap().iter().enumerate() {
        if let Some(uses) = step["uses"].as_str() {
            // actions/cache cannot run here (it needs the runner's cache
            // service); the install step works with or without it.
            assert!(uses.starts_with("actions/cache@") && uses.len() > "actions/cache@".len() + 39, "unpinned: {uses}");
            continue;
        }
        if let Some(condition) = step["if"].as_str()
            && !holds(condition, &inputs, &steps)
        {
            continue;
        }
        assert_eq!(step["shell"].as_str(), Some("bash"), "step {n} needs shell: bash");
        let script = step["run"].as_str().unwrap();
        assert!(!script.contains("${{"), "step {n} pastes an expression into its script");
        let output_file = runner.path().join(format!("output-{n}"));
        std::fs::write(&output_file, "").unwrap();
        let dir = match step["working-directory"].as_str() {
            Some(d) => PathBuf::from(expand(d, &inputs, &steps)),
            None => repo.path().to_path_buf(),
        };
        // The fixture's HOME is a temporary directory; cargo and rustup must
        // still find the machine's toolchain and registry.
        let real_home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(|| real_home.join(".cargo"), PathBuf::from);
        let rustup_home = std::env::var_os("RUSTUP_HOME").map_or_else(|| real_home.join(".rustup"), PathBuf::from);
        let mut command = repo.command("bash");
        // A runner has no git identity: relkit must bring its own.
        crate::support::without_git_identity(&mut command);
        let path = format!("{}:{}", fake_gh(runner.path()).display(), std::env::var("PATH").unwrap());
        command
            .env("PATH", path)
            .env("CARGO_HOME", cargo_home)
            .env("RUSTUP_HOME", rustup_home)
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", workspace())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REF_NAME", "main")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", if cfg!(target_arch = "aarch64") { "ARM64" } else { "X64" })
            .env("RUNNER_TOOL_CACHE", runner.path().join("tool-cache"))
            // Build from source with the test build's artifacts.
            .env("CARGO_TARGET_DIR", PathBuf::from(env!("RELKIT_PLUGIN_TARGET_DIR")).parent().unwrap())
            .env("RELKIT_INSTALL_DEBUG", "1");
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                command.env(k.as_str().unwrap(), expand(v.as_str().unwrap_or(""), &inputs, &steps));
            }
        }
        let out = command.output().unwrap();
        logs.push_str(&String::from_utf8_lossy(&out.stdout));
        logs.push_str(&String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "step {n} failed:\n{logs}");
        if let Some(id) = step["id"].as_str() {
            steps.insert(id.to_string(), parse_output_file(&std::fs::read_to_string(&output_file).unwrap()));
        }
    }
    let mut outputs = HashMap::new();
    for (name, spec) in action["outputs"].as_mapping().unwrap() {
        outputs.insert(name.as_str().unwrap().to_string(), expand(spec["value"].as_str().unwrap(), &inputs, &steps));
    }
    let gh_calls = std::fs::read_to_string(runner.path().join("gh-calls")).unwrap_or_default();
    let gh_notes = std::fs::read_to_string(runner.path().join("gh-notes")).unwrap_or_default();
    ActionRun { outputs, summary: std::fs::read_to_string(&summary).unwrap_or_default(), logs, gh_calls, gh_notes }
}

/// A `gh` that records its arguments (and the notes file it is given) in
/// `dir`, and knows no release yet: the GitHub API is not reachable here.
fn fake_gh(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{calls}'\n[ \"$1 $2\" = 'release view' ] && exit 1\n\
         while [ $# -gt 0 ]; do [ \"$1\" = --notes-file ] && cat \"$2\" > '{notes}'; shift; done\nexit 0\n",
        calls = dir.join("gh-calls").display(),
        notes = dir.join("gh-notes").display()
    );
    std::fs::write(bin.join("gh"), script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// A step's `if:` as the runner reads the forms action.yml uses:
/// `<expr> == 'x'` and `<expr> != 'x'` joined by `&&`.
fn holds(condition: &str, inputs: &HashMap<String, String>, steps: &HashMap<String, HashMap<String, String>>) -> bool {
    condition.split("&&").all(|part| {
        let part = part.trim();
        let (lhs, rhs, equal) = match (part.split_once(" == "), part.split_once(" != ")) {
            (Some((l, r)), _) => (l, r, true),
            (None, Some((l, r))) => (l, r, false),
            _ => panic!("the test runner does not know the condition `{part}`"),
        };
        let value = expand(&format!("${{{{ {} }}}}", lhs.trim()), inputs, steps);
        (value == rhs.trim().trim_matches('\'')) == equal
    })
}

fn releasable_with_remote() -> (TestRepo, tempfile::TempDir) {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo.commit("feat(api): add pagination");
    // A notes template that prints a line looking like a heredoc delimiter.
    repo.commit_files(
        "chore: configure relkit",
        &[
            ("relkit.toml", "[notes]\ntemplate = \"notes.hbs\"\n"),
            (
                "notes.hbs",
                "Release {{tag}}\nEOF\n{{#each sections}}{{#each entries}}- {{description}}\n{{/each}}{{/each}}",
            ),
        ],
    );
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "set-url", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    (repo, remote)
}

#[test]
fn release_through_the_action() {
    let (repo, remote) = releasable_with_remote();
    let path = repo.path().to_str().unwrap().to_string();
    let run = run_action(&repo, &[("push", "true"), ("working-directory", &path)]);
    assert!(run.logs.contains("no release asset for"), "{}", run.logs);
    let o = &run.outputs;
    assert_eq!(o["version"], "1.3.0");
    assert_eq!(o["tag"], "v1.3.0");
    assert_eq!(o["released"], "true");
    assert_eq!(o["dry-run"], "false");
    assert_eq!(o["notes"], "Release v1.3.0\nEOF\n- add pagination");
    assert!(o["rollback"].starts_with("**Safe:** code-only release"), "{}", o["rollback"]);
    assert!(run.summary.starts_with("## relkit: released v1.3.0\n\nRelease v1.3.0\nEOF\n"), "{}", run.summary);
    let tags = std::process::Command::new("git").arg("-C").arg(remote.path()).args(["tag", "-l"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&tags.stdout), "v1.2.3\nv1.3.0\n");
    // The runner had no git identity: the release is the bot's.
    assert_eq!(repo.git(&["for-each-ref", "--format=%(taggername)", "refs/tags/v1.3.0"]), "github-actions[bot]");
    assert_eq!((o["previous-tag"].as_str(), o["bump"].as_str()), ("v1.2.3", "minor"));
    assert_eq!((o["major"].as_str(), o["minor"].as_str(), o["patch"].as_str()), ("1", "3", "0"));
    assert_eq!(o["sha"], repo.git(&["rev-parse", "v1.3.0^{commit}"]));
    // The GitHub Release, with the notes.
    let calls: Vec<&str> = run.gh_calls.lines().collect();
    assert_eq!(calls.len(), 2, "{}", run.gh_calls);
    assert_eq!(calls[0], "release view v1.3.0");
    assert!(calls[1].starts_with("release create v1.3.0 --verify-tag --title v1.3.0 --notes-file "), "{}", calls[1]);
    assert!(calls[1].ends_with(" --latest"), "{}", calls[1]);
    assert_eq!(run.gh_notes, "Release v1.3.0\nEOF\n- add pagination\n");
}

#[test]
fn a_pre_release_through_the_action_is_marked_so_and_inputs_reach_relkit() {
    let (repo, _remote) = releasable_with_remote();
    let path = repo.path().to_str().unwrap().to_string();
    let run = run_action(&repo, &[("prerelease", "rc"), ("preset", "semantic-release"), ("working-directory", &path)]);
    assert_eq!(run.outputs["version"], "1.3.0-rc.1");
    assert!(run.gh_calls.lines().nth(1).unwrap().ends_with(" --prerelease"), "{}", run.gh_calls);
    let run = run_action(&repo, &[("release-as", "2.0.0"), ("github-release", "false"), ("working-directory", &path)]);
    assert_eq!(run.outputs["version"], "2.0.0");
    assert_eq!(run.gh_calls, "", "github-release: false still created one");
}

#[test]
fn an_unknown_relkit_version_is_an_error() {
    let (repo, _remote) = releasable_with_remote();
    let path = repo.path().to_str().unwrap().to_string();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_action(&repo, &[("relkit-version", "9.9.9"), ("working-directory", &path)])
    }));
    let Err(panic) = result else { panic!("an unknown version was installed") };
    let message = *panic.downcast::<String>().unwrap();
    assert!(message.contains("relkit-version 9.9.9 has no release asset for"), "{message}");
}

#[test]
fn dry_run_through_the_action() {
    let (repo, remote) = releasable_with_remote();
    let before = repo.state();
    let path = repo.path().to_str().unwrap().to_string();
    let run = run_action(&repo, &[("dry-run", "true"), ("push", "true"), ("working-directory", &path)]);
    let o = &run.outputs;
    assert_eq!((o["version"].as_str(), o["released"].as_str(), o["dry-run"].as_str()), ("1.3.0", "true", "true"));
    assert_eq!(repo.state(), before);
    let tags = std::process::Command::new("git").arg("-C").arg(remote.path()).args(["tag", "-l"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&tags.stdout), "v1.2.3\n");
}

#[test]
fn inputs_are_never_code() {
    let (repo, _remote) = releasable_with_remote();
    let path = repo.path().to_str().unwrap().to_string();
    let marker = repo.home().join("injected");
    let evil = format!("rc$(touch {})\"; touch {} #", marker.display(), marker.display());
    let action: Value =
        serde_yaml::from_str(&std::fs::read_to_string(workspace().join("action.yml")).unwrap()).unwrap();
    // The run step fails on the bad label; what matters is that nothing ran.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_action(&repo, &[("prerelease", &evil), ("working-directory", &path)])
    }));
    assert!(result.is_err(), "a pre-release label with shell syntax was accepted");
    assert!(!marker.exists(), "an input was executed as shell code");
    assert!(
        action["runs"]["steps"].as_sequence().unwrap().iter().all(|s| !s["run"].as_str().unwrap_or("").contains("${{"))
    );
}

#[test]
fn the_release_workflow_tags_a_commit_that_lists_its_own_checksums() {
    // scripts/release-relkit.sh, the release job of .github/workflows/release.yml,
    // with the binaries of two targets in dist/out/ and a runner without git identity.
    let repo = TestRepo::github();
    repo.commit_files("chore: init", &[("dist/checksums.txt", "# sha256 of relkit's release binaries\n")]);
    repo.tag("v1.2.3");
    repo.commit("feat: pagination");
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "set-url", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    let out = repo.path().join("dist/out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(crate::support::relkit_bin(), out.join("relkit-1.3.0-x86_64-unknown-linux-gnu")).unwrap();
    std::fs::write(out.join("relkit-1.3.0-aarch64-apple-darwin"), "a mac binary").unwrap();
    let runner = tempfile::tempdir().unwrap();
    let path = format!("{}:{}", fake_gh(runner.path()).display(), std::env::var("PATH").unwrap());
    let mut command = repo.command("bash");
    crate::support::without_git_identity(&mut command);
    let output = command
        .arg(workspace().join("scripts/release-relkit.sh"))
        .env("PATH", path)
        .env("GITHUB_ACTIONS", "true")
        .env("VERSION", "1.3.0")
        .env("RELKIT_BIN", crate::support::relkit_bin())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let remote_git = |args: &[&str]| {
        let o = std::process::Command::new("git").arg("-C").arg(remote.path()).args(args).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    // The tagged commit lists the hashes of its own binaries.
    let listed = remote_git(&["show", "v1.3.0:dist/checksums.txt"]);
    for asset in ["relkit-1.3.0-x86_64-unknown-linux-gnu", "relkit-1.3.0-aarch64-apple-darwin"] {
        let line = format!("{}  {asset}", crate::support::sha256_of(&out.join(asset)));
        assert!(listed.lines().any(|l| l == line), "{asset} missing:\n{listed}");
    }
    assert!(remote_git(&["show", "v1.3.0:CHANGELOG.md"]).contains("## [1.3.0]"));
    assert_eq!(remote_git(&["rev-parse", "main"]), remote_git(&["rev-parse", "v1.3.0^{commit}"]));
    assert_eq!(remote_git(&["rev-parse", "v1^{commit}"]), remote_git(&["rev-parse", "v1.3.0^{commit}"]));
    assert_eq!(
        remote_git(&["log", "-2", "--format=%s", "main"]),
        "chore(release): 1.3.0\nchore(release): checksums of the 1.3.0 binaries"
    );
    let gh = std::fs::read_to_string(runner.path().join("gh-calls")).unwrap();
    assert!(gh.starts_with("release create v1.3.0 dist/out/relkit-1.3.0-aarch64-apple-darwin dist/out/relkit-1.3.0-x86_64-unknown-linux-gnu dist/out/SHA256SUMS --verify-tag"), "{gh}");
}

#[test]
fn prepare_check_and_metrics_through_the_action() {
    let (repo, remote) = releasable_with_remote();
    let path = repo.path().to_str().unwrap().to_string();
    // prepare: the branch is pushed and the pull request opened with the
    // release commit's subject as its title.
    let run = run_action(&repo, &[("command", "prepare"), ("working-directory", &path)]);
    assert_eq!(run.outputs["version"], "1.3.0");
    assert_eq!(run.outputs["released"], "false");
    let pushed = std::process::Command::new("git")
        .arg("-C")
        .arg(remote.path())
        .args(["rev-parse", "relkit/release"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&pushed.stdout).trim(), run.outputs["sha"]);
    let calls: Vec<&str> = run.gh_calls.lines().collect();
    assert_eq!(calls.len(), 2, "{}", run.gh_calls);
    assert!(calls[0].starts_with("pr list --head relkit/release --base main"), "{}", calls[0]);
    assert!(
        calls[1].starts_with("pr create --head relkit/release --base main --title chore(release): 1.3.0 --body-file "),
        "{}",
        calls[1]
    );
    assert!(!run.gh_calls.contains("release create"), "{}", run.gh_calls);
    // check, with a PR title.
    let run = run_action(&repo, &[("command", "check"), ("message", "feat: a title"), ("working-directory", &path)]);
    assert!(run.logs.contains("Squash-merged with this title, the branch would release v1.3.0"), "{}", run.logs);
    // metrics: the report in the step summary.
    let run = run_action(
        &repo,
        &[("command", "metrics"), ("since", "2026-10-01"), ("until", "2026-11-29"), ("working-directory", &path)],
    );
    assert!(run.summary.contains("# Release metrics, 2026-10-01 to 2026-11-29"), "{}", run.summary);
}
