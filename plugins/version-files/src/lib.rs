//! relkit's built-in `version-files` plugin: writes the new version into
//! manifests, byte-exact.
//!
//! [`update`] is plain Rust over the contract's records; [`Plugin`] exports
//! it as `version-files`. Which keys change in each known file is in
//! [`formats`]; the edits themselves are byte spans ([`edit`]) found by
//! toml_edit ([`toml`]), a JSON parser ([`json`]) and a YAML scanner
//! ([`yaml`]); any other file is changed on its marked lines ([`marker`]).
//! Everything outside the version values' spans stays as it was, byte for
//! byte: comments, key order, indentation, quotes, line endings.

pub mod edit;
pub mod formats;
pub mod json;
pub mod marker;
pub mod requirements;
pub mod toml;
pub mod yaml;

use relkit_plugin_sdk::version_files::{UpdatedFile, VersionChange, VersionFile, VersionFiles, VersionFilesInput};

use edit::Change;
use formats::{CargoManifest, CargoMember, Syntax};

/// What a file is, from its name (and whether `fields` are given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Cargo,
    CargoLock,
    PackageJson,
    NpmLock,
    Pyproject,
    Chart,
    /// A TOML, JSON or YAML file with `fields` (also a known file with `fields`).
    Fields(Syntax),
    /// Any other file: its `x-relkit-version` lines.
    Marker,
}

impl Format {
    /// The format of `path` (its last `/`-separated component decides).
    pub fn of(path: &str, has_fields: bool) -> Format {
        let name = path.rsplit('/').next().unwrap_or(path);
        if has_fields && let Some(syntax) = Syntax::of(name) {
            return Format::Fields(syntax);
        }
        match name {
            "Cargo.toml" => Format::Cargo,
            "Cargo.lock" => Format::CargoLock,
            "package.json" => Format::PackageJson,
            "package-lock.json" | "npm-shrinkwrap.json" => Format::NpmLock,
            "pyproject.toml" => Format::Pyproject,
            "Chart.yaml" => Format::Chart,
            _ => Format::Marker,
        }
    }
}

/// One result per input file, in input order, or the first error.
pub fn update(files: &[VersionFile]) -> Result<Vec<UpdatedFile>, String> {
    let planned = plan(files)?;
    files
        .iter()
        .zip(planned)
        .map(|(f, c)| {
            Ok(UpdatedFile {
                path: f.path.clone(),
                text: edit::apply(&f.text, &c).map_err(|e| format!("{}: {e}", f.path))?,
                changes: c
                    .into_iter()
                    .map(|c| VersionChange { location: c.location, old: c.old, new: c.new })
                    .collect(),
            })
        })
        .collect()
}

/// The changes of each input file, in input order, with their byte spans.
/// Lock files are planned after every manifest, since a `Cargo.lock` needs
/// the package names and old versions of the `Cargo.toml` files configured
/// in its directory or below, and which workspace members inherit the
/// workspace's version. A companion `Cargo.toml` (a member of a configured
/// workspace) never changes: it is only read for that.
pub fn plan(files: &[VersionFile]) -> Result<Vec<Vec<Change>>, String> {
    let mut changes: Vec<Option<Vec<Change>>> = vec![None; files.len()];
    let mut manifests: Vec<CargoManifest> = Vec::new();
    let mut members: Vec<CargoMember> = Vec::new();
    let is_member = |f: &VersionFile| f.companion && Format::of(&f.path, false) == Format::Cargo;
    let members_given = files.iter().any(is_member);
    for (i, f) in files.iter().enumerate() {
        check_version(f)?;
        let format = Format::of(&f.path, !f.fields.is_empty());
        let (path, text, version) = (f.path.as_str(), f.text.as_str(), f.version.as_str());
        changes[i] = Some(match format {
            Format::CargoLock | Format::NpmLock => continue,
            _ if is_member(f) => {
                members.push(formats::cargo_member(path, text)?);
                Vec::new()
            }
            Format::Cargo => {
                let (c, manifest) = formats::cargo(path, text, version)?;
                manifests.push(manifest);
                c
            }
            // Another package of the repository: only its requirements on the
            // released packages may change (below).
            Format::PackageJson if f.companion => Vec::new(),
            Format::PackageJson => formats::package_json(path, text, version)?,
            Format::Pyproject => formats::pyproject(path, text, version)?,
            Format::Chart => formats::chart(path, text, version)?,
            Format::Fields(syntax) => formats::with_fields(path, text, syntax, &f.fields, version)?,
            Format::Marker => marker::set_markers(path, text, version)?,
        });
    }
    formats::link_members(&mut manifests, &members, members_given);
    let (crates, npm) = released(files, &manifests, &members)?;
    files
        .iter()
        .zip(changes)
        .map(|(f, c)| {
            let (path, text) = (f.path.as_str(), f.text.as_str());
            let format = Format::of(path, !f.fields.is_empty());
            Ok(match (c, format) {
                (Some(mut c), Format::Cargo) => {
                    c.extend(requirements::cargo(path, text, &crates)?);
                    c
                }
                (Some(mut c), Format::PackageJson) => {
                    c.extend(requirements::npm(path, text, &npm)?);
                    c
                }
                (Some(c), _) => c,
                (None, Format::NpmLock) => {
                    let mut c = formats::npm_lock(path, text, &npm_packages(files, f))?;
                    c.extend(requirements::npm_lock(path, text, &npm)?);
                    c
                }
                (None, _) => formats::cargo_lock(path, text, &manifests)?,
            })
        })
        .collect()
}

/// The packages this call releases, by ecosystem: each configured
/// `Cargo.toml`'s package and the workspace members that inherit its
/// version, and each configured `package.json`'s `name`, with the version
/// written (what other manifests' requirements must admit).
fn released(
    files: &[VersionFile],
    manifests: &[CargoManifest],
    members: &[CargoMember],
) -> Result<(Vec<requirements::Released>, Vec<requirements::Released>), String> {
    let mut crates = Vec::new();
    for m in manifests {
        let Ok(version) = semver::Version::parse(&m.version) else { continue };
        if let Some(name) = &m.package {
            let dir = Some(m.dir().to_string());
            crates.push(requirements::Released { name: name.clone(), version: version.clone(), dir });
        }
        // The members that inherit its version, each in its own directory.
        for name in m.inheriting.iter().flatten() {
            let dir = members
                .iter()
                .find(|c| c.package.as_ref() == Some(name))
                .map(|c| requirements::dir_of(&c.path).to_string());
            crates.push(requirements::Released { name: name.clone(), version: version.clone(), dir });
        }
    }
    let mut npm = Vec::new();
    for f in files.iter().filter(|f| !f.companion && Format::of(&f.path, !f.fields.is_empty()) == Format::PackageJson) {
        let Ok(version) = semver::Version::parse(&f.version) else { continue };
        if let Some(name) = formats::package_json_name(&f.path, &f.text)? {
            npm.push(requirements::Released { name, version, dir: None });
        }
    }
    Ok((crates, npm))
}

/// The packages an npm lock file records, as `(directory relative to the
/// lock's, version)`: every `package.json` of the input at or below the
/// lock's directory (its own package is `""`, a workspace member
/// `packages/web`). A lock given with no such `package.json` is its own
/// package's.
fn npm_packages(files: &[VersionFile], lock: &VersionFile) -> Vec<(String, String)> {
    let dir_of = |path: &str| path.rsplit_once('/').map_or(String::new(), |(dir, _)| dir.to_string());
    let lock_dir = dir_of(&lock.path);
    let found: Vec<(String, String)> = files
        .iter()
        .filter(|f| !f.companion && f.path.rsplit('/').next() == Some("package.json"))
        .filter_map(|f| {
            let dir = dir_of(&f.path);
            let rel = if lock_dir.is_empty() {
                Some(dir.as_str())
            } else if dir == lock_dir {
                Some("")
            } else {
                dir.strip_prefix(&lock_dir).and_then(|d| d.strip_prefix('/'))
            };
            rel.map(|r| (r.to_string(), f.version.clone()))
        })
        .collect();
    if found.is_empty() { vec![(String::new(), lock.version.clone())] } else { found }
}

fn check_version(f: &VersionFile) -> Result<(), String> {
    match semver::Version::parse(&f.version) {
        Ok(_) => Ok(()),
        Err(e) => Err(edit::error(
            &f.path,
            &format!("the version to write, {:?}, is not a semantic version: {e}", f.version),
            "version",
            "pass a version such as 1.2.3",
        )),
    }
}

/// The plugin: [`update`] behind the `version-files` interface.
pub struct Plugin;

impl VersionFiles for Plugin {
    fn update_version_files(input: VersionFilesInput) -> Result<Vec<UpdatedFile>, String> {
        update(&input.files)
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: version_files);
