//! The rules of the known files: which keys hold the version, and what a
//! file that does not hold it plainly gets as an error.

use toml_edit::Item;

use crate::edit::{self, Change};
use crate::json::{Json, Node};
use crate::toml::Toml;
use crate::yaml::Yaml;

/// What a `Cargo.toml` tells its `Cargo.lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoManifest {
    pub path: String,
    /// `package.name`, when the file has a `[package]` whose version is set
    /// (literally, or inherited from this same file's workspace).
    pub package: Option<String>,
    /// `workspace.package.version` before the change.
    pub old_workspace_version: Option<String>,
    /// The package's version before the change (its own, or the
    /// workspace's it inherits): which of two lock entries of one name is
    /// this package's.
    pub old_version: Option<String>,
    /// The version written into this manifest.
    pub version: String,
    /// For a workspace with `workspace.package.version`: the names of its
    /// members that inherit it (`version.workspace = true`), read from the
    /// member `Cargo.toml` companions; `None` when the host gave no member
    /// companion at all (an older host), so that the lock falls back to the
    /// old version ([`cargo_lock`]).
    pub inheriting: Option<Vec<String>>,
}

impl CargoManifest {
    /// The directory of this manifest, `""` at the repository root.
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// What a member `Cargo.toml` companion tells: its package's name and
/// whether the package inherits the workspace's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoMember {
    pub path: String,
    /// `package.name`; `None` without a `[package]` or a name.
    pub package: Option<String>,
    /// `package.version` is `{ workspace = true }`, in any TOML form.
    pub inherits: bool,
    /// The file has its own `[workspace]`: it is the root of another
    /// workspace, not a member.
    pub is_workspace_root: bool,
}

/// A member `Cargo.toml` given as a companion: read, never changed. An
/// error names it when it is not valid TOML.
pub fn cargo_member(path: &str, text: &str) -> Result<CargoMember, String> {
    let doc = Toml::parse_or(
        path,
        text,
        "fix this workspace member (relkit reads it to know whether it inherits the workspace's version), then release again",
    )?;
    let inherits = doc
        .get(&["package", "version"])
        .and_then(Item::as_table_like)
        .and_then(|t| t.get("workspace"))
        .and_then(Item::as_bool)
        == Some(true);
    Ok(CargoMember {
        path: path.to_string(),
        package: doc.get(&["package", "name"]).and_then(Item::as_str).map(str::to_string),
        inherits,
        is_workspace_root: doc.get(&["workspace"]).is_some(),
    })
}

/// Fills each workspace manifest's [`CargoManifest::inheriting`] from the
/// member companions: a member belongs to the nearest configured workspace
/// `Cargo.toml` (with `workspace.package.version`) in a directory above it.
/// A companion that is itself a workspace root, or that no configured
/// workspace is above, tells nothing. Without any member companion
/// (`members_given` false: an older host), every `inheriting` stays `None`.
pub fn link_members(manifests: &mut [CargoManifest], members: &[CargoMember], members_given: bool) {
    if !members_given {
        return;
    }
    for m in manifests.iter_mut().filter(|m| m.old_workspace_version.is_some()) {
        m.inheriting = Some(Vec::new());
    }
    for member in members.iter().filter(|m| m.inherits && !m.is_workspace_root) {
        let Some(name) = &member.package else { continue };
        let nearest = manifests
            .iter_mut()
            .filter(|m| m.old_workspace_version.is_some() && m.path != member.path && is_below(&member.path, m.dir()))
            .max_by_key(|m| m.dir().len());
        if let Some(names) = nearest.and_then(|m| m.inheriting.as_mut()) {
            names.push(name.clone());
        }
    }
}

/// Whether `path` is inside directory `dir` (`""`: the repository root).
fn is_below(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// `Cargo.toml`: `workspace.package.version` and/or `package.version`.
pub fn cargo(path: &str, text: &str, version: &str) -> Result<(Vec<Change>, CargoManifest), String> {
    let doc = Toml::parse(path, text)?;
    let mut changes = Vec::new();
    let workspace = doc.get(&["workspace", "package", "version"]);
    let mut old_workspace_version = None;
    if let Some(item) = workspace {
        let change = doc.set_version(item, "workspace.package.version", version)?;
        old_workspace_version = Some(change.old.clone());
        changes.push(change);
    }
    let package = doc.get(&["package", "version"]);
    let mut old_version = None;
    match package {
        Some(item) if item.as_table_like().is_some() => {
            let inherits = item.as_table_like().and_then(|t| t.get("workspace")).and_then(Item::as_bool) == Some(true);
            if !inherits {
                return Err(edit::error(
                    path,
                    "value is a table, not a version string",
                    "package.version",
                    "write version = \"1.2.3\", or version.workspace = true in a member",
                ));
            }
            if workspace.is_none() {
                return Err(edit::error(
                    path,
                    "the version is inherited from the workspace",
                    "package.version.workspace = true",
                    "configure the workspace's Cargo.toml (the one with [workspace.package] version) in version-files instead",
                ));
            }
        }
        Some(item) => {
            let change = doc.set_version(item, "package.version", version)?;
            old_version = Some(change.old.clone());
            changes.push(change);
        }
        None if workspace.is_some() => {}
        None if doc.get(&["package"]).is_some() => {
            return Err(edit::error(path, "key not found", "package.version", "add version = \"1.2.3\" to [package]"));
        }
        None => {
            return Err(edit::error(
                path,
                "key not found",
                "workspace.package.version",
                "add version = \"1.2.3\" to [workspace.package] and version.workspace = true to the members, or configure each member's Cargo.toml",
            ));
        }
    }
    let name = package.and(doc.get(&["package", "name"])).and_then(Item::as_str).map(str::to_string);
    Ok((
        changes,
        CargoManifest {
            path: path.to_string(),
            package: name,
            old_workspace_version: old_workspace_version.clone(),
            old_version: old_version.or(old_workspace_version),
            version: version.to_string(),
            inheriting: None,
        },
    ))
}

/// `Cargo.lock`: the version of each `[[package]]` entry without a `source`
/// (a path or workspace package) that is a configured manifest's package,
/// by name (a workspace root's own `[package]`, whether it inherits the
/// workspace's version or has its own), or, for a
/// `workspace.package.version`, a member that inherits it: by name, among
/// the members whose companion `Cargo.toml` says `version.workspace = true`
/// ([`CargoManifest::inheriting`]). A member with its own `version` keeps
/// its entry, as its `Cargo.toml` keeps its version.
///
/// Fallback, when the host gave no member `Cargo.toml` at all (older hosts,
/// `inheriting` is `None`): the entries whose version is the workspace's
/// old version change, which also changes a path package that has the same
/// version by its own `version`.
pub fn cargo_lock(path: &str, text: &str, manifests: &[CargoManifest]) -> Result<Vec<Change>, String> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mine: Vec<&CargoManifest> =
        manifests.iter().filter(|m| dir.is_empty() || m.path.starts_with(&format!("{dir}/"))).collect();
    if mine.is_empty() {
        return Err(edit::error(
            path,
            "no configured Cargo.toml in its directory or below",
            "package",
            "configure the Cargo.toml it locks in version-files",
        ));
    }
    let doc = Toml::parse(path, text)?;
    let entries = doc.get(&["package"]).and_then(Item::as_array_of_tables);
    let local = |e: &&toml_edit::Table| !e.contains_key("source");
    let name_of = |e: &toml_edit::Table| e.get("name").and_then(Item::as_str).map(str::to_string);
    // Two path packages of one name (a workspace crate and a vendored copy):
    // only the entry at the released package's old version is its own, and
    // the lock then names them `name version` in dependency lists.
    let locals: Vec<String> = entries.into_iter().flat_map(|a| a.iter()).filter(local).filter_map(name_of).collect();
    let twice = |name: &str| locals.iter().filter(|n| *n == name).count() > 1;
    let mut changes = Vec::new();
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for entry in entries.into_iter().flat_map(|a| a.iter()) {
        if entry.contains_key("source") {
            continue;
        }
        let (Some(name), Some(item)) = (entry.get("name").and_then(Item::as_str), entry.get("version")) else {
            continue;
        };
        let old = item.as_str().unwrap_or("");
        let at_old = |m: &&&CargoManifest| !twice(name) || m.old_version.as_deref() == Some(old);
        let by_name = mine.iter().filter(at_old).find(|m| m.package.as_deref() == Some(name));
        let by_workspace = || {
            mine.iter().filter(at_old).find(|m| match &m.inheriting {
                Some(names) => names.iter().any(|n| n == name),
                None => m.old_workspace_version.as_deref() == Some(old),
            })
        };
        if let Some(m) = by_name.or_else(by_workspace) {
            changes.push(doc.set_version(item, &format!("package[{name}].version"), &m.version)?);
            if twice(name) {
                renamed.push((name.to_string(), old.to_string(), m.version.clone()));
            }
        }
    }
    // `"acme-core 0.10.0"` in a dependency list names the entry that changed.
    for entry in entries.into_iter().flat_map(|a| a.iter()) {
        let owner = entry.get("name").and_then(Item::as_str).unwrap_or("");
        let Some(list) = entry.get("dependencies").and_then(Item::as_array) else { continue };
        for value in list.iter() {
            let Some(text) = value.as_str() else { continue };
            for (name, old, new) in &renamed {
                let Some(rest) = text.strip_prefix(&format!("{name} {old}")) else { continue };
                if rest.is_empty() || rest.starts_with(' ') {
                    let location = format!("package[{owner}].dependencies[{name}]");
                    changes.push(doc.set_value_text(value, &location, &format!("{name} {new}{rest}"))?);
                }
            }
        }
    }
    if changes.is_empty() {
        let mut wanted: Vec<String> = mine.iter().filter_map(|m| m.package.clone()).collect();
        for m in &mine {
            match (&m.inheriting, &m.old_workspace_version) {
                (Some(names), _) => wanted.extend(names.iter().cloned()),
                (None, Some(v)) => wanted.push(format!("version {v}")),
                (None, None) => {}
            }
        }
        return Err(edit::error(
            path,
            "no [[package]] entry of the workspace's own packages",
            &wanted.join(", "),
            "run cargo update -w to write them, commit Cargo.lock, then release again",
        ));
    }
    Ok(changes)
}

/// `package.json`'s `name`, when it has one (a string).
pub fn package_json_name(path: &str, text: &str) -> Result<Option<String>, String> {
    let doc = Json::parse(path, text)?;
    Ok(doc.get(&["name"], "name")?.and_then(|v| match &v.node {
        Node::String(name) => Some(name.clone()),
        _ => None,
    }))
}

/// `package.json`: `version`.
pub fn package_json(path: &str, text: &str, version: &str) -> Result<Vec<Change>, String> {
    let doc = Json::parse(path, text)?;
    let value = doc
        .get(&["version"], "version")?
        .ok_or_else(|| edit::error(path, "key not found", "version", "add \"version\": \"1.2.3\""))?;
    Ok(vec![doc.set_version(value, "version", version)?])
}

/// `package-lock.json` / `npm-shrinkwrap.json`, for each `(directory,
/// version)` of `packages` (the directory of a `package.json` relative to the
/// lock's, `/`-separated): the lock's own package (`""`) at the top-level
/// `version` and `packages[""].version`; a workspace member (`packages/web`)
/// at `packages["packages/web"].version`, where npm 7+ records it in the
/// workspace root's lock (lockfileVersion 2 and 3). lockfileVersion 1 has no
/// `packages`, so only `version`. A directory the lock has no entry for is
/// not a member of its workspace and is passed over. Dependencies' entries
/// (`node_modules/…`) are never read.
pub fn npm_lock(path: &str, text: &str, packages: &[(String, String)]) -> Result<Vec<Change>, String> {
    let doc = Json::parse(path, text)?;
    let fix = "run npm install --package-lock-only to write it again, then release again";
    let entries = doc.get(&["packages"], "packages")?;
    if let Some(entries) = &entries
        && !matches!(entries.node, Node::Object(_))
    {
        return Err(edit::error(path, "value is not an object", "packages", fix));
    }
    let mut changes = Vec::new();
    for (dir, version) in packages {
        if dir.is_empty() {
            let top =
                doc.get(&["version"], "version")?.ok_or_else(|| edit::error(path, "key not found", "version", fix))?;
            changes.push(doc.set_version(top, "version", version)?);
            if entries.is_some() {
                let root = doc
                    .get(&["packages", "", "version"], "packages[\"\"].version")?
                    .ok_or_else(|| edit::error(path, "key not found", "packages[\"\"].version", fix))?;
                changes.push(doc.set_version(root, "packages[\"\"].version", version)?);
            }
            continue;
        }
        // A package.json below the lock that has no entry in it is not one
        // of its workspace's members (a docs site with a lock of its own).
        let key = format!("packages[{dir:?}].version");
        if doc.get(&["packages", dir.as_str()], &key)?.is_none() {
            continue;
        }
        let member = doc.get(&["packages", dir, "version"], &key)?.ok_or_else(|| {
            edit::error(path, "key not found (the workspace member's entry has no version)", &key, fix)
        })?;
        changes.push(doc.set_version(member, &key, version)?);
    }
    Ok(changes)
}

/// `pyproject.toml`: `project.version`, else `tool.poetry.version`; a
/// dynamic version is an error that says where it really lives.
pub fn pyproject(path: &str, text: &str, version: &str) -> Result<Vec<Change>, String> {
    let doc = Toml::parse(path, text)?;
    if let Some(item) = doc.get(&["project", "version"]) {
        return Ok(vec![doc.set_version(item, "project.version", version)?]);
    }
    let dynamic = doc
        .get(&["project", "dynamic"])
        .and_then(Item::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
    let poetry = doc.get(&["tool", "poetry", "version"]);
    if dynamic {
        if let Some((what, fix)) = dynamic_source(&doc) {
            return Err(edit::error(path, &format!("project.version is dynamic: {what}"), "project.dynamic", &fix));
        }
        if poetry.is_none() {
            return Err(edit::error(
                path,
                "project.version is dynamic and no known build backend says where it lives",
                "project.dynamic",
                "configure the file that holds the version (marked x-relkit-version) in version-files instead",
            ));
        }
    }
    // Poetry 1.x with poetry-dynamic-versioning keeps a placeholder there
    // (`0.0.0`) that the plugin replaces from the git tag at build time
    // (its README: `[tool.poetry-dynamic-versioning] enable = true`).
    if poetry.is_some()
        && doc.get(&["tool", "poetry-dynamic-versioning", "enable"]).and_then(Item::as_bool) == Some(true)
    {
        return Err(edit::error(
            path,
            "tool.poetry.version is a placeholder: poetry-dynamic-versioning takes the version from the git tag",
            "tool.poetry-dynamic-versioning.enable",
            &format!("remove {path} from version-files: the release tag sets the version"),
        ));
    }
    match poetry {
        Some(item) => Ok(vec![doc.set_version(item, "tool.poetry.version", version)?]),
        None => Err(edit::error(
            path,
            "key not found",
            "project.version",
            "add version = \"1.2.3\" to [project] (or [tool.poetry])",
        )),
    }
}

/// Where a dynamic version comes from, and the fix, by the build backend's
/// own settings.
fn dynamic_source(doc: &Toml<'_>) -> Option<(String, String)> {
    let from_tag = |tool: &str| {
        Some((
            format!("{tool} takes it from the git tag"),
            format!("remove {} from version-files: the release tag sets the version", doc.path),
        ))
    };
    let from_file = |file: &str, key: &str| {
        Some((
            format!("it is read from {file} ({key})"),
            format!("configure {file} in version-files instead, with x-relkit-version on its version line"),
        ))
    };
    let requires = doc
        .get(&["build-system", "requires"])
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_ascii_lowercase)).collect::<Vec<_>>())
        .unwrap_or_default();
    let requires_any = |names: &[&str]| requires.iter().any(|r| names.iter().any(|n| r.starts_with(n)));
    if let Some(v) = doc.get(&["tool", "setuptools", "dynamic", "version"]).and_then(Item::as_table_like) {
        if let Some(attr) = v.get("attr").and_then(Item::as_str) {
            return Some((
                format!("it is the attribute {attr} (tool.setuptools.dynamic.version)"),
                "configure the module that defines it in version-files instead, with x-relkit-version on its line"
                    .to_string(),
            ));
        }
        if let Some(file) = v.get("file") {
            let name = file
                .as_str()
                .map(str::to_string)
                .or_else(|| file.as_array().and_then(|a| a.get(0)).and_then(|f| f.as_str()).map(str::to_string))
                .unwrap_or_else(|| "a file".to_string());
            return from_file(&name, "tool.setuptools.dynamic.version");
        }
    }
    if let Some(hatch) = doc.get(&["tool", "hatch", "version"]).and_then(Item::as_table_like) {
        if hatch.get("source").and_then(Item::as_str) == Some("vcs") {
            return from_tag("hatch-vcs");
        }
        if let Some(file) = hatch.get("path").and_then(Item::as_str) {
            return from_file(file, "tool.hatch.version.path");
        }
    }
    if let Some(pdm) = doc.get(&["tool", "pdm", "version"]).and_then(Item::as_table_like) {
        if pdm.get("source").and_then(Item::as_str) == Some("scm") {
            return from_tag("pdm-backend");
        }
        if let Some(file) = pdm.get("path").and_then(Item::as_str) {
            return from_file(file, "tool.pdm.version.path");
        }
    }
    let pdv = doc.get(&["tool", "poetry-dynamic-versioning", "enable"]).and_then(Item::as_bool);
    if pdv == Some(true) || pdv.is_none() && requires_any(&["poetry-dynamic-versioning"]) {
        return from_tag("poetry-dynamic-versioning");
    }
    if doc.get(&["tool", "setuptools_scm"]).is_some() || requires_any(&["setuptools_scm", "setuptools-scm"]) {
        return from_tag("setuptools-scm");
    }
    None
}

/// `Chart.yaml`: `version`, and `appVersion` when the chart has one; only
/// the chart's own top-level keys (a dependency's `version` is inside the
/// `dependencies` sequence).
pub fn chart(path: &str, text: &str, version: &str) -> Result<Vec<Change>, String> {
    let doc = Yaml::parse(path, text)?;
    let chart = doc
        .set_version(&["version"], "version", version)?
        .ok_or_else(|| edit::error(path, "key not found", "version", "add version: 1.2.3 (the chart's version)"))?;
    let mut changes = vec![chart];
    let app = doc.get(&["appVersion"], "appVersion")?;
    if let Some(app) = app {
        if edit::version_prefix(&app.value).is_none() {
            return Err(edit::error(
                path,
                &format!("value {:?} is not a version", app.value),
                "appVersion",
                "set it to a semantic version, or set fields = [\"version\"] to leave appVersion alone",
            ));
        }
        changes.extend(doc.set_version(&["appVersion"], "appVersion", version)?);
    }
    Ok(changes)
}

/// A known or generic TOML, JSON or YAML file with `fields`.
pub fn with_fields(
    path: &str,
    text: &str,
    syntax: Syntax,
    fields: &[String],
    version: &str,
) -> Result<Vec<Change>, String> {
    match syntax {
        Syntax::Toml => Toml::parse(path, text)?.set_fields(fields, version),
        Syntax::Json => Json::parse(path, text)?.set_fields(fields, version),
        Syntax::Yaml => Yaml::parse(path, text)?.set_fields(fields, version),
    }
}

/// The syntax of a file, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Toml,
    Json,
    Yaml,
}

impl Syntax {
    /// `*.toml` / `*.lock` (Cargo.lock), `*.json`, `*.yaml` / `*.yml`.
    pub fn of(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "toml" => Some(Syntax::Toml),
            "json" => Some(Syntax::Json),
            "yaml" | "yml" => Some(Syntax::Yaml),
            _ if name == "Cargo.lock" => Some(Syntax::Toml),
            _ => None,
        }
    }
}
