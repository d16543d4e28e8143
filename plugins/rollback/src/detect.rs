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
        // The indent of `metadata:`'s own keys (the first key under it):
        // `name:` under `labels:` or `annotations:` is deeper, not the object's.
        let mut meta_indent: Option<usize> = None;
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
                meta_indent = None;
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
            } else if section == "metadata" && *meta_indent.get_or_insert(indent) == indent {
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
    /// The package name read from the manifest's head (never from the file
    /// name); `None` when the host passed no head or the head does not give
    /// a valid name: the runbook then shows a `<placeholder>`.
    pub name: Option<String>,
    /// The version the manifest's head writes itself (Cargo's
    /// `package.version` string, package.json's `"version"`); `None` when it
    /// is inherited (`version.workspace = true`) or not read.
    pub version: Option<String>,
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
    /// The Kubernetes `Deployment`s among the changed manifests, whose name
    /// and namespace fill the runbook's `kubectl` steps when `[rollback]`
    /// names none.
    pub deployments: Vec<Manifest>,
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
                } else if m.group() == "apps" && m.kind == "Deployment" {
                    scan.deployments.push(m);
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
///
/// The name is read from the head only, never from the file name (a gemspec
/// may be called anything): Cargo's `[package] name`, npm's top-level
/// `"name"`, `[project] name` or `[tool.poetry] name` of `pyproject.toml`,
/// the `name=` keyword of `setup.py`'s `setup(…)` call, a gemspec's
/// `spec.name = "…"` (any block variable, `.freeze` allowed) or
/// `Gem::Specification.new "…"`, go.mod's `module` path. A name that is
/// missing, computed (`name = NAME`, `File.basename(__FILE__)`), or not a
/// valid name on its registry is `None`: the runbook shows a placeholder.
fn package(ecosystem: Ecosystem, path: &str, head: Option<&str>) -> Option<Package> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let mut name = None;
    let mut version = None;
    if let Some(head) = head {
        match ecosystem {
            Ecosystem::Cargo => {
                let toml = Toml::new(head);
                if !toml.has_table("package") {
                    return None;
                }
                name = toml.string("package", "name").filter(|n| valid_crate(n));
                version = toml.string("package", "version");
            }
            Ecosystem::Npm => {
                let members = json_members(head);
                if members.iter().any(|(k, v)| k == "private" && *v == "true") {
                    return None;
                }
                let member = |key: &str| {
                    members
                        .iter()
                        .rev()
                        .find(|(k, _)| k == key)
                        .and_then(|(_, v)| serde_json::from_str::<String>(v).ok())
                };
                name = member("name").filter(|n| valid_npm(n));
                version = member("version");
            }
            Ecosystem::PyPi => {
                name = if file == "setup.py" {
                    setup_py_name(head)
                } else {
                    let toml = Toml::new(head);
                    toml.string("project", "name").or_else(|| toml.string("tool.poetry", "name"))
                }
                .filter(|n| valid_pypi(n));
            }
            Ecosystem::RubyGems => name = gemspec_name(head).filter(|n| valid_gem(n)),
            Ecosystem::Go => {
                name = Some(go_module(head)?).filter(|m| valid_go_module(m));
            }
            Ecosystem::Maven => {}
        }
    }
    Some(Package { ecosystem, path: path.to_string(), name, version })
}

/// crates.io: ASCII letters, digits, `-` and `_`, starting with a letter, at
/// most 64 characters.
fn valid_crate(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// npm: `[@scope/]name`, URL-safe characters, not starting with `.` or `_`,
/// at most 214 characters.
fn valid_npm(name: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && !p.starts_with(['.', '_'])
            && p.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    let ok = match name.strip_prefix('@') {
        Some(scoped) => scoped.split_once('/').is_some_and(|(scope, n)| part(scope) && part(n)),
        None => part(name),
    };
    ok && name.len() <= 214
}

/// PyPI (PEP 508 names): letters, digits, `-`, `_` and `.`, starting and
/// ending with a letter or digit.
fn valid_pypi(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// RubyGems: letters, digits, `-`, `_` and `.`, with a letter or digit.
fn valid_gem(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A Go module path: slash-separated elements of letters, digits, `-`, `.`,
/// `_` and `~`.
fn valid_go_module(path: &str) -> bool {
    path.split('/').all(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)))
}

/// The `module` path of a go.mod: `module example.com/m`, quoted or not,
/// with a `//` comment, or in a `module ( … )` block. `None` without one.
fn go_module(head: &str) -> Option<String> {
    let mut block = false;
    for line in head.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if block {
            if line == ")" {
                return None;
            }
            if !line.is_empty() {
                return Some(unquote_go(line));
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("module") else { continue };
        if !rest.starts_with([' ', '\t', '(']) {
            continue;
        }
        let rest = rest.trim();
        if rest == "(" {
            block = true;
        } else if !rest.is_empty() {
            return Some(unquote_go(rest));
        }
    }
    None
}

fn unquote_go(value: &str) -> String {
    let v = value.trim();
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v).to_string()
}

/// A Ruby string literal at the start of `text`, `"…"` or `'…'` without
/// escapes or interpolation, and what follows it.
fn ruby_string(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let (value, rest) = text[1..].split_once(quote)?;
    (!value.contains('\\') && !value.contains("#{")).then_some((value, rest))
}

/// A gemspec's name: the last `<var>.name = "…"` (`.freeze` and a comment
/// allowed after it), else the first argument of `Gem::Specification.new`.
fn gemspec_name(head: &str) -> Option<String> {
    let ends_cleanly = |rest: &str| {
        let rest = rest.trim_start();
        let rest = rest.strip_prefix(".freeze").unwrap_or(rest).trim_start();
        rest.is_empty() || rest.starts_with('#')
    };
    let mut assigned = None;
    let mut constructed = None;
    for line in head.lines() {
        let line = line.trim();
        if let Some((var, rest)) = line.split_once(".name")
            && !var.is_empty()
            && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && let Some(rest) = rest.trim_start().strip_prefix('=')
            && !rest.starts_with(['=', '~'])
        {
            // A later assignment wins; one that is not a plain string hides the name.
            assigned = Some(ruby_string(rest.trim_start()).filter(|(_, after)| ends_cleanly(after)).map(|(v, _)| v));
        }
        if constructed.is_none()
            && let Some((_, rest)) = line.split_once("Gem::Specification.new")
        {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
            constructed = ruby_string(rest).map(|(v, _)| v);
        }
    }
    match assigned {
        Some(name) => name,
        None => constructed,
    }
    .map(str::to_string)
}

/// The `name` keyword of the `setup(…)` call in a `setup.py`: `name="x"` or
/// `name='x'`; a variable or an expression is no name.
fn setup_py_name(head: &str) -> Option<String> {
    let call = head.find("setup(")?;
    let args = &head[call + "setup(".len()..];
    let bytes = args.as_bytes();
    let mut from = 0;
    while let Some(i) = args[from..].find("name").map(|i| i + from) {
        from = i + 4;
        let before = i.checked_sub(1).map(|b| bytes[b]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
            continue;
        }
        let Some(rest) = args[from..].trim_start().strip_prefix('=') else { continue };
        if rest.starts_with('=') {
            continue;
        }
        let rest = rest.trim_start();
        let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let (value, after) = rest[1..].split_once(quote)?;
        let after = after.trim_start();
        let ends = after.is_empty() || after.starts_with([',', ')', '#']);
        return (ends && !value.contains('\\')).then(|| value.to_string());
    }
    None
}

/// The tables and keys of a TOML head, as far as a name needs: `[table]`
/// headers (array tables `[[…]]` too, so their keys are not taken for the
/// table before them), dotted keys (`package.name = …` at the top), and
/// single-line string values.
struct Toml<'a> {
    /// `(table path, key path, raw value)` in order.
    entries: Vec<(String, String, &'a str)>,
    tables: Vec<String>,
}

impl<'a> Toml<'a> {
    fn new(text: &'a str) -> Self {
        let mut entries = Vec::new();
        let mut tables = Vec::new();
        let mut table = String::new();
        // The closing quotes of a multi-line string being skipped.
        let mut multiline: Option<&str> = None;
        for line in text.lines() {
            let l = line.trim();
            if let Some(close) = multiline {
                if l.contains(close) {
                    multiline = None;
                }
                continue;
            }
            if l.starts_with('[') {
                if let Some(header) = toml_header(l) {
                    tables.push(header.clone());
                    table = header;
                }
                continue;
            }
            if let Some((key, value)) = l.split_once('=')
                && let Some(key) = toml_key_path(key)
            {
                let value = value.trim();
                for close in ["\"\"\"", "'''"] {
                    if value.strip_prefix(close).is_some_and(|rest| !rest.contains(close)) {
                        multiline = Some(close);
                    }
                }
                entries.push((table.clone(), key, value));
            }
        }
        Self { entries, tables }
    }

    /// Whether `[table]`, `[table.sub]` or a key `table.x` exists.
    fn has_table(&self, table: &str) -> bool {
        let within = |path: &str| path == table || path.starts_with(&format!("{table}."));
        self.tables.iter().any(|t| within(t))
            || self.entries.iter().any(|(t, k, _)| within(&if t.is_empty() { k.clone() } else { format!("{t}.{k}") }))
    }

    /// The string value of `key` in `table` (`table.key` however it is split
    /// between a header and a dotted key).
    fn string(&self, table: &str, key: &str) -> Option<String> {
        let full = format!("{table}.{key}");
        self.entries
            .iter()
            .find(|(t, k, _)| if t.is_empty() { *k == full } else { format!("{t}.{k}") == full })
            .and_then(|(_, _, v)| toml_string(v))
    }
}

/// `[ tool . "poetry" ]  # x` → `tool.poetry`; `[[bin]]` → `[bin]` (an array
/// table, never a name's table); `None` for a line that is no header.
fn toml_header(line: &str) -> Option<String> {
    let (array, inner) = match line.strip_prefix("[[") {
        Some(rest) => (true, rest.split_once("]]")?),
        None => (false, line[1..].split_once(']')?),
    };
    let (path, after) = inner;
    let after = after.trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let path = toml_key_path(path)?;
    Some(if array { format!("[{path}]") } else { path })
}

/// A bare or quoted dotted key, normalized: ` a . "b" ` → `a.b`.
fn toml_key_path(key: &str) -> Option<String> {
    let parts: Option<Vec<&str>> = key
        .split('.')
        .map(|p| {
            let p = p.trim();
            let p = p
                .strip_prefix('"')
                .and_then(|p| p.strip_suffix('"'))
                .or_else(|| p.strip_prefix('\'').and_then(|p| p.strip_suffix('\'')))
                .unwrap_or(p);
            (!p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(p)
        })
        .collect();
    parts.map(|p| p.join("."))
}

/// A single-line TOML string, basic (`"…"` without escapes) or literal
/// (`'…'`), followed by nothing but a comment.
fn toml_string(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    if value.starts_with(&format!("{quote}{quote}{quote}")) {
        return None;
    }
    let (inner, after) = value[1..].split_once(quote)?;
    let after = after.trim();
    let clean = after.is_empty() || after.starts_with('#');
    (clean && !inner.is_empty() && !(quote == '"' && inner.contains('\\'))).then(|| inner.to_string())
}

/// The members of a JSON head's top-level object: each key (decoded) with
/// the raw text of its value when that is a string or a literal (`"x"`,
/// `true`, `3`). Objects and arrays are skipped, at any depth; a head cut in
/// the middle keeps the members before the cut.
fn json_members(text: &str) -> Vec<(String, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut key: Option<String> = None;
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    break;
                }
                i += 1;
                let raw = &text[start..i];
                if depth == 1 {
                    if expect_key {
                        key = serde_json::from_str(raw).ok();
                        expect_key = false;
                    } else if let Some(k) = key.take() {
                        out.push((k, raw));
                    }
                }
                continue;
            }
            b'{' | b'[' => {
                if depth == 0 && bytes[i] == b'{' {
                    expect_key = true;
                }
                if depth == 1 {
                    key = None;
                }
                depth += 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => {
                expect_key = true;
                key = None;
            }
            b':' => {}
            b if depth == 1 && !b.is_ascii_whitespace() => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']') && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if let Some(k) = key.take() {
                    out.push((k, &text[start..i]));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
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
        // `labels:` and `annotations:` before `name:`: their keys are not the
        // object's.
        let nested = Manifest::parse(
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    name: labelname\n  annotations:\n    \
             namespace: notns\n  name: rocket-api\n  namespace: prod\n",
        );
        assert_eq!((nested[0].name.as_deref(), nested[0].namespace.as_deref()), (Some("rocket-api"), Some("prod")));
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

    /// The name a manifest's head gives, or `None` (a placeholder).
    fn name(path: &str, head: &str) -> Option<String> {
        let s = scan(&[path], &[(path, head)]);
        assert_eq!(s.packages.len(), 1, "{path}: {head}");
        s.packages[0].name.clone()
    }

    #[test]
    fn a_gem_is_named_by_its_gemspec_not_its_file_name() {
        for (head, expected) in [
            (
                "Gem::Specification.new do |spec|\n  spec.name = \"real-name\"\n  spec.version = \"1.0.1\"\nend\n",
                Some("real-name"),
            ),
            ("Gem::Specification.new do |s|\n  s.name        = 'real_name'  # the gem\nend\n", Some("real_name")),
            ("Gem::Specification.new do |s|\n  s.name = \"real-name\".freeze\nend\n", Some("real-name")),
            ("Gem::Specification.new \"real-name\", \"1.0.1\" do |s|\n  s.summary = \"x\"\nend\n", Some("real-name")),
            ("Gem::Specification.new('real-name') do |s|\nend\n", Some("real-name")),
            // computed, interpolated, or not a gem name: no name
            ("Gem::Specification.new do |s|\n  s.name = File.basename(__FILE__, \".gemspec\")\nend\n", None),
            ("Gem::Specification.new do |s|\n  s.name = \"#{prefix}-x\"\nend\n", None),
            ("Gem::Specification.new do |s|\n  s.name = \"two words\"\nend\n", None),
            ("Gem::Specification.new do |s|\n  s.summary = \"s.name = 'nope'\"\nend\n", None),
            ("Gem::Specification.new do |s|\n  s.name_prefix = \"nope\"\nend\n", None),
            ("", None),
        ] {
            assert_eq!(name("other.gemspec", head).as_deref(), expected, "{head}");
        }
    }

    #[test]
    fn crate_names_come_from_the_package_table() {
        for (head, expected) in [
            ("[package]\nname = \"rocket-core\"\n", Some("rocket-core")),
            ("[package] # the crate\nname = 'rocket_core' # its name\n", Some("rocket_core")),
            ("[ package ]\n  name=\"rocket\"\n", Some("rocket")),
            ("package.name = \"rocket\"\npackage.version = \"1.0.0\"\n", Some("rocket")),
            ("[package]\nname.workspace = true\n", None),
            ("[package]\ndescription = \"\"\"\nname = \"nope\"\n\"\"\"\nversion = \"1.0.0\"\n", None),
            ("[package]\nversion = \"1.0.0\"\n\n[lib]\nname = \"nope\"\n", None),
            ("[package]\nversion = \"1.0.0\"\n\n[[bin]]\nname = \"nope\"\n", None),
            ("[package]\nname = \"rocket core\"\n", None),
            ("[package]\nname = \"x\\\"y\"\n", None),
        ] {
            assert_eq!(name("Cargo.toml", head).as_deref(), expected, "{head}");
        }
    }

    #[test]
    fn npm_names_are_top_level() {
        for (head, expected) in [
            ("{\n  \"name\": \"@acme/rocket\",\n  \"deps\": {\n    \"name\": \"x\"\n  }\n}", Some("@acme/rocket")),
            ("{\"version\":\"1.0.0\",\"name\":\"rocket\"}", Some("rocket")),
            ("{\n  \"author\": {\n    \"name\": \"Ada\"\n  },\n  \"version\": \"1.0.0\"\n}\n", None),
            ("{\n  \"contributors\": [{\"name\": \"Ada\"}],\n  \"name\": \"rocket\"\n}\n", Some("rocket")),
            ("{\n  \"description\": \"\\\"name\\\": \\\"nope\\\"\",\n  \"version\": \"1\"\n}", None),
            ("{\n  \"name\": \"Not A Name\"\n}", None),
            ("{\n  \"name\": \"rocket\",\n  \"description\": \"cut off", Some("rocket")),
        ] {
            assert_eq!(name("package.json", head).as_deref(), expected, "{head}");
        }
        let private = scan(&["package.json"], &[("package.json", "{\"name\":\"web\",\"private\":true}")]);
        assert!(private.packages.is_empty());
        let nested = scan(&["package.json"], &[("package.json", "{\"name\":\"web\",\"x\":{\"private\":true}}")]);
        assert_eq!(nested.packages.len(), 1, "only the top-level `private` counts");
    }

    #[test]
    fn python_names_from_pyproject_and_setup_py() {
        for (path, head, expected) in [
            ("pyproject.toml", "[project]\nname = \"Rocket-Py\"\n", Some("Rocket-Py")),
            ("pyproject.toml", "[tool.poetry]\nname = \"rocket\"\n", Some("rocket")),
            ("pyproject.toml", "[build-system]\nrequires = [\"x\"]\n[tool.black]\nname = \"nope\"\n", None),
            (
                "setup.py",
                "from setuptools import setup\n\nsetup(\n    name=\"rocket\",\n    version=\"1.0\",\n)\n",
                Some("rocket"),
            ),
            (
                "setup.py",
                "import setuptools\nsetuptools.setup(name = 'rocket-py', package_name='nope')\n",
                Some("rocket-py"),
            ),
            ("setup.py", "NAME = 'x'\nsetup(\n    name=NAME,\n)\n", None),
            ("setup.py", "setup(\n    package_name='nope',\n)\n", None),
            ("setup.py", "print('no setup call')\n", None),
        ] {
            assert_eq!(name(path, head).as_deref(), expected, "{path}: {head}");
        }
    }

    #[test]
    fn go_module_paths() {
        for (head, expected) in [
            ("module example.com/rocket // the module\n\ngo 1.22\n", Some("example.com/rocket")),
            ("module \"example.com/rocket\"\n", Some("example.com/rocket")),
            ("module\texample.com/rocket\n", Some("example.com/rocket")),
            ("// a comment\nmodule (\n\texample.com/rocket\n)\n", Some("example.com/rocket")),
            ("module example.com/$(x)\n", None),
        ] {
            assert_eq!(name("go.mod", head).as_deref(), expected, "{head}");
        }
        let none = scan(&["go.mod"], &[("go.mod", "go 1.22\n// module example.com/x\n")]);
        assert!(none.packages.is_empty(), "a go.mod without a module line is no package");
    }
}
