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
            // actions/cache cannot run here; it only runs when a release asset exists.
            assert!(uses.starts_with("actions/cache@") && uses.len() > "actions/cache@".len() + 39, "unpinned: {uses}");
            let condition = expand(
                &format!("${{{{ {} }}}}", step["if"].as_str().unwrap().split(" != ").next().unwrap()),
                &inputs,
                &steps,
            );
            assert_eq!(condition, "", "the cache step would run, but this test cannot run it");
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
        command
            .env("CARGO_HOME", cargo_home)
            .env("RUSTUP_HOME", rustup_home)
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", workspace())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_SERVER_URL", "https://github.com")
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
    ActionRun { outputs, summary: std::fs::read_to_string(&summary).unwrap_or_default(), logs }
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
