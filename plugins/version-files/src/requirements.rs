//! Requirements on a released package in the repository's other manifests.
//!
//! In a Cargo workspace a member depends on another by path *and* version
//! (`acme-core = { path = "../core", version = "0.3.0" }`, which `cargo
//! publish` needs); in an npm workspace by version (`"@acme/core":
//! "^0.3.0"`). When `acme-core` is released as 0.4.0 and the requirement no
//! longer admits it, Cargo refuses to build the workspace ("failed to select
//! a version for the requirement") and npm installs the registry's old
//! version instead of linking the member. release-please's `cargo-workspace`
//! and `node-workspace` plugins update such requirements; relkit does too,
//! but only where the requirement no longer admits the new version: a
//! requirement that still admits it is the team's choice and stays, byte for
//! byte.
//!
//! Only a single simple comparator is rewritten — an optional `^`, `~` or
//! `=` and a version of one to three parts (`0.3`, `^1.2.3`, `=2.0.0-rc.1`)
//! — keeping its operator and precision. A range the team wrote (`>=1, <2`,
//! `1.x`, `1 || 2`), a `workspace:` protocol, a path, a URL or `*` is left as
//! it is.

use semver::{Version, VersionReq};

use crate::edit::Change;
use crate::json::{Json, Node};
use crate::toml::Toml;

/// Whose syntax a requirement is in: a bare version means `^` in Cargo
/// (the Cargo book, "Specifying dependencies") and exactly that version in
/// npm (node-semver's README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Cargo,
    Npm,
}

/// A package this call releases: its name (`package.name`, or
/// `package.json`'s `name`) and the version written into its manifest.
#[derive(Debug, Clone)]
pub struct Released {
    pub name: String,
    pub version: Version,
    /// A crate's directory from the repository root (`crates/core`, `""`
    /// at the root): a path dependency names it by path, and a crate of the
    /// same name elsewhere (a vendored copy) is another crate. `None`: by
    /// name only (npm links workspace members by name).
    pub dir: Option<String>,
}

/// One requirement as relkit rewrites it: an optional `^`, `~` or `=`, the
/// spaces after it (`= 0.3.0` is valid Cargo syntax) and a version of one
/// to three parts, with a pre-release only on three.
struct Simple<'r> {
    op: &'r str,
    space: &'r str,
    parts: usize,
    base: Version,
}

fn simple(req: &str) -> Option<Simple<'_>> {
    let (op, rest) = ["^", "~", "="].iter().find_map(|op| req.strip_prefix(op).map(|r| (*op, r))).unwrap_or(("", req));
    let version = rest.trim_start_matches(' ');
    let space = &rest[..rest.len() - version.len()];
    if op.is_empty() && !space.is_empty() {
        return None;
    }
    let (numbers, pre) = match version.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (version, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 20 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(numeric) || (pre.is_some() && parts.len() != 3) {
        return None;
    }
    let mut full: Vec<&str> = parts.clone();
    full.resize(3, "0");
    let base = Version::parse(&match pre {
        Some(pre) => format!("{}-{pre}", full.join(".")),
        None => full.join("."),
    })
    .ok()?;
    Some(Simple { op, space, parts: parts.len(), base })
}

/// Whether `req` admits `new`, in `ecosystem`'s reading; `None` when it is
/// not a requirement relkit can read.
fn admits(req: &str, new: &Version, ecosystem: Ecosystem) -> Option<bool> {
    let written = match (ecosystem, simple(req)) {
        (Ecosystem::Npm, Some(s)) if s.op.is_empty() => format!("={req}"),
        _ => req.to_string(),
    };
    VersionReq::parse(&written).ok().map(|r| r.matches(new))
}

/// The requirement to write instead of `req` so that it admits `new`: the
/// same operator and precision with `new`'s numbers (`0.3.0` → `0.4.0`,
/// `^0.3` → `^0.4`, `~1` → `~2`, `= 0.3.0` → `= 0.4.0`; a pre-release is
/// written whole). `None` when `req` admits `new` already (unless it names a
/// pre-release: a stable release replaces `^0.6.0-rc.1` with `^0.6.0`),
/// names a version at or above it, or is not one simple comparator.
pub fn follow(req: &str, new: &Version, ecosystem: Ecosystem) -> Option<String> {
    let s = simple(req)?;
    if *new <= s.base {
        return None;
    }
    // A pre-release requirement (`^0.6.0-rc.1`) admits the stable 0.6.0, but
    // a stable crate should not name a release candidate: it follows too.
    if admits(req, new, ecosystem)? && s.base.pre.is_empty() {
        return None;
    }
    let numbers = if !new.pre.is_empty() || s.parts == 3 {
        let mut v = new.clone();
        v.build = semver::BuildMetadata::EMPTY;
        v.to_string()
    } else if s.parts == 2 {
        format!("{}.{}", new.major, new.minor)
    } else {
        new.major.to_string()
    };
    Some(format!("{}{}{numbers}", s.op, s.space))
}

/// The dependency tables of a `Cargo.toml`, as dotted key paths.
const CARGO_TABLES: &[&str] =
    &["dependencies", "dev-dependencies", "build-dependencies", "dev_dependencies", "build_dependencies"];

/// `Cargo.toml`: each path dependency on a released package (by key, or
/// by `package = "…"` when renamed) whose `version` no longer admits the
/// new version, in `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]`, their `[target.'cfg'.…]` forms and
/// `[workspace.dependencies]`. `workspace = true` entries follow the
/// workspace's table; path-only entries have no version to change; registry
/// requirements resolve against the registry and stay.
pub fn cargo(path: &str, text: &str, released: &[Released]) -> Result<Vec<Change>, String> {
    if released.is_empty() {
        return Ok(Vec::new());
    }
    let doc = Toml::parse(path, text)?;
    let own = doc.get(&["package", "name"]).and_then(|i| i.as_str()).map(str::to_string);
    let mut tables: Vec<(String, &toml_edit::Item)> = Vec::new();
    for table in CARGO_TABLES {
        if let Some(item) = doc.get(&[table]) {
            tables.push((table.to_string(), item));
        }
    }
    if let Some(item) = doc.get(&["workspace", "dependencies"]) {
        tables.push(("workspace.dependencies".into(), item));
    }
    if let Some(targets) = doc.get(&["target"]).and_then(|t| t.as_table_like()) {
        for (cfg, target) in targets.iter() {
            let Some(target) = target.as_table_like() else { continue };
            for table in CARGO_TABLES {
                if let Some(item) = target.get(table) {
                    tables.push((format!("target.{}.{table}", quoted_key(cfg)), item));
                }
            }
        }
    }
    let mut changes = Vec::new();
    for (table, item) in tables {
        let Some(entries) = item.as_table_like() else { continue };
        for (key, entry) in entries.iter() {
            let detail = entry.as_table_like();
            let name = detail.and_then(|d| d.get("package")).and_then(|p| p.as_str()).unwrap_or(key);
            if own.as_deref() == Some(name) {
                continue;
            }
            // Only a path dependency is resolved against the member itself;
            // a registry requirement (`acme-core = "0.3"`, an example pinned
            // to an old release on purpose) keeps resolving as written. The
            // path must lead to the released crate: a vendored copy of the
            // same name is another crate.
            let Some(detail) = detail else { continue };
            let Some(dep_path) = detail.get("path").and_then(|p| p.as_str()) else { continue };
            let target = join(dir_of(path), dep_path);
            let Some(released) =
                released.iter().find(|r| r.name == name && r.dir.as_ref().is_none_or(|d| *d == target))
            else {
                continue;
            };
            let location = format!("{table}.{}.version", quoted_key(key));
            let Some(requirement) = detail.get("version") else { continue };
            let Some(req) = requirement.as_str() else { continue };
            if let Some(new) = follow(req, &released.version, Ecosystem::Cargo) {
                changes.push(doc.set_text(requirement, &location, &new)?);
            } else if simple(req).is_none() && admits(req, &released.version, Ecosystem::Cargo) == Some(false) {
                // A range cargo would refuse once the member is at the new
                // version ("failed to select a version"): a release that
                // breaks the workspace's build is not made.
                return Err(crate::edit::error(
                    path,
                    &format!(
                        "the path dependency on {name} requires {req:?}, which its release {} does not meet, and \
                         relkit rewrites only a single requirement such as \"0.3\", \"^0.3.0\" or \"=0.3.0\"",
                        released.version
                    ),
                    &location,
                    "widen it to admit the new version and commit, then release again",
                ));
            }
        }
    }
    Ok(changes)
}

/// The dependency objects of a `package.json` (and of a lock's `packages`
/// entries), as npm's documentation lists them.
const NPM_SECTIONS: &[&str] = &["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/// `package.json`: each dependency on a released package whose requirement
/// no longer admits the new version, in `dependencies`, `devDependencies`,
/// `peerDependencies` and `optionalDependencies`.
pub fn npm(path: &str, text: &str, released: &[Released]) -> Result<Vec<Change>, String> {
    if released.is_empty() {
        return Ok(Vec::new());
    }
    let doc = Json::parse(path, text)?;
    npm_entries(&doc, &[], "", released)
}

/// A `package-lock.json` / `npm-shrinkwrap.json`: the same requirements
/// where the lock records them for the workspace's own packages
/// (`packages[""]` and `packages["packages/web"]`, never a `node_modules/…`
/// entry), so that `npm ci` finds the lock in step with the manifests.
pub fn npm_lock(path: &str, text: &str, released: &[Released]) -> Result<Vec<Change>, String> {
    if released.is_empty() {
        return Ok(Vec::new());
    }
    let doc = Json::parse(path, text)?;
    let Some(packages) = doc.get(&["packages"], "packages")? else { return Ok(Vec::new()) };
    let Node::Object(entries) = &packages.node else { return Ok(Vec::new()) };
    let mut changes = Vec::new();
    for (dir, _) in entries {
        if dir.split('/').any(|segment| segment == "node_modules") {
            continue;
        }
        changes.extend(npm_entries(&doc, &["packages", dir], &format!("packages[{dir:?}]."), released)?);
    }
    Ok(changes)
}

fn npm_entries(doc: &Json<'_>, at: &[&str], prefix: &str, released: &[Released]) -> Result<Vec<Change>, String> {
    let own = {
        let mut key = at.to_vec();
        key.push("name");
        doc.get(&key, "name")?.and_then(|v| match &v.node {
            Node::String(s) => Some(s.clone()),
            _ => None,
        })
    };
    let mut changes = Vec::new();
    for section in NPM_SECTIONS {
        let mut key = at.to_vec();
        key.push(section);
        let Some(object) = doc.get(&key, section)? else { continue };
        let Node::Object(members) = &object.node else { continue };
        for (name, value) in members {
            if own.as_deref() == Some(name.as_str()) {
                continue;
            }
            let Some(released) = released.iter().find(|r| &r.name == name) else { continue };
            let Node::String(req) = &value.node else { continue };
            if let Some(new) = follow(req, &released.version, Ecosystem::Npm) {
                changes.push(doc.set_text(value, &format!("{prefix}{section}[{name:?}]"), &new)?);
            }
        }
    }
    Ok(changes)
}

/// The directory of a `/`-separated path from the repository root (`""` at
/// the root).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `relative` (a Cargo `path`, `/`- or `\\`-separated) from directory `dir`,
/// normalised: `crates/cli` + `../core` → `crates/core`. A path that leaves
/// the repository keeps its leading `..`, and names no released crate.
fn join(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> =
        if relative.starts_with('/') { Vec::new() } else { dir.split('/').filter(|p| !p.is_empty()).collect() };
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// A TOML key as it is written in a dotted path: bare when it can be.
fn quoted_key(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn a_requirement_follows_only_when_it_no_longer_admits_the_release() {
        use Ecosystem::{Cargo, Npm};
        let cases = [
            // (requirement, new version, ecosystem, rewritten)
            ("0.3.0", "0.4.0", Cargo, Some("0.4.0")),
            ("0.3.0", "0.3.1", Cargo, None),
            ("0.3.0", "0.3.1", Npm, Some("0.3.1")),
            ("^0.3", "0.4.0", Cargo, Some("^0.4")),
            ("~1.2.0", "1.3.0", Npm, Some("~1.3.0")),
            ("~1", "2.0.0", Cargo, Some("~2")),
            ("=1.2.3", "1.2.4", Cargo, Some("=1.2.4")),
            ("^1.2.3", "1.9.0", Npm, None),
            ("^1.2.3", "2.0.0-rc.1", Npm, Some("^2.0.0-rc.1")),
            ("1", "2.0.0-rc.1", Cargo, Some("2.0.0-rc.1")),
            ("=2.0.0-rc.1", "2.0.0-rc.2", Npm, Some("=2.0.0-rc.2")),
            ("^2.0.0", "1.5.0", Cargo, None),
            ("1.2.3", "2.0.0+build.5", Cargo, Some("2.0.0")),
            (">=1, <2", "2.0.0", Cargo, None),
            ("1.x", "2.0.0", Npm, None),
            ("workspace:*", "2.0.0", Npm, None),
            ("*", "2.0.0", Npm, None),
            ("file:../core", "2.0.0", Npm, None),
            (" 1.0.0", "2.0.0", Npm, None),
            ("1.2-rc.1", "2.0.0", Cargo, None),
        ];
        for (req, new, ecosystem, want) in cases {
            assert_eq!(follow(req, &v(new), ecosystem).as_deref(), want, "{req} with {new} ({ecosystem:?})");
        }
        // Spaced operators (valid Cargo syntax) keep their spacing; a
        // release-candidate requirement follows the stable release.
        assert_eq!(follow("= 0.3.0", &v("0.4.0"), Cargo).as_deref(), Some("= 0.4.0"));
        assert_eq!(follow("^0.6.0-rc.1", &v("0.6.0"), Npm).as_deref(), Some("^0.6.0"));
        assert_eq!(follow("~0.6.0-rc.1", &v("0.6.0"), Cargo).as_deref(), Some("~0.6.0"));
        assert_eq!(follow("0.6.0-rc.1", &v("0.6.0-rc.2"), Cargo).as_deref(), Some("0.6.0-rc.2"));
    }

    #[test]
    fn paths_join_from_the_manifest_s_directory() {
        assert_eq!(join("crates/cli", "../core"), "crates/core");
        assert_eq!(join("", "crates/core/"), "crates/core");
        assert_eq!(join("legacy/app", "../vendor/./acme-core"), "legacy/vendor/acme-core");
        assert_eq!(join("a", "../../outside"), "../outside");
        assert_eq!(join("crates\\cli".replace('\\', "/").as_str(), "..\\core"), "crates/core");
    }
}
