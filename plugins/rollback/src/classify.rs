//! Which changed paths touch what: database migrations, Kubernetes, Helm,
//! Terraform, container images, CI configuration. Each class has default
//! globs that `[rollback] <class>-paths` replaces; a glob starting with `!`
//! excludes what it matches.

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::glob::{self, Glob, SplitPath};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Migration,
    Helm,
    Kubernetes,
    Terraform,
    Docker,
    Ci,
}

impl Class {
    pub const ALL: [Class; 6] =
        [Class::Migration, Class::Helm, Class::Kubernetes, Class::Terraform, Class::Docker, Class::Ci];

    pub fn setting(self) -> &'static str {
        match self {
            Class::Migration => "migration-paths",
            Class::Helm => "helm-paths",
            Class::Kubernetes => "kubernetes-paths",
            Class::Terraform => "terraform-paths",
            Class::Docker => "docker-paths",
            Class::Ci => "ci-paths",
        }
    }

    pub fn defaults(self) -> &'static [&'static str] {
        match self {
            // Flyway (V/U/R scripts), Liquibase changelogs, Rails/Django/Knex/
            // Prisma/Alembic migration directories, Prisma's schema.
            Class::Migration => &[
                "**/migrations/**",
                "**/migration/**",
                "**/db/migrate/**",
                "**/alembic/versions/**",
                "**/V[0-9]*__*.sql",
                "**/U[0-9]*__*.sql",
                "**/R__*.sql",
                "**/db.changelog*.{xml,yaml,yml,json,sql}",
                "**/liquibase/**/*.{xml,yaml,yml,json,sql}",
                "**/schema.prisma",
                "!**/*.{md,markdown,txt}",
            ],
            Class::Helm => &["**/Chart.yaml", "**/Chart.lock", "**/charts/**", "**/helmfile.{yaml,yml}", "**/helm/**"],
            Class::Kubernetes => &[
                "**/k8s/**",
                "**/kubernetes/**",
                "**/manifests/**/*.{yaml,yml,json}",
                "**/kustomization.{yaml,yml}",
                "**/kustomize/**",
            ],
            Class::Terraform => {
                &["**/*.tf", "**/*.tfvars", "**/*.tf.json", "**/.terraform.lock.hcl", "**/terragrunt.hcl"]
            }
            Class::Docker => &[
                "**/Dockerfile",
                "**/Dockerfile.*",
                "**/*.dockerfile",
                "**/Containerfile",
                "**/docker-compose*.{yml,yaml}",
                "**/compose.{yml,yaml}",
                "!**/*.{md,markdown,txt}",
            ],
            Class::Ci => &[
                ".github/workflows/**",
                ".github/actions/**",
                ".gitlab-ci.yml",
                ".gitlab/ci/**",
                ".circleci/**",
                "Jenkinsfile",
                "azure-pipelines.yml",
                ".buildkite/**",
            ],
        }
    }
}

/// The compiled globs of every class.
pub struct Classifier {
    /// Per class: globs that include, globs that exclude.
    classes: Vec<(Class, Vec<Glob>, Vec<Glob>)>,
}

impl Classifier {
    pub fn from_settings(s: &Settings<'_>) -> Result<Self, String> {
        let mut classes = Vec::new();
        for class in Class::ALL {
            let patterns = match s.get::<Vec<String>>(class.setting())? {
                Some(p) => p,
                None => class.defaults().iter().map(|p| p.to_string()).collect(),
            };
            let (exclude, include): (Vec<String>, Vec<String>) = patterns.into_iter().partition(|p| p.starts_with('!'));
            let exclude: Vec<String> = exclude.iter().map(|p| p[1..].to_string()).collect();
            let compile =
                |list: &[String]| glob::compile_all(list).map_err(|e| format!("setting `{}`: {e}", class.setting()));
            classes.push((class, compile(&include)?, compile(&exclude)?));
        }
        Ok(Self { classes })
    }

    /// The class of a path. A path in a Helm chart is Helm, not Kubernetes;
    /// the order of [`Class::ALL`] decides.
    ///
    /// The path is split once for every glob of every class, and matching
    /// allocates nothing: a release can change 50,000 paths.
    pub fn classify(&self, path: &str) -> Option<Class> {
        let path = SplitPath::new(path);
        self.classes
            .iter()
            .find(|(_, include, exclude)| {
                glob::any_match_split(include, &path) && !glob::any_match_split(exclude, &path)
            })
            .map(|(c, _, _)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(path: &str) -> Option<Class> {
        let empty: Vec<(String, String)> = Vec::new();
        Classifier::from_settings(&Settings::new(&empty)).unwrap().classify(path)
    }

    #[test]
    fn migrations() {
        for p in [
            "db/migrations/0001_init.sql",
            "app/migrations/0002_auto.py",
            "db/migrate/20261129_add_users.rb",
            "src/main/resources/db/migration/V3__add_index.sql",
            "sql/V12__x.sql",
            "sql/R__views.sql",
            "db/changelog/db.changelog-master.yaml",
            "alembic/versions/abc123_add.py",
            "prisma/migrations/20261129/migration.sql",
            "prisma/schema.prisma",
        ] {
            assert_eq!(class(p), Some(Class::Migration), "{p}");
        }
    }

    #[test]
    fn lookalikes_do_not_match() {
        for p in [
            "docs/migrations.md",
            "src/migrate.rs",
            "src/migration_helpers.go",
            "sql/Vendor__notes.sql",
            "sql/V1_init.sql",
            "docs/k8s.md",
            "src/terraform.rs",
            "docs/Dockerfile.md",
            "Dockerfiles.txt",
            "charts.md",
            "github/workflows/x.yml",
            "README.md",
        ] {
            assert_eq!(class(p), None, "{p}");
        }
    }

    #[test]
    fn infrastructure() {
        assert_eq!(class("deploy/k8s/deployment.yaml"), Some(Class::Kubernetes));
        assert_eq!(class("kustomization.yaml"), Some(Class::Kubernetes));
        assert_eq!(class("charts/api/templates/deployment.yaml"), Some(Class::Helm));
        assert_eq!(class("charts/api/Chart.yaml"), Some(Class::Helm));
        assert_eq!(class("infra/main.tf"), Some(Class::Terraform));
        assert_eq!(class("infra/prod.tfvars"), Some(Class::Terraform));
        assert_eq!(class("Dockerfile"), Some(Class::Docker));
        assert_eq!(class("services/api/Dockerfile.prod"), Some(Class::Docker));
        assert_eq!(class(".github/workflows/release.yml"), Some(Class::Ci));
        assert_eq!(class(".gitlab-ci.yml"), Some(Class::Ci));
    }

    #[test]
    fn configured_globs_replace_the_defaults() {
        let settings = vec![("migration-paths".to_string(), "[\"schema/**\"]".to_string())];
        let c = Classifier::from_settings(&Settings::new(&settings)).unwrap();
        assert_eq!(c.classify("schema/001.sql"), Some(Class::Migration));
        assert_eq!(c.classify("db/migrations/0001.sql"), None);
    }
}
