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

// Runbook v2 over real repositories: the host passes the tree's paths and the
// changed files' heads, and the runbook names the tagged commit.

const FLUX_HELMRELEASE: &str = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: rocket\n  \
namespace: prod\nspec:\n  chart:\n    spec:\n      chart: rocket\n      version: \"1.5.0\"\n";

const ALEMBIC_INIT: &str =
    "\"\"\"init\"\"\"\nrevision = 'a1b2c3d4e5f6'\ndown_revision = None\n\n\ndef upgrade():\n    pass\n";

const ALEMBIC_NEXT: &str = "\"\"\"add nickname\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
revision = 'b2c3d4e5f6a7'\ndown_revision = 'a1b2c3d4e5f6'\n\n\ndef upgrade():\n    \
op.add_column('users', sa.Column('nickname', sa.String()))\n\n\ndef downgrade():\n    op.drop_column('users', 'nickname')\n";

#[test]
fn a_flux_release_with_an_alembic_migration() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("app/main.py", "print('hi')\n"),
            ("alembic/versions/a1b2c3d4e5f6_init.py", ALEMBIC_INIT),
            ("clusters/prod/rocket.yaml", &FLUX_HELMRELEASE.replace("1.5.0", "1.4.0")),
        ],
    );
    repo.tag("v1.4.0");
    repo.commit_files(
        "feat(users): nicknames",
        &[
            ("alembic/versions/b2c3d4e5f6a7_add_nickname.py", ALEMBIC_NEXT),
            ("clusters/prod/rocket.yaml", FLUX_HELMRELEASE),
        ],
    );
    let text = rollback(&repo, &[]);
    // The down revision is read from the migration's head, which only the host can pass.
    assert!(text.contains("alembic downgrade a1b2c3d4e5f6"), "{text}");
    assert!(text.contains("flux suspend helmrelease rocket -n prod"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("kubectl apply")),
        "a GitOps object must not be applied by hand: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_library_gets_a_yank_and_fix_runbook_with_no_deploy_steps() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("Cargo.toml", "[package]\nname = \"rocket-core\"\nversion = \"1.4.0\"\nedition = \"2024\"\n"),
            ("src/lib.rs", "pub fn go() {}\n"),
            // The docs site's image does not make the crate a service.
            ("docs/Dockerfile", "FROM nginx\n"),
        ],
    );
    repo.tag("v1.4.0");
    repo.commit_files("fix: go faster", &[("src/lib.rs", "pub fn go() { }\n")]);
    let text = rollback(&repo, &[]);
    // The crate's name comes from Cargo.toml's head, though the release did not change it.
    assert!(text.contains("cargo yank --version 1.4.1 rocket-core"), "{text}");
    for deploy in ["gh workflow run", "kubectl", "helm ", "Return the service", "Redeploy v"] {
        assert!(!text.contains(deploy), "a library runbook deploys ({deploy}): {text}");
    }
    insta::assert_snapshot!(text);
    // `kind = "service"` overrides the detection.
    repo.write("relkit.toml", "[rollback]\nkind = \"service\"\n");
    let text = rollback(&repo, &[]);
    assert!(!text.contains("cargo yank"), "{text}");
}

#[test]
fn kubernetes_helm_and_a_deploy_workflow_get_one_way_back() {
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.commit_files(
        "feat: scale out",
        &[
            (
                "deploy/k8s/deployment.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rocket\nreplicas: 3\n",
            ),
            ("charts/rocket/Chart.yaml", "apiVersion: v2\nname: rocket\nversion: 1.5.0\n"),
            (".github/workflows/deploy.yml", "on: workflow_dispatch\n"),
        ],
    );
    let text = rollback(&repo, &[]);
    // Either the platform's undo or a redeploy: never one after the other.
    let either = text.find("**Either").expect("alternatives");
    let or = text.find("**Or").expect("alternatives");
    assert!(either < or, "{text}");
    let step_titles: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(step_titles.iter().filter(|t| t.contains("Return the service")).count(), 1, "{step_titles:?}");
}

#[test]
fn the_runbook_names_the_tagged_release_commit() {
    // With the CHANGELOG committed, the tag points at the release commit,
    // and the runbook in the CI outputs says so.
    let repo = released(Some("git@github.com:acme/rocket.git"));
    repo.write("relkit.toml", "[release]\ncommit = true\n");
    repo.git(&["add", "relkit.toml"]);
    repo.commit("fix: tune");
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let out =
        repo.relkit_command(&["release"]).env("GITHUB_ACTIONS", "true").env("GITHUB_OUTPUT", &output).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tagged = repo.git(&["rev-parse", "--short=7", "v1.4.1^{commit}"]);
    assert_eq!(repo.git(&["log", "-1", "--format=%s", "v1.4.1"]), "chore(release): 1.4.1");
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(outputs.contains(&format!("| Commit | `{tagged}` |")), "{outputs}");
}

/// Runs the commands of `tag`'s runbook step "Revert the release on the
/// branch" as written (but the ones that talk to `origin`); returns them.
fn run_revert_step(repo: &TestRepo, tag: &str) -> String {
    let runbook = repo.relkit(&["rollback", "--release", tag]).ok().to_string();
    let step = &runbook[runbook.find("Revert the release on the branch").expect(&runbook)..];
    let block = &step[step.find("```sh\n").unwrap() + 6..];
    let block = block[..block.find("```").unwrap()].to_string();
    for line in block.lines().filter(|l| !l.contains("origin")) {
        let out = repo.command("sh").args(["-c", line]).output().unwrap();
        assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
    }
    block
}

/// The revert step, run as written, undoes the release's code and keeps its
/// CHANGELOG and relkit.toml, which the release added (first adoption).
#[test]
fn the_revert_step_keeps_the_changelog_and_the_configuration() {
    let repo = TestRepo::github();
    repo.commit_files("feat: first", &[("src/lib.rs", "// v1\n")]);
    repo.tag("v1.0.0");
    repo.commit_files("chore: adopt relkit", &[("relkit.toml", "[release]\ncommit = true\n")]);
    repo.commit_files("feat: second", &[("src/lib.rs", "// v2\n"), ("src/new.rs", "// new\n")]);
    repo.relkit(&["release"]).ok();
    assert!(repo.read("CHANGELOG.md").contains("## [1.1.0]"));
    repo.commit_files("docs: later", &[("README.md", "# later\n")]);
    run_revert_step(&repo, "v1.1.0");
    assert_eq!(repo.read("src/lib.rs"), "// v1\n");
    assert!(!repo.path().join("src/new.rs").exists());
    assert!(repo.read("CHANGELOG.md").contains("## [1.1.0]"));
    assert_eq!(repo.read("relkit.toml"), "[release]\ncommit = true\n");
    assert_eq!(repo.read("README.md"), "# later\n");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "revert: roll back v1.1.0");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// A workspace member whose manifest the release changed only for its
/// requirement on the released crate was not released: the runbook yanks
/// the released crate, not the member (its name at that version may be
/// another, real release).
#[test]
fn only_the_released_crate_is_yanked() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("Cargo.toml", "[package]\nname = \"rocket\"\nversion = \"1.0.0\"\n\n[workspace]\nmembers = [\"x\"]\n"),
            ("src/lib.rs", "//\n"),
            ("x/Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nrocket = { path = \"..\", version = \"1.0.0\" }\n"),
            ("relkit.toml", "[[version-files]]\npath = \"Cargo.toml\"\n"),
        ],
    );
    repo.tag("v1.0.0");
    repo.commit_files("feat!: a new API", &[("src/lib.rs", "// 2\n")]);
    repo.relkit(&["release"]).ok();
    assert!(repo.read("x/Cargo.toml").contains("rocket = { path = \"..\", version = \"2.0.0\" }"));
    let runbook = repo.relkit(&["rollback"]).ok().to_string();
    assert!(runbook.contains("cargo yank --version 2.0.0 rocket"), "{runbook}");
    assert!(!runbook.contains("--version 2.0.0 x"), "{runbook}");
}

/// A stable release after release candidates: their release commits are in
/// its range, and the revert skips them, so the version files stay as
/// released (reverting them would conflict, or take the versions back).
#[test]
fn the_revert_step_skips_the_release_commits_of_candidates() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("src/lib.rs", "// v1\n"),
            ("Cargo.toml", "[package]\nname = \"rocket\"\nversion = \"1.0.0\"\n"),
            ("relkit.toml", "[[version-files]]\npath = \"Cargo.toml\"\n"),
        ],
    );
    repo.tag("v1.0.0");
    repo.commit_files("feat: a", &[("src/lib.rs", "// v2\n")]);
    repo.relkit(&["release", "--prerelease", "rc"]).ok();
    repo.commit_files("fix: b", &[("src/lib.rs", "// v3\n"), ("src/b.rs", "// b\n")]);
    repo.relkit(&["release"]).ok();
    assert!(repo.read("Cargo.toml").contains("version = \"1.1.0\""));
    let block = run_revert_step(&repo, "v1.1.0");
    assert!(block.contains("--invert-grep"), "{block}");
    assert_eq!(repo.read("src/lib.rs"), "// v1\n");
    assert!(!repo.path().join("src/b.rs").exists());
    assert!(repo.read("Cargo.toml").contains("version = \"1.1.0\""), "the version stays as released");
    assert!(repo.read("CHANGELOG.md").contains("## [1.1.0]"));
    assert_eq!(repo.read("relkit.toml"), "[[version-files]]\npath = \"Cargo.toml\"\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// A workspace whose root holds the members' shared version: the runbook
/// withdraws the members that inherit it, not one with its own version.
#[test]
fn a_workspace_version_release_yanks_the_members_that_share_it() {
    let repo = TestRepo::github();
    repo.commit_files(
        "chore: init",
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"own\"]\n\n[workspace.package]\nversion = \"1.2.0\"\n"),
            ("a/Cargo.toml", "[package]\nname = \"acme-a\"\nversion.workspace = true\n"),
            ("own/Cargo.toml", "[package]\nname = \"acme-own\"\nversion = \"3.0.0\"\n"),
            ("a/src/lib.rs", "//\n"),
            ("relkit.toml", "[[version-files]]\npath = \"Cargo.toml\"\n"),
        ],
    );
    repo.tag("v1.2.0");
    repo.commit_files("feat: more", &[("a/src/lib.rs", "// 2\n"), ("own/src/lib.rs", "//\n")]);
    repo.relkit(&["release"]).ok();
    let runbook = repo.relkit(&["rollback"]).ok().to_string();
    assert!(runbook.contains("cargo yank --version 1.3.0 acme-a"), "{runbook}");
    assert!(!runbook.contains("acme-own"), "{runbook}");
}
