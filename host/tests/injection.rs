//! Commit text cannot steer the runner: under GitHub Actions, relkit's stdout
//! and stderr are read the way the runner reads them, and no workflow command
//! outside relkit's own (`group`, `endgroup`, `warning`, `error`) appears
//! outside a `::stop-commands::` block; no escape sequence reaches the log.

use crate::support::{Run, TestRepo};

/// The workflow commands a runner would execute in `log`, in order; the
/// `stop-commands` / `::<token>::` pairs are honoured as the runner does.
fn executed_commands(log: &str) -> Vec<String> {
    let mut stopped: Option<String> = None;
    let mut commands = Vec::new();
    for line in log.lines() {
        let trimmed = line.trim_start();
        if let Some(token) = &stopped {
            if trimmed == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("::") {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if name == "stop-commands" {
                let token = rest.split_once("::").map(|(_, t)| t.to_string()).unwrap_or_default();
                assert!(token.len() >= 16, "a guessable stop token: {line}");
                stopped = Some(token);
                continue;
            }
            commands.push(name);
        } else if line.contains("##[") {
            commands.push(format!("v1 {line}"));
        }
    }
    commands
}

fn hostile_repo() -> TestRepo {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit(
        "feat: add \x1b[31mred\x1b[0m \x1b]0;pwned\x07 exports ##[error]not an error\n\n\
         ::add-mask::secret\n\
         ::set-output name=version::9.9.9\n\
         ::stop-commands::t\n\
         ::warning::injected\n\
         \x20 ::set-env name=X::1\n\
         \nBREAKING CHANGE: ::add-mask::in a note\n",
    );
    repo.commit("fix: ##[set-output name=tag;]v9\n\n::endgroup::\n::error::fake failure\n");
    repo
}

#[test]
fn commit_text_is_never_a_workflow_command() {
    let repo = hostile_repo();
    let output = tempfile::tempdir().unwrap();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("release --dry-run", vec!["release", "--dry-run"]),
        ("release", vec!["release"]),
        ("notes", vec!["notes"]),
        ("version --explain", vec!["version", "--explain"]),
        ("changelog --dry-run", vec!["changelog", "--dry-run"]),
        ("rollback", vec!["rollback"]),
        ("bad ref", vec!["notes", "--from", "x\n::add-mask::secret\n##[error]y"]),
    ];
    for (name, args) in runs {
        let out = repo
            .relkit_command(&args)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", output.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", output.path().join("summary"))
            .output()
            .unwrap();
        let run = Run::from(out);
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let commands = executed_commands(text);
            let allowed = ["group", "endgroup", "warning", "error"];
            let bad: Vec<_> = commands.iter().filter(|c| !allowed.contains(&c.as_str())).collect();
            assert!(bad.is_empty(), "{name}: {stream} executes {bad:?}:\n{text}");
            assert!(!text.contains('\x1b') && !text.contains('\x07'), "{name}: escape sequence on {stream}:\n{text}");
            // The runner's own commands relkit prints are still seen.
            if name == "release --dry-run" && stream == "stdout" {
                assert!(commands.contains(&"group".to_string()), "{name}: {text}");
            }
        }
        if name == "bad ref" {
            assert_eq!(run.code, 1);
            assert!(run.stdout.contains("::error title=relkit::"), "{}", run.stdout);
        }
    }
    // The texts relkit writes to files keep the commit text as it is.
    let summary = std::fs::read_to_string(output.path().join("summary")).unwrap();
    assert!(summary.contains("##[error]not an error"), "{summary}");
}
