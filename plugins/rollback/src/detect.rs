//! What the repository is and what deploys it, read from the tree's paths
//! and the heads of the files the release changed.
//!
//! - [`Manifest::parse`]: the Kubernetes objects a YAML head declares (its
//!   `apiVersion:`, `kind:`, `metadata.name`, `metadata.namespace` lines);
//! - [`Detector`]: compiled globs, run once over every tree path, that find
//!   deploy signals (a service), package manifests (a library) and GitOps or
//!   progressive-delivery controllers;
//! - [`Kind`]: the project kind, from `[rollback] kind` or decided by
//!   [`Detector::scan`]'s rule.
//!
//! Every path is split once and tried against a fixed number of compiled
//! globs, so the work is linear in the number of paths.

use relkit_plugin_sdk::glob::{self, Glob, SplitPath};

use crate::classify::{Class, Classifier};

/// `[rollback] kind`: `"auto"` (default), `"service"` or `"library"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindSetting {
    #[default]
    Auto,
    Service,
    Library,
}

/// What the runbook rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Something that runs somewhere: the way back is a deploy of the
    /// previous version.
    Service,
    /// A package others install: the way back is a yank or deprecation and a
    /// fix-forward release; nothing is deployed.
    Library,
}

/// One Kubernetes object declared in a YAML file head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub path: String,
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// An Argo CD `Application` whose `syncPolicy` has an `automated:` key.
    pub automated: bool,
}

impl Manifest {
    /// The objects of a YAML head, one per `---` document that has both an
    /// `apiVersion:` and a `kind:` line at the top level. `metadata.name` and
    /// `metadata.namespace` are read from the lines indented under
    /// `metadata:`; values in quotes are unquoted. Templated values
    /// (`{{ .Release.Name }}`) are left out: they are not names.
    pub fn parse(path: &str, head: &str) -> Vec<Manifest> {
        let mut out = Vec::new();
        let mut current = Manifest { path: path.to_string(), ..Manifest::default() };
        let mut section = "";
        let flush = |m: &mut Manifest, out: &mut Vec<Manifest>| {
            if !m.api_version.is_empty() && !m.kind.is_empty() {
                out.push(std::mem::replace(m, Manifest { path: path.to_string(), ..Manifest::default() }));
            } else {
                *m = Manifest { path: path.to_string(), ..Manifest::default() };
            }
        };
        for line in head.lines() {
            if line.starts_with("---") {
                flush(&mut current, &mut out);
                section = "";
                continue;
            }
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let Some((key, value)) = trimmed.split_once(':') else { continue };
            let value = scalar(value);
            if indent == 0 {
                section = match key {
                    "metadata" => "metadata",
                    "spec" => "spec",
                    _ => "",
                };
                match key {
                    "apiVersion" => current.api_version = value.unwrap_or_default(),
                    "kind" => current.kind = value.unwrap_or_default(),
                    _ => {}
                }
            } else if section == "metadata" && indent <= 4 {
                match key {
                    "name" if current.name.is_none() => current.name = value,
                    "namespace" if current.namespace.is_none() => current.namespace = value,
                    _ => {}
                }
            } else if section == "spec" && key == "automated" {
                current.automated = true;
            }
        }
        flush(&mut current, &mut out);
        out
    }

    fn group(&self) -> &str {
        self.api_version.split('/').next().unwrap_or("")
    }

    /// What controls rollouts of this object, if anything relkit knows.
    pub fn controller(&self) -> Option<Controller> {
        match (self.group(), self.kind.as_str()) {
            ("helm.toolkit.fluxcd.io", "HelmRelease") => Some(Controller::FluxHelmRelease),
            ("kustomize.toolkit.fluxcd.io", "Kustomization") => Some(Controller::FluxKustomization),
            ("argoproj.io", "Application" | "ApplicationSet") => Some(Controller::ArgoCd),
            ("argoproj.io", "Rollout") => Some(Controller::ArgoRollout),
            ("flagger.app", "Canary") => Some(Controller::Flagger),
            _ => None,
        }
    }
}

/// The value of `key: value`, unquoted; `None` when empty, a block or a template.
fn scalar(value: &str) -> Option<String> {
    let v = value.split(" #").next().unwrap_or("").trim();
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    if v.is_empty() || v.starts_with('{') || v.starts_with('|') || v.starts_with('>') || v.contains("{{") {
        None
    } else {
        Some(v.to_string())
    }
}

/// A controller that owns rollouts, found by a manifest's `apiVersion`/`kind`
/// or by a conventional path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Controller {
    /// Flux `HelmRelease` (`helm.toolkit.fluxcd.io`).
    FluxHelmRelease,
    /// Flux `Kustomization` (`kustomize.toolkit.fluxcd.io`; not kustomize's
    /// own `kustomize.config.k8s.io` file).
    FluxKustomization,
    /// Argo CD `Application` / `ApplicationSet` (`argoproj.io`).
    ArgoCd,
    /// Argo Rollouts `Rollout` (`argoproj.io`).
    ArgoRollout,
    /// Flagger `Canary` (`flagger.app`).
    Flagger,
}

/// A package manifest found in the tree: a package others install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The manifest's path.
    pub path: String,
    /// The package name read from the manifest's head; `None` when the
    /// release did not change the manifest (no head) or it names none.
    pub name: Option<String>,
}

/// A package registry and how to take a version back on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    Cargo,
    Npm,
    PyPi,
    RubyGems,
    Go,
    Maven,
}

/// A path that made the decision, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub path: String,
    pub what: &'static str,
}

/// What [`Detector::scan`] found in the tree.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// The first deploy signal, if any: the project is a service.
    pub service: Option<Evidence>,
    /// Dockerfiles that do not count as deploy signals (a docs site, a dev
    /// container, tests), the first one.
    pub ignored_dockerfile: Option<String>,
    pub packages: Vec<Package>,
    /// Controllers found by path or by a file head, each once, sorted.
    pub controllers: Vec<Controller>,
    /// Objects of controllers declared in the changed files' heads.
    pub manifests: Vec<Manifest>,
}

/// The compiled globs of [`Detector::scan`].
pub struct Detector {
    /// Paths that deploy something (besides the classifier's Kubernetes,
    /// Helm and Terraform classes).
    deploy: Vec<Glob>,
    /// Dockerfiles (the classifier's Docker class includes compose files,
    /// which run dependencies for tests, not the project).
    dockerfiles: Vec<Glob>,
    /// Where a Dockerfile builds something other than the project:
    /// documentation sites, dev containers, tests, examples.
    not_deploy: Vec<Glob>,
    /// Package manifests, by ecosystem.
    manifests: Vec<(Ecosystem, Glob)>,
    /// Manifests that are not the project's packages (vendored, fixtures).
    not_packages: Vec<Glob>,
    /// Conventional paths of controllers.
    controllers: Vec<(Controller, Glob)>,
}

fn compile(patterns: &[&str]) -> Vec<Glob> {
    patterns.iter().filter_map(|p| Glob::new(p).ok()).collect()
}

impl Detector {
    /// The rule for `kind = "auto"`:
    ///
    /// - **service** when the tree holds a deploy signal: a Kubernetes,
    ///   Helm or Terraform path (the `[rollback]` path classes), a
    ///   Dockerfile or Containerfile outside documentation, dev-container,
    ///   test and example directories, a GitOps or progressive-delivery
    ///   manifest, a workflow whose name contains `deploy`, or a platform
    ///   file (`Procfile`, `fly.toml`, `app.yaml`, `serverless.yml`,
    ///   `render.yaml`, `skaffold.yaml`);
    /// - else **library** when it holds a package manifest (`Cargo.toml`,
    ///   `package.json`, `pyproject.toml`, `setup.py`, `*.gemspec`, `go.mod`,
    ///   `pom.xml`, `build.gradle[.kts]`) outside vendored and test
    ///   directories;
    /// - else **service** (nothing says what it is: the generic runbook).
    ///
    /// So a library whose only Dockerfile builds its docs site
    /// (`docs/Dockerfile`, `website/Dockerfile`, `Dockerfile.docs`) stays a
    /// library; compose files (test databases) never count.
    pub fn new() -> Self {
        let docs_dirs = "{docs,doc,documentation,website,site,book,.devcontainer,.github,test,tests,testdata,fixtures,examples,example}";
        Self {
            deploy: compile(&[
                ".github/workflows/*deploy*.{yml,yaml}",
                "Procfile",
                "fly.toml",
                "app.{yaml,yml}",
                "**/serverless.{yml,yaml}",
                "render.yaml",
                "**/skaffold.{yaml,yml}",
            ]),
            dockerfiles: compile(&["**/Dockerfile", "**/Dockerfile.*", "**/*.dockerfile", "**/Containerfile"]),
            not_deploy: compile(&[
                &format!("{docs_dirs}/**"),
                &format!("**/{docs_dirs}/**"),
                "**/Dockerfile.{docs,doc,dev,test}",
                "**/{docs,doc,dev,test}.{dockerfile,Dockerfile}",
            ]),
            manifests: [
                (Ecosystem::Cargo, "**/Cargo.toml"),
                (Ecosystem::Npm, "**/package.json"),
                (Ecosystem::PyPi, "**/pyproject.toml"),
                (Ecosystem::PyPi, "**/setup.py"),
                (Ecosystem::RubyGems, "**/*.gemspec"),
                (Ecosystem::Go, "**/go.mod"),
                (Ecosystem::Maven, "**/pom.xml"),
                (Ecosystem::Maven, "**/build.gradle{,.kts}"),
            ]
            .into_iter()
            .filter_map(|(e, p)| Glob::new(p).ok().map(|g| (e, g)))
            .collect(),
            not_packages: compile(&[
                "**/{node_modules,vendor,third_party,testdata,fixtures,examples,example,test,tests,docs,website}/**",
            ]),
            controllers: [
                (Controller::FluxKustomization, "**/flux-system/**"),
                (Controller::FluxHelmRelease, "**/*helmrelease*.{yaml,yml}"),
                (Controller::ArgoCd, "**/{argocd,argo-cd}/**/*.{yaml,yml}"),
                (Controller::ArgoRollout, "**/{rollout,*-rollout,rollout-*}.{yaml,yml}"),
                (Controller::Flagger, "**/{canary,*-canary}.{yaml,yml}"),
            ]
            .into_iter()
            .filter_map(|(c, p)| Glob::new(p).ok().map(|g| (c, g)))
            .collect(),
        }
    }

    /// One pass over the tree's paths, then over the heads.
    pub fn scan(&self, classifier: &Classifier, tree: &[String], heads: &[(String, String)]) -> Scan {
        let mut scan = Scan::default();
        let mut controllers = [false; 5];
        let heads_by_path: std::collections::HashMap<&str, &str> =
            heads.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
        for path in tree {
            let split = SplitPath::new(path);
            for (c, g) in &self.controllers {
                if g.matches_split(&split) {
                    controllers[*c as usize] = true;
                }
            }
            if scan.service.is_none() {
                let infra = matches!(
                    classifier.classify(path),
                    Some(Class::Kubernetes) | Some(Class::Helm) | Some(Class::Terraform)
                );
                if infra {
                    scan.service = Some(Evidence { path: path.clone(), what: "a deploy manifest" });
                } else if glob::any_match_split(&self.deploy, &split) {
                    scan.service = Some(Evidence { path: path.clone(), what: "a deploy file" });
                } else if glob::any_match_split(&self.dockerfiles, &split) {
                    if glob::any_match_split(&self.not_deploy, &split) {
                        scan.ignored_dockerfile.get_or_insert_with(|| path.clone());
                    } else {
                        scan.service = Some(Evidence { path: path.clone(), what: "a container image build" });
                    }
                }
            }
            if let Some((ecosystem, _)) = self.manifests.iter().find(|(_, g)| g.matches_split(&split))
                && !glob::any_match_split(&self.not_packages, &split)
            {
                let head = heads_by_path.get(path.as_str()).copied();
                if let Some(package) = package(*ecosystem, path, head) {
                    scan.packages.push(package);
                }
            }
        }
        for (path, head) in heads {
            if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
                continue;
            }
            for m in Manifest::parse(path, head) {
                if let Some(c) = m.controller() {
                    controllers[c as usize] = true;
                    scan.manifests.push(m);
                }
            }
        }
        let all = [
            Controller::FluxHelmRelease,
            Controller::FluxKustomization,
            Controller::ArgoCd,
            Controller::ArgoRollout,
            Controller::Flagger,
        ];
        scan.controllers = all.into_iter().filter(|c| controllers[*c as usize]).collect();
        if scan.service.is_none()
            && let Some(m) = scan.manifests.first()
        {
            scan.service = Some(Evidence { path: m.path.clone(), what: "a GitOps manifest" });
        }
        scan
    }
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

/// The package a manifest declares, or `None` when its head shows it is not
/// published: a Cargo workspace root without `[package]`, a `package.json`
/// with `"private": true`, a `go.mod` without a `module` line.
fn package(ecosystem: Ecosystem, path: &str, head: Option<&str>) -> Option<Package> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let mut name = None;
    if let Some(head) = head {
        match ecosystem {
            Ecosystem::Cargo => {
                if !head.lines().any(|l| l.trim() == "[package]") {
                    return None;
                }
                name = toml_key(head, "package", "name");
            }
            Ecosystem::Npm => {
                if head.contains("\"private\": true") || head.contains("\"private\":true") {
                    return None;
                }
                name = json_key(head, "name");
            }
            Ecosystem::PyPi if file == "pyproject.toml" => {
                name = toml_key(head, "project", "name").or_else(|| toml_key(head, "tool.poetry", "name"));
            }
            Ecosystem::Go => {
                name = head
                    .lines()
                    .find_map(|l| l.strip_prefix("module "))
                    .map(|m| m.trim().trim_matches('"').to_string());
                name.as_ref()?;
            }
            _ => {}
        }
    }
    if ecosystem == Ecosystem::RubyGems {
        name = file.strip_suffix(".gemspec").map(str::to_string);
    }
    Some(Package { ecosystem, path: path.to_string(), name })
}

/// `key = "value"` in the TOML table `[table]`.
fn toml_key(text: &str, table: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            inside = l == format!("[{table}]");
            continue;
        }
        if inside
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == key
        {
            let v = v.trim().trim_matches('"').trim_matches('\'');
            return (!v.is_empty()).then(|| v.to_string());
        }
    }
    None
}

/// The first top-level-looking `"key": "value"` of a JSON head (the first
/// occurrence at the smallest indentation).
fn json_key(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    text.lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            let rest = trimmed.strip_prefix(&needle)?.trim_start().strip_prefix(':')?.trim();
            let value = rest.trim_end_matches(',').trim();
            let value = value.strip_prefix('"')?.strip_suffix('"')?;
            Some((line.len() - trimmed.len(), value.to_string()))
        })
        .min_by_key(|(indent, _)| *indent)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use relkit_plugin_sdk::Settings;

    use super::*;

    fn scan(tree: &[&str], heads: &[(&str, &str)]) -> Scan {
        let empty: Vec<(String, String)> = Vec::new();
        let classifier = Classifier::from_settings(&Settings::new(&empty)).unwrap_or_else(|e| panic!("{e}"));
        let tree: Vec<String> = tree.iter().map(|s| s.to_string()).collect();
        let heads: Vec<(String, String)> = heads.iter().map(|(p, h)| (p.to_string(), h.to_string())).collect();
        Detector::new().scan(&classifier, &tree, &heads)
    }

    #[test]
    fn manifests_are_read_per_document() {
        let head = "# flux\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: api\n  namespace: prod\n  labels:\n    name: other\nspec:\n  chart: {}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: \"rocket\"\nspec:\n  syncPolicy:\n    automated:\n      prune: true\n";
        let m = Manifest::parse("x.yaml", head);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].controller(), Some(Controller::FluxHelmRelease));
        assert_eq!((m[0].name.as_deref(), m[0].namespace.as_deref()), (Some("api"), Some("prod")));
        assert_eq!(m[1].controller(), None, "kustomize's own Kustomization is not Flux");
        assert_eq!(m[2].controller(), Some(Controller::ArgoCd));
        assert_eq!(m[2].name.as_deref(), Some("rocket"));
        assert!(m[2].automated && !m[0].automated);
        let templated = Manifest::parse(
            "t.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: {{ .Release.Name }}\n",
        );
        assert_eq!(templated[0].name, None);
    }

    #[test]
    fn a_library_with_a_docs_site_dockerfile_stays_a_library() {
        let s = scan(
            &["Cargo.toml", "docs/Dockerfile", "docker-compose.yml", "src/lib.rs", ".github/workflows/ci.yml"],
            &[("Cargo.toml", "[package]\nname = \"rocket-core\"\nversion = \"1.4.1\"\n")],
        );
        assert_eq!(s.service, None);
        assert_eq!(s.ignored_dockerfile.as_deref(), Some("docs/Dockerfile"));
        assert_eq!(s.packages.len(), 1);
        assert_eq!(s.packages[0].name.as_deref(), Some("rocket-core"));
    }

    #[test]
    fn deploy_signals_make_a_service() {
        for (path, what) in [
            ("deploy/k8s/deployment.yaml", "a deploy manifest"),
            ("charts/api/Chart.yaml", "a deploy manifest"),
            ("infra/main.tf", "a deploy manifest"),
            ("Dockerfile", "a container image build"),
            ("services/api/Dockerfile.prod", "a container image build"),
            (".github/workflows/deploy-prod.yml", "a deploy file"),
            ("fly.toml", "a deploy file"),
        ] {
            let s = scan(&["Cargo.toml", path], &[]);
            assert_eq!(s.service.as_ref().map(|e| (e.path.as_str(), e.what)), Some((path, what)), "{path}");
        }
    }

    #[test]
    fn unpublished_manifests_are_not_packages() {
        let s = scan(
            &["Cargo.toml", "crates/a/Cargo.toml", "web/package.json", "node_modules/x/package.json", "go.mod"],
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"crates/a\"]\n"),
                ("web/package.json", "{\n  \"name\": \"web\",\n  \"private\": true\n}\n"),
                ("go.mod", "module example.com/rocket\n\ngo 1.22\n"),
            ],
        );
        let names: Vec<(Ecosystem, Option<&str>)> =
            s.packages.iter().map(|p| (p.ecosystem, p.name.as_deref())).collect();
        assert_eq!(names, [(Ecosystem::Cargo, None), (Ecosystem::Go, Some("example.com/rocket"))]);
    }

    #[test]
    fn json_and_toml_names() {
        assert_eq!(
            json_key("{\n  \"name\": \"@acme/rocket\",\n  \"deps\": {\n    \"name\": \"x\"\n  }\n}", "name").as_deref(),
            Some("@acme/rocket")
        );
        assert_eq!(toml_key("[project]\nname = \"rocket\"\n", "project", "name").as_deref(), Some("rocket"));
        assert_eq!(toml_key("[tool.x]\nname = \"no\"\n", "project", "name"), None);
    }
}
