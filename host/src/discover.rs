//! `relkit init --packages`: a starting relkit.toml for a monorepo, its
//! `[[packages]]` found from the repository's own workspace files.
//!
//! [`discover`] tries the layouts in order and the first that applies wins:
//! a Cargo workspace (root `Cargo.toml` `[workspace] members`), a pnpm
//! workspace (`pnpm-workspace.yaml` `packages`), npm or yarn workspaces (root
//! `package.json` `workspaces`), else the directories under `packages/`.
//! Member globs are expanded here with `std::fs`, every listing sorted, so two
//! machines print the same file. [`render`] turns the list into the TOML text;
//! nothing here writes a file.
//!
//! Errors are one line: the file, the line or key, and the fix
//! (`crates/api/Cargo.toml: line 3: invalid string`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// A package found in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The package's own name: Cargo's `package.name`, package.json's
    /// `"name"` (an npm scope kept: `@acme/web`); else the directory's name.
    pub name: String,
    /// Relative to the repository root, `/`-separated, no trailing slash
    /// (`crates/api`).
    pub path: String,
    /// The manifest whose version relkit should bump, relative to the root
    /// (`crates/api/Cargo.toml`, `packages/web/package.json`). `None` for a
    /// directory without one, or when the version is not in the file (Cargo
    /// `version.workspace = true`, a package.json without `"version"`).
    pub manifest: Option<String>,
    /// A Cargo member with `version.workspace = true`: its version is the
    /// root Cargo.toml's `[workspace.package] version`, shared by every member.
    pub inherits_version: bool,
}

/// Where the list came from, for the header comment of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Root `Cargo.toml` `[workspace] members`.
    Cargo,
    /// Root `package.json` `workspaces` (npm, yarn).
    Npm,
    /// `pnpm-workspace.yaml` `packages`.
    Pnpm,
    /// Every directory directly under `packages/`.
    Directories,
}

impl Layout {
    /// The header's words for the layout: "the packages of …".
    fn source(self) -> &'static str {
        match self {
            Layout::Cargo => "the Cargo workspace (Cargo.toml [workspace] members)",
            Layout::Pnpm => "the pnpm workspace (pnpm-workspace.yaml packages)",
            Layout::Npm => "the npm workspaces (package.json workspaces)",
            Layout::Directories => "the directories under packages/",
        }
    }
}

/// Finds the packages of the repository at `root`, sorted by path.
///
/// The first layout that applies wins:
/// 1. Cargo: a root `Cargo.toml` with a non-empty `[workspace] members`
///    (paths or globs), minus `[workspace] exclude` (a member under an
///    excluded path is out, as in Cargo). Each matched directory whose
///    Cargo.toml has `[package] name` is a package; other directories are
///    skipped (Cargo would refuse them; `cargo metadata` says why).
/// 2. pnpm: `pnpm-workspace.yaml` with a `packages:` list (block form
///    `  - 'glob'` or flow form `['a', 'b']`); a `!glob` entry excludes.
/// 3. npm/yarn: root `package.json` `"workspaces"`, an array of globs or
///    `{"packages": [...]}`; a `!glob` entry excludes.
/// 4. `packages/`: every directory directly under it, named after the
///    directory; its manifest is the first of package.json, Cargo.toml and
///    pyproject.toml in it that holds a version.
///
/// For 2 and 3, each matched directory with a package.json is a package. The
/// root directory is never a package, not even Cargo's root package: its path,
/// ".", would hold every other package's path.
///
/// Errors: no layout applies; a manifest that does not parse (its path and
/// line); a glob relkit cannot expand; a layout that matches no package; two
/// packages with the same name.
pub fn discover(root: &Path) -> Result<(Layout, Vec<Found>), String> {
    let (layout, mut found) = if let Some(found) = cargo(root)? {
        (Layout::Cargo, found)
    } else if let Some(found) = pnpm(root)? {
        (Layout::Pnpm, found)
    } else if let Some(found) = npm(root)? {
        (Layout::Npm, found)
    } else if let Some(found) = directories(root)? {
        (Layout::Directories, found)
    } else {
        return Err(format!(
            "found no Cargo workspace, pnpm-workspace.yaml, package.json workspaces or packages/ directory in {}; \
             write [[packages]] entries by hand (see README, Monorepo packages)",
            root.display()
        ));
    };
    found.sort_by(|a, b| a.path.cmp(&b.path));
    // A package's name keys its tags ("<name>-v<version>"): two of one name
    // would read each other's releases.
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for package in &found {
        if let Some(first) = seen.insert(&package.name, &package.path) {
            return Err(format!(
                "two packages are named `{}`: {first} and {}; rename one (their release tags would collide)",
                package.name, package.path
            ));
        }
    }
    Ok((layout, found))
}

/// The relkit.toml text for `found`: a header comment naming the layout, then
/// one `[[packages]]` table per package (`name`, `path`; `tag-prefix` when
/// the name is not a plain tag word; a `[[packages.version-files]]` entry for
/// its manifest; a comment for a `version.workspace = true` member).
///
/// A name with characters outside `[A-Za-z0-9._-]` (`@acme/web`) gets a
/// `tag-prefix` from its last `/`-part, `@` dropped (`web-v`): `@` and `/`
/// are legal in git tags but awkward in shells and URLs. When that prefix is
/// another package's too, the whole name is used (`acme-web-v`).
pub fn render(layout: Layout, found: &[Found]) -> String {
    let mut out = format!("# relkit.toml: the packages of {}.\n", layout.source());
    out.push_str("# Each package is released on its own, from the commits that change files under its path;\n");
    out.push_str("# its tags are \"<name>-v<version>\" and its CHANGELOG is <path>/CHANGELOG.md.\n");
    out.push_str("# See README.md, \"Monorepo packages\", for every key.\n");
    for (package, prefix) in found.iter().zip(tag_prefixes(found)) {
        out.push_str("\n[[packages]]\n");
        out.push_str(&format!("name = {}\n", quote(&package.name)));
        out.push_str(&format!("path = {}\n", quote(&package.path)));
        if let Some(prefix) = prefix {
            out.push_str(&format!("tag-prefix = {}\n", quote(&prefix)));
        }
        if let Some(manifest) = &package.manifest {
            out.push_str(&format!("\n[[packages.version-files]]\npath = {}\n", quote(manifest)));
        }
        if package.inherits_version {
            out.push_str(
                "# version.workspace = true: the version lives in the root Cargo.toml, shared by every member;\n\
                 # give this member its own `version` to release it on its own.\n",
            );
        }
    }
    out
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A name that is a tag prefix as it is (with `-v` after it).
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The `tag-prefix` of each package, `None` for a plain name (its prefix is
/// the default `<name>-v`). See [`render`].
fn tag_prefixes(found: &[Found]) -> Vec<Option<String>> {
    let mut taken: BTreeSet<String> =
        found.iter().filter(|p| is_plain(&p.name)).map(|p| format!("{}-v", p.name)).collect();
    let short = |name: &str| tag_word(name.rsplit('/').next().unwrap_or(name));
    let mut shorts: BTreeMap<String, usize> = BTreeMap::new();
    for package in found.iter().filter(|p| !is_plain(&p.name)) {
        *shorts.entry(short(&package.name)).or_default() += 1;
    }
    found
        .iter()
        .map(|package| {
            if is_plain(&package.name) {
                return None;
            }
            let short = short(&package.name);
            let full = tag_word(&package.name.replace('/', "-"));
            let mut candidates = Vec::new();
            if shorts.get(&short) == Some(&1) {
                candidates.push(format!("{short}-v"));
            }
            candidates.push(format!("{full}-v"));
            let prefix = candidates
                .into_iter()
                .chain((2..).map(|n| format!("{full}-{n}-v")))
                .find(|p| !taken.contains(p))
                .unwrap_or_default();
            taken.insert(prefix.clone());
            Some(prefix)
        })
        .collect()
}

/// `name` with `@` dropped and every other character outside
/// `[A-Za-z0-9._-]` made `-`; never empty, never starting with `.` or `-`.
fn tag_word(name: &str) -> String {
    let mut word: String = name
        .chars()
        .filter(|&c| c != '@')
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect();
    while word.contains("..") {
        word = word.replace("..", ".");
    }
    let word = word.trim_matches(|c| c == '.' || c == '-');
    if word.is_empty() { "package".to_string() } else { word.to_string() }
}

// ---------------------------------------------------------------- layouts

/// Rule 1, the Cargo workspace. `None` without a root Cargo.toml, without
/// `[workspace]`, or with no members (a single package that only stops
/// Cargo's search for a parent workspace).
///
/// The root package (a root Cargo.toml with `[package]` beside
/// `[workspace]`, Cargo's member ".") is left out: its path, ".", holds
/// every other package's path, so each commit to a member would release it
/// too. Give it a directory of its own, or a `[[packages]]` entry by hand.
fn cargo(root: &Path) -> Result<Option<Vec<Found>>, String> {
    let Some(manifest) = read_toml(root, "Cargo.toml")? else { return Ok(None) };
    let Some(workspace) = manifest.get("workspace") else { return Ok(None) };
    let workspace = workspace
        .as_table()
        .ok_or("Cargo.toml: `workspace` is not a table; write it as [workspace] (cargo would refuse it too)")?;
    let members = toml_strings(workspace, "members")?;
    if members.is_empty() {
        return Ok(None);
    }
    let exclude = toml_strings(workspace, "exclude")?
        .iter()
        .map(|e| parse_pattern(e, "Cargo.toml [workspace] exclude"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut dirs = BTreeSet::new();
    for member in &members {
        dirs.extend(expand(root, &parse_pattern(member, "Cargo.toml [workspace] members")?)?);
    }
    let mut found = Vec::new();
    for dir in dirs {
        // Cargo's exclude is a path prefix: every member under it is out.
        let parts: Vec<&str> = dir.split('/').collect();
        if dir.is_empty() || exclude.iter().any(|e| (1..=parts.len()).any(|n| path_matches(e, &parts[..n]))) {
            continue;
        }
        let path = join(&dir, "Cargo.toml");
        let Some(member) = read_toml(root, &path)? else { continue };
        let Some(package) = member.get("package").and_then(toml::Value::as_table) else { continue };
        let Some(name) = package.get("name").and_then(toml::Value::as_str) else { continue };
        let (manifest, inherits_version) = match package.get("version") {
            Some(toml::Value::String(_)) => (Some(path), false),
            Some(toml::Value::Table(t)) if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) => {
                (None, true)
            }
            _ => (None, false),
        };
        found.push(Found { name: name.to_string(), path: dir, manifest, inherits_version });
    }
    if found.is_empty() {
        return Err("Cargo.toml [workspace] members match no package directory (one with a Cargo.toml that has \
                    [package] name); fix the members or write [[packages]] entries by hand"
            .to_string());
    }
    Ok(Some(found))
}

/// `[workspace] <key>` as strings; absent: empty.
fn toml_strings(workspace: &toml::Table, key: &str) -> Result<Vec<String>, String> {
    let Some(value) = workspace.get(key) else { return Ok(Vec::new()) };
    value
        .as_array()
        .and_then(|items| items.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            format!("Cargo.toml: [workspace] {key} is not an array of strings; write it as {key} = [\"crates/*\"]")
        })
}

/// Rule 2, the pnpm workspace. `None` without pnpm-workspace.yaml or
/// without a `packages:` list in it (a file of settings only).
fn pnpm(root: &Path) -> Result<Option<Vec<Found>>, String> {
    const FILE: &str = "pnpm-workspace.yaml";
    let Some(text) = read_text(root, FILE)? else { return Ok(None) };
    let Some(entries) = pnpm_packages(&text)? else { return Ok(None) };
    if entries.is_empty() {
        return Ok(None);
    }
    let found = globbed_packages(root, &entries, "pnpm-workspace.yaml packages")?;
    if found.is_empty() {
        return Err(format!(
            "{FILE} packages match no directory with a package.json; fix the globs or write [[packages]] entries by \
             hand"
        ));
    }
    Ok(Some(found))
}

/// The `packages:` entries of pnpm-workspace.yaml, in the two forms pnpm's
/// own docs use: a block list (`packages:` then `  - 'glob'`, `  - "glob"`
/// or `  - glob` lines, comments allowed) or a one-line flow list
/// (`packages: ['a/*', "b"]`). `None` when there is no `packages:` key.
/// Errors: another YAML form, naming the line.
fn pnpm_packages(text: &str) -> Result<Option<Vec<String>>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with("packages:")) else { return Ok(None) };
    let unsupported = |n: usize| {
        format!(
            "pnpm-workspace.yaml: line {}: cannot read this `packages` entry; write the list as `packages:` then \
             one `  - 'glob'` line per entry",
            n + 1
        )
    };
    let rest = strip_comment(&lines[start]["packages:".len()..]).trim();
    let mut entries = Vec::new();
    if !rest.is_empty() {
        let inner = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')).ok_or_else(|| unsupported(start))?;
        for item in inner.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            entries.push(yaml_scalar(item).ok_or_else(|| unsupported(start))?);
        }
        return Ok(Some(entries));
    }
    for (n, line) in lines.iter().enumerate().skip(start + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix('-').filter(|i| i.is_empty() || i.starts_with([' ', '\t'])) {
            entries.push(yaml_scalar(item.trim()).ok_or_else(|| unsupported(n))?);
        } else if trimmed.len() == line.len() {
            break; // the next top-level key
        } else {
            return Err(unsupported(n));
        }
    }
    Ok(Some(entries))
}

/// A YAML scalar: `'single'` (`''` a quote), `"double"` (`\"`, `\\`) or plain,
/// a `# comment` after it dropped. `None` when empty or unreadable.
fn yaml_scalar(s: &str) -> Option<String> {
    let (value, after) = if let Some(body) = s.strip_prefix('\'') {
        let mut value = String::new();
        let mut chars = body.char_indices().peekable();
        loop {
            let (i, c) = chars.next()?;
            if c == '\'' {
                if chars.peek().is_some_and(|&(_, c)| c == '\'') {
                    chars.next();
                    value.push('\'');
                } else {
                    break (value, &body[i + 1..]);
                }
            } else {
                value.push(c);
            }
        }
    } else if let Some(body) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = body.char_indices();
        loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break (value, &body[i + 1..]),
                '\\' => value.push(chars.next()?.1),
                c => value.push(c),
            }
        }
    } else {
        (strip_comment(s).trim().to_string(), "")
    };
    let after = after.trim();
    (!value.is_empty() && (after.is_empty() || after.starts_with('#'))).then_some(value)
}

/// `s` without a YAML comment: from a `#` at the start or after a space.
fn strip_comment(s: &str) -> &str {
    let cut = s.char_indices().find(|&(i, c)| c == '#' && (i == 0 || s[..i].ends_with([' ', '\t'])));
    cut.map_or(s, |(i, _)| &s[..i])
}

/// The member directories (relative to `dir`, `/`-separated) of the npm or
/// yarn workspace whose root `package.json` is in `dir`, by the rules of
/// [`discover`] (globs, `!glob` exclusions, a member needs a package.json);
/// `None` when that file declares no workspaces. Errors: as `discover`'s.
pub fn npm_members(dir: &Path) -> Result<Option<Vec<String>>, String> {
    Ok(npm(dir)?.map(|found| found.into_iter().map(|f| f.path).collect()))
}

/// Rule 3, npm or yarn workspaces. `None` without a root package.json, or
/// with no `"workspaces"` globs (yarn's `{"nohoist": [...]}` alone has none).
fn npm(root: &Path) -> Result<Option<Vec<Found>>, String> {
    let Some(manifest) = read_json(root, "package.json")? else { return Ok(None) };
    let Some(workspaces) = manifest.get("workspaces") else { return Ok(None) };
    let wrong = || {
        "package.json: \"workspaces\" is neither an array of globs nor an object with \"packages\": [globs]; fix it \
         (npm would refuse it too)"
            .to_string()
    };
    let list = match workspaces {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(object) => match object.get("packages") {
            Some(serde_json::Value::Array(list)) => list,
            None => return Ok(None),
            Some(_) => return Err(wrong()),
        },
        _ => return Err(wrong()),
    };
    let entries = list.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().ok_or_else(wrong)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let found = globbed_packages(root, &entries, "package.json workspaces")?;
    if found.is_empty() {
        return Err("package.json workspaces match no directory with a package.json; fix the globs or write \
                    [[packages]] entries by hand"
            .to_string());
    }
    Ok(Some(found))
}

/// The directories with a package.json that `entries` match: globs, and
/// `!glob` entries that take directories out again (pnpm's and npm's rule).
/// The root directory is never one (it is the workspace itself).
fn globbed_packages(root: &Path, entries: &[String], what: &str) -> Result<Vec<Found>, String> {
    let mut dirs = BTreeSet::new();
    let mut exclude = Vec::new();
    for entry in entries {
        match entry.strip_prefix('!') {
            Some(negated) => exclude.push(parse_pattern(negated, what)?),
            None => dirs.extend(expand(root, &parse_pattern(entry, what)?)?),
        }
    }
    let mut found = Vec::new();
    for dir in dirs {
        let parts: Vec<&str> = dir.split('/').collect();
        if dir.is_empty() || exclude.iter().any(|e| path_matches(e, &parts)) {
            continue;
        }
        let path = join(&dir, "package.json");
        let Some(manifest) = read_json(root, &path)? else { continue };
        let name = manifest
            .get("name")
            .and_then(serde_json::Value::as_str)
            .filter(|n| !n.is_empty())
            .map_or_else(|| last_part(&dir).to_string(), str::to_string);
        let versioned = manifest.get("version").is_some_and(serde_json::Value::is_string);
        found.push(Found { name, path: dir, manifest: versioned.then_some(path), inherits_version: false });
    }
    Ok(found)
}

/// Rule 4, the directories under `packages/`. `None` without one. A
/// directory's manifest is the first of package.json (`"version"`),
/// Cargo.toml (`[package] version`) and pyproject.toml (`[project] version`,
/// or `[tool.poetry] version`) in it that holds a version.
fn directories(root: &Path) -> Result<Option<Vec<Found>>, String> {
    if !root.join("packages").is_dir() {
        return Ok(None);
    }
    let names = subdirs(root, "packages", true)?;
    if names.is_empty() {
        return Err("packages/ holds no package directory; add them or write [[packages]] entries by hand".to_string());
    }
    let mut found = Vec::new();
    for name in names {
        let dir = join("packages", &name);
        let mut manifest = None;
        for file in ["package.json", "Cargo.toml", "pyproject.toml"] {
            let path = join(&dir, file);
            if holds_version(root, &path, file)? {
                manifest = Some(path);
                break;
            }
        }
        found.push(Found { name, path: dir, manifest, inherits_version: false });
    }
    Ok(Some(found))
}

/// Whether the manifest `path` (of kind `file`) exists and has a literal version.
fn holds_version(root: &Path, path: &str, file: &str) -> Result<bool, String> {
    let string_at = |table: &toml::Table, keys: &[&str]| {
        let mut value = table.get(keys[0]);
        for key in &keys[1..] {
            value = value.and_then(|v| v.get(key));
        }
        value.is_some_and(toml::Value::is_str)
    };
    Ok(match file {
        "package.json" => read_json(root, path)?.is_some_and(|j| j.get("version").is_some_and(|v| v.is_string())),
        "Cargo.toml" => read_toml(root, path)?.is_some_and(|t| string_at(&t, &["package", "version"])),
        _ => read_toml(root, path)?
            .is_some_and(|t| string_at(&t, &["project", "version"]) || string_at(&t, &["tool", "poetry", "version"])),
    })
}

// ---------------------------------------------------------------- files

/// The text of `root/rel`; `None` when it is not a file.
fn read_text(root: &Path, rel: &str) -> Result<Option<String>, String> {
    let path = root.join(rel);
    if !path.is_file() {
        return Ok(None);
    }
    fs::read_to_string(&path).map(Some).map_err(|e| format!("cannot read {rel}: {e}"))
}

/// `root/rel` parsed as TOML; `None` when it is not a file. Errors name the
/// file and the line.
fn read_toml(root: &Path, rel: &str) -> Result<Option<toml::Table>, String> {
    let Some(text) = read_text(root, rel)? else { return Ok(None) };
    text.parse::<toml::Table>().map(Some).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("{rel}: line {line}: {message}; fix the TOML")
            }
            None => format!("{rel}: {message}; fix the TOML"),
        }
    })
}

/// `root/rel` parsed as JSON; `None` when it is not a file. Errors name the
/// file and the line.
fn read_json(root: &Path, rel: &str) -> Result<Option<serde_json::Value>, String> {
    let Some(text) = read_text(root, rel)? else { return Ok(None) };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        // serde_json's text ends with " at line L column C"; the line goes first here.
        let text = e.to_string();
        let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
        format!("{rel}: line {}: {message}; fix the JSON", e.line())
    })
}

// ---------------------------------------------------------------- globs

/// One `/`-separated component of a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A name, matched as it is (hidden directories too).
    Literal(String),
    /// A name with `*`: any run of characters except `/`.
    Wild(String),
    /// `**`: any number of directories, zero included.
    AnyDepth,
}

/// `text` as glob components: `./` and trailing `/` ignored. Errors (naming
/// `what`, the key): a path outside the repository, and `?`, `[`, `{`,
/// which relkit does not expand.
fn parse_pattern(text: &str, what: &str) -> Result<Vec<Part>, String> {
    if text.starts_with('/') {
        return Err(format!("{what}: `{text}` is an absolute path; write it relative to the repository root"));
    }
    if let Some(c) = text.chars().find(|c| matches!(c, '?' | '[' | '{')) {
        return Err(format!(
            "{what}: `{text}` uses `{c}`, which relkit init does not expand (only `*` and `**`); list the \
             directories instead"
        ));
    }
    let mut parts = Vec::new();
    for component in text.split('/').filter(|c| !c.is_empty() && *c != ".") {
        let part = match component {
            ".." => {
                return Err(format!(
                    "{what}: `{text}` leaves the repository; packages must be inside it, so write those by hand"
                ));
            }
            "**" => Part::AnyDepth,
            c if c.contains('*') => Part::Wild(c.to_string()),
            c => Part::Literal(c.to_string()),
        };
        // `**/**` is `**`, and expanding it twice would be slow.
        if !(part == Part::AnyDepth && parts.last() == Some(&Part::AnyDepth)) {
            parts.push(part);
        }
    }
    Ok(parts)
}

/// The directories under `root` that `parts` match, relative and
/// `/`-separated (`""` for the root itself), sorted.
fn expand(root: &Path, parts: &[Part]) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    walk(root, "", parts, &mut out)?;
    Ok(out)
}

fn walk(root: &Path, dir: &str, parts: &[Part], out: &mut BTreeSet<String>) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        out.insert(dir.to_string());
        return Ok(());
    };
    match first {
        Part::Literal(name) => {
            let next = join(dir, name);
            if root.join(&next).is_dir() {
                walk(root, &next, rest, out)?;
            }
        }
        Part::Wild(pattern) => {
            for name in subdirs(root, dir, true)? {
                if wild_match(pattern, &name) {
                    walk(root, &join(dir, &name), rest, out)?;
                }
            }
        }
        Part::AnyDepth => {
            walk(root, dir, rest, out)?;
            // Not through symbolic links: one that points up would never end.
            for name in subdirs(root, dir, false)? {
                walk(root, &join(dir, &name), parts, out)?;
            }
        }
    }
    Ok(())
}

/// The names of the directories in `root/dir`, sorted; hidden ones,
/// `node_modules` and `target` left out (a wildcard never matches them).
/// `follow`: symbolic links to directories count.
fn subdirs(root: &Path, dir: &str, follow: bool) -> Result<Vec<String>, String> {
    let path = root.join(dir);
    let shown = if dir.is_empty() { "." } else { dir };
    let entries = fs::read_dir(&path).map_err(|e| format!("cannot list {shown}: {e}"))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {shown}: {e}"))?;
        // A name that is not UTF-8 cannot be written into relkit.toml.
        let Ok(name) = entry.file_name().into_string() else { continue };
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_dir() => true,
            Ok(t) if t.is_symlink() && follow => entry.path().is_dir(),
            _ => false,
        };
        if is_dir {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Whether `name` matches `pattern`, whose `*` stands for any run of characters.
fn wild_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < s.len() {
        if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == s[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// Whether the path `components` matches the glob `parts` as a whole.
fn path_matches(parts: &[Part], components: &[&str]) -> bool {
    match parts.split_first() {
        None => components.is_empty(),
        Some((Part::AnyDepth, rest)) => {
            path_matches(rest, components) || (!components.is_empty() && path_matches(parts, &components[1..]))
        }
        Some((part, rest)) => {
            let Some((first, others)) = components.split_first() else { return false };
            let here = match part {
                Part::Literal(name) => name == first,
                Part::Wild(pattern) => wild_match(pattern, first),
                Part::AnyDepth => true,
            };
            here && path_matches(rest, others)
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

fn last_part(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository of `files` (`path`, text); a path ending in `/` is an
    /// empty directory.
    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            if path.ends_with('/') {
                fs::create_dir_all(&full).unwrap();
            } else {
                fs::create_dir_all(full.parent().unwrap()).unwrap();
                fs::write(&full, text).unwrap();
            }
        }
        dir
    }

    fn crate_toml(name: &str, version: &str) -> String {
        format!("[package]\nname = \"{name}\"\n{version}\n")
    }

    fn found(name: &str, path: &str, manifest: Option<&str>, inherits_version: bool) -> Found {
        Found { name: name.into(), path: path.into(), manifest: manifest.map(Into::into), inherits_version }
    }

    #[test]
    fn cargo_workspace_globs_exclude_root_package_and_inherited_versions() {
        let root = "[package]\nname = \"root\"\nversion = \"1.0.0\"\n\n[workspace]\n\
                    members = [\".\", \"crates/*\", \"tools/*-cli\", \"./libs/core/\", \"crates/api\"]\n\
                    exclude = [\"crates/legacy\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n";
        let dir = repo(&[
            ("Cargo.toml", root),
            ("crates/api/Cargo.toml", &crate_toml("api", "version = \"0.3.0\"")),
            ("crates/web/Cargo.toml", &crate_toml("relkit-web", "version.workspace = true")),
            ("crates/legacy/Cargo.toml", &crate_toml("legacy", "version = \"0.1.0\"")),
            ("crates/legacy/inner/Cargo.toml", &crate_toml("inner", "version = \"0.1.0\"")),
            ("crates/docs/", ""),
            ("crates/virtual/Cargo.toml", "[workspace]\n"),
            ("crates/unversioned/Cargo.toml", "[package]\nname = \"unversioned\"\n"),
            ("crates/.hidden/Cargo.toml", &crate_toml("hidden", "version = \"0.1.0\"")),
            ("crates/target/Cargo.toml", &crate_toml("target", "version = \"0.1.0\"")),
            ("tools/fmt-cli/Cargo.toml", &crate_toml("fmt-cli", "version = \"0.2.0\"")),
            ("tools/fmt-lib/Cargo.toml", &crate_toml("fmt-lib", "version = \"0.2.0\"")),
            ("libs/core/Cargo.toml", &crate_toml("core", "version = { workspace = true }")),
            // A later layout is not consulted.
            ("package.json", r#"{"workspaces": ["packages/*"]}"#),
            ("packages/x/package.json", r#"{"name": "x"}"#),
        ]);
        let (layout, list) = discover(dir.path()).unwrap();
        assert_eq!(layout, Layout::Cargo);
        assert_eq!(
            list,
            vec![
                found("api", "crates/api", Some("crates/api/Cargo.toml"), false),
                found("unversioned", "crates/unversioned", None, false),
                found("relkit-web", "crates/web", None, true),
                found("core", "libs/core", None, true),
                found("fmt-cli", "tools/fmt-cli", Some("tools/fmt-cli/Cargo.toml"), false),
            ]
        );
    }

    #[test]
    fn cargo_double_star_reaches_any_depth_but_not_node_modules() {
        let dir = repo(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/**\"]\nexclude = [\"crates/*/fixtures\"]\n"),
            ("crates/a/Cargo.toml", &crate_toml("a", "version = \"1.0.0\"")),
            ("crates/a/b/c/Cargo.toml", &crate_toml("c", "version = \"1.0.0\"")),
            ("crates/a/fixtures/f/Cargo.toml", &crate_toml("f", "version = \"1.0.0\"")),
            ("crates/a/node_modules/n/Cargo.toml", &crate_toml("n", "version = \"1.0.0\"")),
        ]);
        let (_, list) = discover(dir.path()).unwrap();
        let paths: Vec<&str> = list.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["crates/a", "crates/a/b/c"]);
    }

    #[test]
    fn cargo_members_that_match_nothing_are_an_error() {
        let dir = repo(&[("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"), ("crates/empty/", "")]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("Cargo.toml [workspace] members match no package directory"), "{err}");
    }

    #[test]
    fn a_broken_cargo_toml_is_named_with_its_line() {
        let dir = repo(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("crates/api/Cargo.toml", "[package]\nname = \"api\"\nversion = 1.0.0\"\n"),
        ]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("crates/api/Cargo.toml: line 3: "), "{err}");
        assert!(!err.contains('\n'), "{err}");

        let dir = repo(&[("Cargo.toml", "[workspace\n")]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("Cargo.toml: line 1: "), "{err}");
    }

    #[test]
    fn pnpm_globs_with_negations_quotes_and_comments() {
        let yaml = "# the workspace\npackages:\n  - 'packages/*'\n  - \"apps/**\"\n  - tools/cli   # the CLI\n\n\
                    - '!packages/internal'\n  - '!**/test/**'\ncatalog:\n  react: ^18\n";
        let dir = repo(&[
            ("pnpm-workspace.yaml", yaml),
            ("package.json", r#"{"name": "monorepo", "workspaces": ["nothing/*"]}"#),
            ("packages/ui/package.json", r#"{"name": "@acme/ui", "version": "1.2.0"}"#),
            ("packages/internal/package.json", r#"{"name": "internal", "version": "0.0.1"}"#),
            ("packages/no-manifest/", ""),
            ("apps/site/package.json", r#"{"name": "site", "private": true}"#),
            ("apps/site/test/package.json", r#"{"name": "site-test"}"#),
            ("apps/site/node_modules/dep/package.json", r#"{"name": "dep", "version": "9.0.0"}"#),
            ("tools/cli/package.json", r#"{"version": "3.0.0"}"#),
        ]);
        let (layout, list) = discover(dir.path()).unwrap();
        assert_eq!(layout, Layout::Pnpm);
        assert_eq!(
            list,
            vec![
                found("site", "apps/site", None, false),
                found("@acme/ui", "packages/ui", Some("packages/ui/package.json"), false),
                found("cli", "tools/cli", Some("tools/cli/package.json"), false),
            ]
        );
    }

    #[test]
    fn pnpm_flow_list_and_unsupported_forms() {
        assert_eq!(
            pnpm_packages("packages: ['a/*', \"b\", c] # all\n").unwrap(),
            Some(vec!["a/*".to_string(), "b".to_string(), "c".to_string()])
        );
        assert_eq!(pnpm_packages("catalog:\n  x: 1\n").unwrap(), None);
        assert_eq!(pnpm_packages("packages:\n  - 'it''s'\n").unwrap(), Some(vec!["it's".to_string()]));
        let err = pnpm_packages("packages:\n  - a\n  nested: b\n").unwrap_err();
        assert!(err.starts_with("pnpm-workspace.yaml: line 3: "), "{err}");
        let err = pnpm_packages("packages: a/*\n").unwrap_err();
        assert!(err.starts_with("pnpm-workspace.yaml: line 1: "), "{err}");
    }

    #[test]
    fn npm_workspaces_array_form() {
        let dir = repo(&[
            ("package.json", r#"{"name": "root", "workspaces": ["./packages/*", "!packages/skip"]}"#),
            ("packages/web/package.json", r#"{"name": "@acme/web", "version": "2.0.0"}"#),
            ("packages/api/package.json", r#"{"name": "api", "version": "1.0.0"}"#),
            ("packages/skip/package.json", r#"{"name": "skip", "version": "1.0.0"}"#),
        ]);
        let (layout, list) = discover(dir.path()).unwrap();
        assert_eq!(layout, Layout::Npm);
        assert_eq!(
            list,
            vec![
                found("api", "packages/api", Some("packages/api/package.json"), false),
                found("@acme/web", "packages/web", Some("packages/web/package.json"), false),
            ]
        );
        let text = render(layout, &list);
        assert!(text.contains("name = \"@acme/web\"\npath = \"packages/web\"\ntag-prefix = \"web-v\"\n"), "{text}");
    }

    #[test]
    fn npm_workspaces_object_form() {
        let dir = repo(&[
            ("package.json", r#"{"private": true, "workspaces": {"packages": ["libs/*"], "nohoist": ["**/x"]}}"#),
            ("libs/one/package.json", r#"{"name": "@scope/one", "version": "0.1.0"}"#),
            ("libs/two/package.json", r#"{"version": "0.2.0"}"#),
        ]);
        let (layout, list) = discover(dir.path()).unwrap();
        assert_eq!(layout, Layout::Npm);
        assert_eq!(
            list,
            vec![
                found("@scope/one", "libs/one", Some("libs/one/package.json"), false),
                found("two", "libs/two", Some("libs/two/package.json"), false),
            ]
        );
    }

    #[test]
    fn npm_errors_name_the_file() {
        let dir = repo(&[("package.json", "{\n  \"workspaces\": [\"a/*\",]\n}\n")]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("package.json: line 2: "), "{err}");
        assert!(!err.contains(" at line "), "{err}");

        let dir = repo(&[("package.json", r#"{"workspaces": "packages/*"}"#)]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("package.json: \"workspaces\" is neither"), "{err}");

        let dir = repo(&[("package.json", r#"{"workspaces": ["packages/*"]}"#), ("packages/a/", "")]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("package.json workspaces match no directory"), "{err}");
    }

    #[test]
    fn packages_directories_fallback() {
        let dir = repo(&[
            // A single crate and a package.json without workspaces: no layout of their own.
            ("Cargo.toml", &crate_toml("tool", "version = \"1.0.0\"")),
            ("package.json", r#"{"name": "tool"}"#),
            ("packages/js/package.json", r#"{"name": "ignored-name", "version": "1.0.0"}"#),
            ("packages/rs/Cargo.toml", &crate_toml("rs-crate", "version = \"0.1.0\"")),
            ("packages/rs/package.json", r#"{"private": true}"#),
            ("packages/py/pyproject.toml", "[project]\nname = \"py\"\nversion = \"0.4.0\"\n"),
            ("packages/poetry/pyproject.toml", "[tool.poetry]\nname = \"p\"\nversion = \"0.5.0\"\n"),
            ("packages/dynamic/pyproject.toml", "[project]\nname = \"d\"\ndynamic = [\"version\"]\n"),
            ("packages/plain/", ""),
            ("packages/.cache/", ""),
            ("packages/node_modules/", ""),
        ]);
        let (layout, list) = discover(dir.path()).unwrap();
        assert_eq!(layout, Layout::Directories);
        assert_eq!(
            list,
            vec![
                found("dynamic", "packages/dynamic", None, false),
                found("js", "packages/js", Some("packages/js/package.json"), false),
                found("plain", "packages/plain", None, false),
                found("poetry", "packages/poetry", Some("packages/poetry/pyproject.toml"), false),
                found("py", "packages/py", Some("packages/py/pyproject.toml"), false),
                found("rs", "packages/rs", Some("packages/rs/Cargo.toml"), false),
            ]
        );
        let dir = repo(&[("packages/.git/", "")]);
        let err = discover(dir.path()).unwrap_err();
        assert!(err.starts_with("packages/ holds no package directory"), "{err}");
    }

    #[test]
    fn no_layout_is_an_error_naming_the_directory() {
        let dir = repo(&[("README.md", "hi"), ("Cargo.toml", &crate_toml("one", "version = \"1.0.0\""))]);
        let err = discover(dir.path()).unwrap_err();
        assert_eq!(
            err,
            format!(
                "found no Cargo workspace, pnpm-workspace.yaml, package.json workspaces or packages/ directory in \
                 {}; write [[packages]] entries by hand (see README, Monorepo packages)",
                dir.path().display()
            )
        );
    }

    #[test]
    fn duplicate_names_are_an_error_naming_both_paths() {
        let dir = repo(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\", \"tools/*\"]\n"),
            ("crates/api/Cargo.toml", &crate_toml("api", "version = \"1.0.0\"")),
            ("tools/api/Cargo.toml", &crate_toml("api", "version = \"1.0.0\"")),
        ]);
        let err = discover(dir.path()).unwrap_err();
        assert_eq!(
            err,
            "two packages are named `api`: crates/api and tools/api; rename one (their release tags would collide)"
        );
    }

    #[test]
    fn globs_that_cannot_be_expanded_are_errors() {
        let err = parse_pattern("crates/{a,b}", "Cargo.toml [workspace] members").unwrap_err();
        assert!(err.starts_with("Cargo.toml [workspace] members: `crates/{a,b}` uses `{`"), "{err}");
        assert!(parse_pattern("../sibling", "x").unwrap_err().contains("leaves the repository"));
        assert!(parse_pattern("/abs", "x").unwrap_err().contains("absolute path"));
        assert_eq!(
            parse_pattern("./a//**/**/b*/", "x").unwrap(),
            vec![Part::Literal("a".into()), Part::AnyDepth, Part::Wild("b*".into())]
        );
    }

    #[test]
    fn wildcards_and_path_matching() {
        assert!(wild_match("*-cli", "fmt-cli"));
        assert!(wild_match("*", ""));
        assert!(wild_match("a*b*c", "aXbYbZc"));
        assert!(!wild_match("a*b", "aXbc"));
        assert!(!wild_match("*-cli", "fmt-lib"));
        let p = parse_pattern("**/test/**", "x").unwrap();
        assert!(path_matches(&p, &["test"]));
        assert!(path_matches(&p, &["apps", "site", "test", "deep"]));
        assert!(!path_matches(&p, &["apps", "tests"]));
    }

    #[test]
    fn render_exact_text() {
        let list = vec![
            found("api", "crates/api", Some("crates/api/Cargo.toml"), false),
            found("web", "packages/web", None, true),
        ];
        assert_eq!(
            render(Layout::Cargo, &list),
            r#"# relkit.toml: the packages of the Cargo workspace (Cargo.toml [workspace] members).
# Each package is released on its own, from the commits that change files under its path;
# its tags are "<name>-v<version>" and its CHANGELOG is <path>/CHANGELOG.md.
# See README.md, "Monorepo packages", for every key.

[[packages]]
name = "api"
path = "crates/api"

[[packages.version-files]]
path = "crates/api/Cargo.toml"

[[packages]]
name = "web"
path = "packages/web"
# version.workspace = true: the version lives in the root Cargo.toml, shared by every member;
# give this member its own `version` to release it on its own.
"#
        );
    }

    #[test]
    fn render_layout_lines_and_tag_prefixes() {
        let list = vec![
            found("@a/web", "a/web", Some("a/web/package.json"), false),
            found("@b/web", "b/web", None, false),
            found("@c/ui", "c/ui", None, false),
            found("c-ui", "c-ui", None, false),
            found("ui", "ui", None, false),
        ];
        let text = render(Layout::Pnpm, &list);
        assert!(
            text.starts_with("# relkit.toml: the packages of the pnpm workspace (pnpm-workspace.yaml packages).\n")
        );
        let prefixes: Vec<&str> = text.lines().filter(|l| l.starts_with("tag-prefix")).collect();
        // Two `web`s share the short word; `ui-v` is the plain package's and `c-ui-v` too.
        assert_eq!(prefixes, ["tag-prefix = \"a-web-v\"", "tag-prefix = \"b-web-v\"", "tag-prefix = \"c-ui-2-v\""]);
        assert!(render(Layout::Npm, &[]).contains("the npm workspaces (package.json workspaces)."));
        assert!(render(Layout::Directories, &[]).contains("the packages of the directories under packages/.\n"));
        // The rendered text is TOML.
        text.parse::<toml::Table>().unwrap();
    }
}
