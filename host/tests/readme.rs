//! The examples in README.md are real output: these tests rebuild their
//! fixtures and fail when the README and relkit disagree.

use crate::support::TestRepo;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("README.md has no `{start}`")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("README.md: `{start}` is not closed")) + from;
    &text[from..to]
}

#[track_caller]
fn assert_example(readme_part: &str, actual: &str, what: &str) {
    assert!(
        readme_part.trim_end() == actual.trim_end(),
        "README.md's {what} is out of date; it should read:\n{actual}"
    );
}

#[test]
fn the_explain_example() {
    let repo = TestRepo::github();
    repo.commit("chore: init");
    repo.tag("v1.2.3");
    repo.commit("docs: explain pagination");
    repo.commit("fix: handle empty pages");
    repo.commit("feat(cli)!: rename --out to --output\n\nBREAKING CHANGE: scripts using --out must change");
    let actual = repo.relkit(&["version", "--explain"]).ok().to_string();
    let text = readme();
    assert_example(
        between(&text, "$ relkit version --explain\n", "```"),
        &actual,
        "`relkit version --explain` example",
    );
}

#[test]
fn the_rollback_example() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("deploy/k8s/deployment.yaml", "kind: Deployment\nreplicas: 2\n"),
            ("infra/prod/main.tf", "resource \"aws_sqs_queue\" \"audit\" {}\n"),
        ],
    );
    repo.tag("v1.4.0");
    repo.write(
        "relkit.toml",
        r#"[rollback]
deployment = "rocket-api"
namespace = "prod"
terraform-dir = "infra/prod"
workflow = "deploy.yml"
verify = ["./scripts/smoke-test.sh prod"]
health-urls = ["https://rocket.example.com/healthz"]
dashboards = ["https://grafana.example.com/d/rocket"]
"#,
    );
    repo.commit_files(
        "feat(audit): store audit events",
        &[
            ("db/migrations/0007_audit_events.sql", "create table audit_events (id bigint);\n"),
            ("relkit.toml", &repo.read("relkit.toml")),
        ],
    );
    repo.commit_files(
        "feat(api)!: serve audit events from /v2\n\nBREAKING CHANGE: the `/v1/audit` endpoint is gone; use `/v2/audit`.",
        &[("deploy/k8s/deployment.yaml", "kind: Deployment\nreplicas: 3\n")],
    );
    repo.commit_files(
        "fix(infra): larger audit queue",
        &[("infra/prod/main.tf", "resource \"aws_sqs_queue\" \"audit\" { max = 2 }\n")],
    );
    let actual = repo.relkit(&["rollback"]).ok().to_string();
    let text = readme();
    assert_example(between(&text, "````markdown\n", "````"), &actual, "rollback example");
}
