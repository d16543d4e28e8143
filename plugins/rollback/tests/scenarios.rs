//! Runbooks of scenario repositories: the tree, the release's changed paths
//! and the heads of its changed files, as the host passes them through the
//! `runbook` interface. Each snapshot is read as an on-call engineer would;
//! [`no_runbook_has_steps_that_undo_each_other`] checks every scenario on the
//! runbook's data.

use relkit_plugin_rollback::classify::Classifier;
use relkit_plugin_rollback::detect::Kind;
use relkit_plugin_rollback::model::{self, Config, RollbackData};
use relkit_plugin_rollback::plan::{self, Target};
use relkit_plugin_rollback::{Tree, render_runbook};
use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::types::{ChangeKind, ChangedPath, Commit, ForgeKind, Person, Release, Repository, Tag};

/// A repository at the release.
struct Scenario {
    name: &'static str,
    repository: Repository,
    settings: Vec<(String, String)>,
    /// `(path, change)` of the release's one commit.
    changed: Vec<(&'static str, ChangeKind)>,
    /// Paths in the tree besides the changed ones.
    tree: Vec<&'static str>,
    heads: Vec<(&'static str, &'static str)>,
}

fn github() -> Repository {
    Repository {
        remote_url: Some("git@github.com:acme/rocket.git".into()),
        forge: ForgeKind::Github,
        web_url: Some("https://github.com/acme/rocket".into()),
    }
}

fn settings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

use ChangeKind::{Added as A, Modified as M};

impl Scenario {
    fn release(&self) -> Release {
        Release {
            version: "2.0.0".into(),
            tag: "v2.0.0".into(),
            commit_id: "243c483a7d1e9f0b5c6d2e8f1a3b4c5d6e7f8a9b".into(),
            date: "2026-11-29".into(),
            previous: Some(Tag {
                name: "v1.4.0".into(),
                version: "1.4.0".into(),
                commit_id: "04e65b6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a".into(),
                time: 0,
                date: "2026-10-30".into(),
            }),
            commits: vec![Commit {
                id: "3e12dab5fd1426b51cf2b5f5f59f7a961dd22edb".into(),
                message: "feat: the release".into(),
                author: Person { name: "Ada".into(), email: "ada@example.com".into() },
                time: 0,
                parents: vec!["04e65b6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a".into()],
                changed_paths: self
                    .changed
                    .iter()
                    .map(|(p, c)| ChangedPath { path: p.to_string(), change: *c })
                    .collect(),
            }],
        }
    }

    fn inputs(&self) -> (Vec<String>, Vec<(String, String)>) {
        let mut tree: Vec<String> =
            self.tree.iter().chain(self.changed.iter().map(|(p, _)| p)).map(|p| p.to_string()).collect();
        tree.sort();
        tree.dedup();
        let heads = self.heads.iter().map(|(p, h)| (p.to_string(), h.to_string())).collect();
        (tree, heads)
    }

    fn markdown(&self) -> String {
        let (tree, heads) = self.inputs();
        render_runbook(&self.release(), &self.repository, &self.settings, None, Tree { paths: &tree, heads: &heads })
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    fn data(&self) -> RollbackData {
        let (tree, heads) = self.inputs();
        let s = Settings::new(&self.settings);
        let config = Config::from_settings(&s).unwrap_or_else(|e| panic!("{e}"));
        let classifier = Classifier::from_settings(&s).unwrap_or_else(|e| panic!("{e}"));
        model::build(&self.release(), &self.repository, &config, &classifier, Tree { paths: &tree, heads: &heads })
    }
}

const HELM_RELEASE: &str = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: rocket\n  namespace: prod\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ./charts/rocket\n";
const ALEMBIC_B2: &str = "\"\"\"add nickname\n\nRevision ID: b2c3d4e5f6a7\nRevises: a1b2c3d4e5f6\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'b2c3d4e5f6a7'\ndown_revision = 'a1b2c3d4e5f6'\n\n\ndef upgrade():\n    op.add_column('users', sa.Column('nickname', sa.String()))\n\n\ndef downgrade():\n    op.drop_column('users', 'nickname')\n";
const ALEMBIC_C3: &str = "\"\"\"drop legacy\n\nRevision ID: c3d4e5f6a7b8\nRevises: b2c3d4e5f6a7\n\"\"\"\nfrom alembic import op\n\nrevision: str = \"c3d4e5f6a7b8\"\ndown_revision: str | None = \"b2c3d4e5f6a7\"\n\n\ndef upgrade() -> None:\n    op.drop_column('users', 'legacy_flags')\n\n\ndef downgrade() -> None:\n    pass\n";
const ARGO_APP: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: rocket-prod\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://github.com/acme/rocket\n    path: deploy/k8s\n  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n";
const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: rocket\n  namespace: prod\nspec:\n  strategy:\n    canary:\n      steps:\n      - setWeight: 20\n      - pause: {}\n";
const CANARY: &str = "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata:\n  name: rocket\n  namespace: prod\nspec:\n  targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: rocket\n";

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "kubernetes_helm_and_deploy_workflow",
            repository: github(),
            settings: settings(&[
                ("helm-release", "\"rocket\""),
                ("namespace", "\"prod\""),
                ("workflow", "\"deploy.yml\""),
                ("image", "\"ghcr.io/acme/rocket\""),
            ]),
            changed: vec![
                ("deploy/k8s/configmap.yaml", M),
                ("deploy/k8s/hpa.yaml", A),
                ("charts/rocket/values.yaml", M),
                (".github/workflows/deploy.yml", M),
                ("Dockerfile", M),
                ("src/main.rs", M),
            ],
            tree: vec!["Cargo.toml", "charts/rocket/Chart.yaml", "charts/rocket/templates/deployment.yaml"],
            heads: vec![("deploy/k8s/hpa.yaml", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n")],
        },
        // No `[rollback]` names: the changed Deployment gives its name and
        // namespace, the tree its one deploy workflow.
        Scenario {
            name: "names_from_the_changed_manifests",
            repository: github(),
            settings: Vec::new(),
            changed: vec![("k8s/deployment.yaml", M), ("src/main.rs", M)],
            tree: vec![".github/workflows/ci.yml", ".github/workflows/deploy.yml", "k8s/service.yaml"],
            heads: vec![(
                "k8s/deployment.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rocket-api\n  namespace: prod\nspec:\n  replicas: 3\n",
            )],
        },
        Scenario {
            name: "flux_helmrelease_and_alembic",
            repository: github(),
            settings: Vec::new(),
            changed: vec![
                ("clusters/prod/rocket/helmrelease.yaml", M),
                ("alembic/versions/b2c3d4e5f6a7_add_nickname.py", A),
                ("alembic/versions/c3d4e5f6a7b8_drop_legacy.py", A),
                ("app/models.py", M),
            ],
            tree: vec![
                "alembic/versions/a1b2c3d4e5f6_init.py",
                "clusters/prod/flux-system/gotk-sync.yaml",
                "pyproject.toml",
            ],
            heads: vec![
                ("clusters/prod/rocket/helmrelease.yaml", HELM_RELEASE),
                ("alembic/versions/b2c3d4e5f6a7_add_nickname.py", ALEMBIC_B2),
                ("alembic/versions/c3d4e5f6a7b8_drop_legacy.py", ALEMBIC_C3),
            ],
        },
        Scenario {
            name: "argo_cd_application",
            repository: github(),
            settings: settings(&[("namespace", "\"prod\"")]),
            changed: vec![("deploy/argocd/rocket-prod.yaml", M), ("deploy/k8s/deployment.yaml", M)],
            tree: vec!["go.mod", "main.go"],
            heads: vec![("deploy/argocd/rocket-prod.yaml", ARGO_APP)],
        },
        Scenario {
            name: "argo_rollouts_canary",
            repository: github(),
            settings: settings(&[("workflow", "\"deploy.yml\"")]),
            changed: vec![("deploy/k8s/rollout.yaml", M), ("src/server.ts", M)],
            tree: vec!["package.json", ".github/workflows/deploy.yml"],
            heads: vec![("deploy/k8s/rollout.yaml", ROLLOUT)],
        },
        Scenario {
            name: "flagger_canary",
            repository: github(),
            settings: settings(&[("workflow", "\"deploy.yml\""), ("namespace", "\"prod\"")]),
            changed: vec![("deploy/k8s/canary.yaml", M), ("src/server.ts", M)],
            tree: vec!["deploy/k8s/deployment.yaml"],
            heads: vec![("deploy/k8s/canary.yaml", CANARY)],
        },
        Scenario {
            name: "library_in_four_ecosystems_with_a_docs_site_dockerfile",
            repository: github(),
            settings: Vec::new(),
            changed: vec![
                ("Cargo.toml", M),
                ("bindings/node/package.json", M),
                ("bindings/python/pyproject.toml", M),
                ("bindings/go/go.mod", M),
                ("src/lib.rs", M),
                ("docs/Dockerfile", M),
            ],
            tree: vec!["docker-compose.yml", ".github/workflows/ci.yml", "rocket.gemspec", "README.md"],
            heads: vec![
                ("Cargo.toml", "[package]\nname = \"rocket-core\"\nversion = \"2.0.0\"\nedition = \"2021\"\n"),
                ("bindings/node/package.json", "{\n  \"name\": \"@acme/rocket\",\n  \"version\": \"2.0.0\"\n}\n"),
                ("bindings/python/pyproject.toml", "[project]\nname = \"Rocket-Py\"\nversion = \"2.0.0\"\n"),
                ("bindings/go/go.mod", "module github.com/acme/rocket/bindings/go\n\ngo 1.22\n"),
                // The host passes every package manifest's head, changed or not.
                ("rocket.gemspec", "Gem::Specification.new do |spec|\n  spec.name = \"rocket-rb\"\nend\n"),
            ],
        },
        Scenario {
            name: "every_migration_tool",
            repository: github(),
            settings: settings(&[("kind", "\"service\"")]),
            changed: vec![
                ("db/migrate/20261120_add_orders.rb", A),
                ("db/migrate/20261121_add_index.rb", A),
                ("shop/orders/migrations/0007_order_note.py", A),
                ("shop/orders/migrations/0008_remove_order_legacy.py", A),
                ("src/main/resources/db/changelog/db.changelog-2.0.xml", A),
                ("src/main/resources/db/changelog/db.changelog-master.xml", M),
                ("sql/V8__add_audit.sql", A),
                ("sql/U8__add_audit.sql", A),
                ("migrations/000012_users.up.sql", A),
                ("migrations/000012_users.down.sql", A),
                ("prisma/migrations/20261129_init/migration.sql", A),
                ("db/migrations/0007_audit_events.sql", A),
            ],
            tree: vec!["shop/orders/migrations/0006_order_status.py", "prisma/schema.prisma"],
            heads: vec![
                (
                    "shop/orders/migrations/0008_remove_order_legacy.py",
                    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RemoveField(model_name='order', name='legacy'),\n    ]\n",
                ),
                (
                    "src/main/resources/db/changelog/db.changelog-2.0.xml",
                    "<databaseChangeLog>\n  <changeSet id=\"1\" author=\"ada\">\n    <createTable tableName=\"audit\"/>\n  </changeSet>\n  <changeSet id=\"2\" author=\"ada\">\n    <addColumn tableName=\"orders\"/>\n  </changeSet>\n</databaseChangeLog>\n",
                ),
                ("sql/V8__add_audit.sql", "create table audit (id int);\n"),
                ("migrations/000012_users.down.sql", "DROP TABLE users;\n"),
            ],
        },
        Scenario {
            name: "flyway_without_undo_scripts",
            repository: github(),
            settings: settings(&[("kind", "\"service\""), ("workflow", "\"deploy.yml\"")]),
            changed: vec![("src/main/resources/db/migration/V9__split_names.sql", A)],
            tree: vec![],
            heads: vec![(
                "src/main/resources/db/migration/V9__split_names.sql",
                "ALTER TABLE users DROP COLUMN full_name;\n",
            )],
        },
        Scenario {
            name: "terraform_directory_added_by_the_release",
            repository: github(),
            settings: settings(&[("workflow", "\"deploy.yml\"")]),
            changed: vec![
                ("infra/queue/main.tf", A),
                ("infra/queue/variables.tf", A),
                ("infra/queue/prod.tfvars", A),
                ("infra/app/main.tf", M),
                ("infra/app/alarms.tf", A),
                ("src/main.rs", M),
            ],
            tree: vec!["infra/app/outputs.tf", "infra/app/prod.tfvars", "Cargo.toml"],
            heads: vec![],
        },
        Scenario {
            name: "self_hosted_gitlab",
            repository: Repository {
                remote_url: Some("git@gitlab.example.com:platform/team/rocket.git".into()),
                forge: ForgeKind::Gitlab,
                web_url: Some("https://gitlab.example.com/platform/team/rocket".into()),
            },
            settings: settings(&[("deployment", "\"rocket-api\""), ("namespace", "\"prod\"")]),
            changed: vec![("src/main.go", M)],
            tree: vec!["Dockerfile", ".gitlab-ci.yml", "go.mod"],
            heads: vec![],
        },
    ]
}

fn scenario(name: &str) -> Scenario {
    scenarios().into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"))
}

macro_rules! snapshot {
    ($test:ident) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(scenario(stringify!($test)).markdown());
        }
    };
}

snapshot!(kubernetes_helm_and_deploy_workflow);
snapshot!(names_from_the_changed_manifests);
snapshot!(flux_helmrelease_and_alembic);
snapshot!(argo_cd_application);
snapshot!(argo_rollouts_canary);
snapshot!(flagger_canary);
snapshot!(library_in_four_ecosystems_with_a_docs_site_dockerfile);
snapshot!(every_migration_tool);
snapshot!(flyway_without_undo_scripts);
snapshot!(self_hosted_gitlab);
snapshot!(terraform_directory_added_by_the_release);

#[test]
fn no_runbook_has_steps_that_undo_each_other() {
    for s in scenarios() {
        let data = s.data();
        assert!(!data.plan.is_empty(), "{}: no steps", s.name);
        let problems = plan::conflicts(&data.plan);
        assert!(problems.is_empty(), "{}: {problems:?}", s.name);
        // The service is moved back in exactly one step of a service runbook.
        let moving = data
            .plan
            .iter()
            .filter(|step| step.actions().any(|a| a.target == Target::Service && a.effect.moves()))
            .count();
        let expected = usize::from(data.kind == Kind::Service);
        assert_eq!(moving, expected, "{}: steps that move the service", s.name);
    }
}

#[test]
fn a_library_runbook_has_no_deploy_step() {
    let data = scenario("library_in_four_ecosystems_with_a_docs_site_dockerfile").data();
    assert_eq!(data.kind, Kind::Library);
    let ids: Vec<&str> = data.plan.iter().map(|s| s.id).collect();
    assert_eq!(ids, ["withdraw", "revert", "fix-forward"]);
    assert!(data.verify.confirm.is_empty());
    let commands: Vec<&String> = data.plan.iter().flat_map(|s| &s.blocks).flat_map(|b| &b.commands).collect();
    assert!(commands.iter().all(|c| !c.contains("kubectl") && !c.contains("workflow run")), "{commands:?}");
}

#[test]
fn where_both_ways_back_are_valid_they_are_alternatives() {
    let data = scenario("kubernetes_helm_and_deploy_workflow").data();
    let service = data.plan.iter().find(|s| s.id == "service").unwrap_or_else(|| panic!("no service step"));
    let labels: Vec<&str> = service.choices.iter().map(|c| c.label).collect();
    assert_eq!(labels, ["Either", "Or"]);
    let either: Vec<&String> = service.choices[0].blocks.iter().flat_map(|b| &b.commands).collect();
    let or: Vec<&String> = service.choices[1].blocks.iter().flat_map(|b| &b.commands).collect();
    assert!(either.iter().any(|c| c.starts_with("helm rollback rocket <revision>")), "{either:?}");
    assert!(or.iter().all(|c| !c.contains("helm") && !c.contains("rollout undo")), "{or:?}");
}

/// What a line of the runbook must not hold: `<` outside code (an HTML tag),
/// a control character, a table row with more than its three columns.
fn assert_safe_markdown(name: &str, markdown: &str) {
    let code = relkit_plugin_sdk::markdown::code_ranges(markdown);
    for (at, c) in markdown.char_indices() {
        let in_code = code.iter().any(|r| r.contains(&at));
        assert!(in_code || c != '<', "{name}: `<` outside code at {at}: {markdown}");
        assert!(c == '\n' || !c.is_control(), "{name}: control character {c:?}: {markdown}");
    }
    for line in markdown.lines().filter(|l| l.starts_with('|')) {
        let bytes = line.as_bytes();
        let cells = (0..bytes.len()).filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\')).count();
        assert_eq!(cells, 4, "{name}: a table row split into other cells: {line}");
    }
}

#[test]
fn every_runbook_is_safe_markdown() {
    for s in scenarios() {
        assert_safe_markdown(s.name, &s.markdown());
    }
}

/// Tags, paths and a commit subject written to break the markdown: a tag
/// with `|` and `<b>`, a migration with backticks in its name, a manifest
/// with a newline in its name, a subject with an escape character.
fn hostile() -> (Release, Scenario) {
    let s = Scenario {
        name: "hostile_names",
        repository: github(),
        settings: settings(&[("namespace", "\"prod\""), ("deployment", "\"api\"")]),
        changed: vec![
            ("db/migrations/0002_$(id)`whoami`.sql", A),
            ("deploy/k8s/evil\n- [x] pwned.yaml", A),
            ("deploy/k8s/deployment.yaml", M),
            ("infra/``x``/main.tf", M),
        ],
        tree: vec!["Dockerfile"],
        heads: vec![],
    };
    let mut release = s.release();
    release.tag = "rel|<b>2.0.0".into();
    if let Some(p) = release.previous.as_mut() {
        p.name = "rel|<b>1.4.0".into();
    }
    release.commits[0].message = "feat!: drop <script>\n\nBREAKING CHANGE: <b>gone</b>\u{1b}[31m | x".into();
    (release, s)
}

#[test]
fn repository_text_cannot_break_the_markdown() {
    let (release, s) = hostile();
    let (tree, heads) = s.inputs();
    let markdown = render_runbook(&release, &s.repository, &s.settings, None, Tree { paths: &tree, heads: &heads })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_safe_markdown(s.name, &markdown);
    // Paths are code spans fenced longer than the backticks they hold.
    assert!(markdown.contains("- ``db/migrations/0002_$(id)`whoami`.sql`` (added)"), "{markdown}");
    assert!(markdown.contains("- ```infra/``x``/main.tf``` (modified)"), "{markdown}");
    assert!(markdown.contains("in ``` infra/``x`` ```:"), "{markdown}");
    // The newline is shown, not followed: no list item or task starts inside a name.
    assert!(markdown.contains("`deploy/k8s/evil␊- [x] pwned.yaml`"), "{markdown}");
    assert!(!markdown.lines().any(|l| l.starts_with("- [x] pwned")), "{markdown}");
    // The command still names the file, on one line.
    assert!(markdown.contains("kubectl delete -n prod -f $'deploy/k8s/evil\\n- [x] pwned.yaml'"), "{markdown}");
    // Tags in headings, prose and the table.
    assert!(markdown.contains("# Rolling back rel\\|&lt;b&gt;2.0.0\n"), "{markdown}");
    assert!(
        markdown.contains(
            "| Release | [rel\\|&lt;b&gt;2.0.0](https://github.com/acme/rocket/releases/tag/rel%7C%3Cb%3E2.0.0) |"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("- &lt;b&gt;gone&lt;/b&gt;␛[31m | x ("), "{markdown}");
    insta::assert_snapshot!(markdown);
}

/// The library scenario with other manifests in the tree and their heads.
fn library_with(tree: &[&'static str], heads: &[(&'static str, &'static str)]) -> RollbackData {
    let mut s = scenario("library_in_four_ecosystems_with_a_docs_site_dockerfile");
    s.changed.retain(|(p, _)| p.ends_with(".rs"));
    s.tree = tree.to_vec();
    s.heads = heads.to_vec();
    s.data()
}

fn withdraw_commands(data: &RollbackData) -> Vec<String> {
    let step = data.plan.iter().find(|s| s.id == "withdraw").unwrap_or_else(|| panic!("no withdraw step"));
    step.blocks.iter().flat_map(|b| b.commands.iter().cloned()).collect()
}

#[test]
fn package_names_come_from_the_manifests_not_their_file_names() {
    let gemspec = "Gem::Specification.new do |spec|\n  spec.name = \"real-name\"\n  spec.version = \"2.0.0\"\nend\n";
    let data = library_with(&["other.gemspec"], &[("other.gemspec", gemspec)]);
    assert_eq!(withdraw_commands(&data), ["gem yank real-name -v 2.0.0"]);
    assert!(!data.placeholders);

    // A head that does not give the name: a placeholder, and the notice.
    let computed = "Gem::Specification.new do |s|\n  s.name = File.basename(__FILE__, '.gemspec')\nend\n";
    for heads in [vec![], vec![("other.gemspec", computed)]] {
        let data = library_with(&["other.gemspec"], &heads);
        assert_eq!(withdraw_commands(&data), ["gem yank <gem> -v 2.0.0"], "{heads:?}");
        assert!(data.placeholders);
    }
    let data = library_with(
        &["Cargo.toml", "package.json", "setup.py"],
        &[
            ("Cargo.toml", "[package]\nname.workspace = true\n"),
            ("package.json", "{\n  \"author\": {\n    \"name\": \"Ada\"\n  }\n}\n"),
            ("setup.py", "setup(name=NAME)\n"),
        ],
    );
    assert_eq!(
        withdraw_commands(&data),
        [
            "cargo yank --version 2.0.0 <crate>",
            "npm deprecate <package>@2.0.0 '2.0.0 is broken; use 1.4.0 or the next patch release'"
        ]
    );
    let markdown = {
        let mut s = scenario("library_in_four_ecosystems_with_a_docs_site_dockerfile");
        s.changed.retain(|(p, _)| p.ends_with(".rs"));
        s.tree = vec!["setup.py"];
        s.heads = vec![("setup.py", "setup(name=NAME)\n")];
        s.markdown()
    };
    assert!(markdown.contains("`https://pypi.org/manage/project/<project>/release/2.0.0/`"), "{markdown}");
    assert!(markdown.contains("Replace the `<placeholders>` below"), "{markdown}");
}

fn terraform_commands(data: &RollbackData) -> Vec<String> {
    let step = data.plan.iter().find(|s| s.id == "terraform").unwrap_or_else(|| panic!("no terraform step"));
    step.blocks.iter().flat_map(|b| b.commands.iter().cloned()).collect()
}

#[test]
fn a_terraform_directory_the_release_added_is_destroyed_not_checked_out() {
    let s = scenario("terraform_directory_added_by_the_release");
    let data = s.data();
    assert_eq!(
        terraform_commands(&data),
        [
            // infra/app existed (outputs.tf is unchanged): its previous configuration
            "(cd ../rollback-v1.4.0/infra/app && terraform init && terraform plan -out=rollback.tfplan && terraform apply rollback.tfplan)",
            // every .tf file of infra/queue is new: it does not exist at v1.4.0, and
            // after the revert not in this checkout either
            "git worktree add ../release-v2.0.0 v2.0.0",
            "(cd ../release-v2.0.0/infra/queue && terraform init && terraform plan -destroy)",
            "(cd ../release-v2.0.0/infra/queue && terraform destroy)",
        ]
    );
    let step = data.plan.iter().find(|s| s.id == "terraform").unwrap_or_else(|| panic!("no terraform step"));
    let warning = step.warning.as_deref().unwrap_or_default();
    assert!(warning.contains("terraform state pull") && warning.contains("`terraform destroy` deletes"), "{warning}");

    // Through the `rollback` interface there is no tree to tell whether
    // infra/queue had unchanged .tf files: the checkout stays, with the
    // destroy as what to do if it did not exist.
    let markdown = relkit_plugin_rollback::render(&s.release(), &s.repository, &s.settings, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(markdown.contains("(cd ../rollback-v1.4.0/infra/queue && terraform init"), "{markdown}");
    assert!(markdown.contains("If `infra/queue` did not exist at v1.4.0"), "{markdown}");
    assert!(markdown.contains("`(cd ../release-v2.0.0/infra/queue && terraform destroy)`"), "{markdown}");
}
