//! `relkit rollback`: the runbook, over fixture repositories.

use crate::support::{TestRepo, mask};

fn released(remote: Option<&str>) -> TestRepo {
    let repo = TestRepo::new();
    if let Some(url) = remote {
        repo.git(&["remote", "add", "origin", url]);
    }
    repo.commit_files(
        "chore: init",
        &[("src/main.rs", "fn main() {}\n"), ("deploy/k8s/deployment.yaml", "kind: Deployment\nreplicas: 1\n")],
    );
    repo.tag("v1.4.0");
    repo
}

fn rollback(repo: &TestRepo, args: &[&str]) -> String {
    let mut all = vec!["rollback"];
    all.extend_from_slice(args);
    mask(repo.relkit(&all).ok(), repo)
}

#[test]
fn code_only_release() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files("fix: off-by-one in pagination", &[("src/main.rs", "fn main() { }\n")]);
    let text = rollback(&repo, &[]);
    assert!(text.starts_with("**Safe:** code-only release, no migrations, no infrastructure changes.\n"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn release_with_migrations() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files(
        "feat(db): store audit events",
        &[
            ("db/migrations/0007_audit_events.sql", "create table audit_events ();\n"),
            ("src/main/resources/db/migration/V8__index.sql", "create index x;\n"),
            ("docs/migrations.md", "how we migrate\n"),
        ],
    );
    insta::assert_snapshot!(rollback(&repo, &[]));
}

#[test]
fn kubernetes_helm_and_terraform_with_placeholders() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files(
        "feat: scale out",
        &[
            ("deploy/k8s/deployment.yaml", "kind: Deployment\nreplicas: 2\n"),
            ("deploy/k8s/hpa.yaml", "kind: HorizontalPodAutoscaler\n"),
            ("charts/rocket/values.yaml", "replicas: 3\n"),
            ("infra/prod/main.tf", "resource \"x\" \"y\" {}\n"),
            ("Dockerfile", "FROM scratch\n"),
            (".github/workflows/deploy.yml", "on: push\n"),
        ],
    );
    insta::assert_snapshot!(rollback(&repo, &[]));
}

#[test]
fn configured_names_and_checks() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.write(
        "relkit.toml",
        r#"[rollback]
deployment = "rocket-api"
namespace = "prod"
helm-release = "rocket"
terraform-dir = "infra/prod"
image = "ghcr.io/acme/rocket"
workflow = "deploy.yml"
verify = ["./scripts/smoke-test.sh prod"]
health-urls = ["https://rocket.example.com/healthz"]
dashboards = ["https://grafana.example.com/d/rocket"]
"#,
    );
    repo.commit_files(
        "feat: scale out",
        &[
            ("deploy/k8s/deployment.yaml", "kind: Deployment\nreplicas: 3\n"),
            ("charts/rocket/values.yaml", "replicas: 3\n"),
            ("infra/prod/main.tf", "resource \"x\" \"y\" {}\n"),
            ("Dockerfile", "FROM scratch\n"),
        ],
    );
    insta::assert_snapshot!(rollback(&repo, &[]));
}

#[test]
fn breaking_changes_and_reverts_of_earlier_releases() {
    let repo = TestRepo::github();
    let shipped = repo.commit("feat: legacy export");
    repo.tag("v2.0.0");
    repo.commit("feat(api)!: remove the v1 endpoints\n\nBREAKING CHANGE: /v1 is gone; use /v2.");
    repo.commit(&format!("Revert \"feat: legacy export\"\n\nThis reverts commit {shipped}."));
    repo.git(&["switch", "-q", "-c", "topic"]);
    repo.commit("fix: topic fix");
    repo.git(&["switch", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "topic"]);
    insta::assert_snapshot!(rollback(&repo, &[]));
}

#[test]
fn gitlab_commands() {
    let repo = released(Some("git@gitlab.example.com:platform/team/rocket.git"));
    repo.commit_files("fix: gitlab", &[("src/main.rs", "fn main() { 1; }\n")]);
    let text = rollback(&repo, &[]);
    // A self-hosted GitLab: glab is told the host, in the full URL it documents.
    assert!(
        text.contains("glab ci run --branch v1.4.0 --repo https://gitlab.example.com/platform/team/rocket"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_prerelease_returns_to_the_previous_candidate() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit("feat: candidate one");
    repo.tag("v1.5.0-rc.1");
    repo.commit("fix: candidate two");
    insta::assert_snapshot!(rollback(&repo, &["--prerelease", "rc"]));
}

#[test]
fn an_existing_release_by_tag() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files("feat: thing", &[("db/migrate/20261101_add.rb", "class Add; end\n")]);
    repo.tag("v1.5.0");
    repo.commit("fix: later");
    let text = rollback(&repo, &["--release", "v1.5.0"]);
    assert!(text.starts_with("**Unsafe:** v1.5.0 changes the database (1 migration file)"), "{text}");
    let err = repo.relkit(&["rollback", "--release", "v9.9.9"]).fails().to_string();
    assert_eq!(
        err,
        "error: `v9.9.9` is not a release tag of this repository (release tags are `v<version>`, e.g. v1.2.0)\n"
    );
}

#[test]
fn first_release() {
    let repo = TestRepo::github();
    repo.commit("feat: hello");
    insta::assert_snapshot!(rollback(&repo, &[]));
}

#[test]
fn custom_template() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files("feat(db): x", &[("db/migrations/1.sql", "x\n")]);
    repo.write("relkit.toml", "[rollback]\ntemplate = \"rollback.hbs\"\n");
    repo.write(
        "rollback.hbs",
        "{{risk.level}} {{release.tag}} -> {{previous.tag}}\n{{#each migrations}}{{path}}\n{{/each}}",
    );
    assert_eq!(rollback(&repo, &[]), "unsafe v1.5.0 -> v1.4.0\ndb/migrations/1.sql\n");
}
