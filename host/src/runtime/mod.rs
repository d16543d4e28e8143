//! The plugin runtime: wasmtime's component model, one sandboxed Store per
//! call.
//!
//! Every failure of a plugin is one line, `plugin <name>: <what happened>`,
//! and the host goes on working: a trap only ends that call's Store.

pub mod engine_config;
mod sandbox;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Instance, InstancePre, Linker};
use wasmtime::{Engine, Store, Trap};

use crate::contract::{
    self, ChangelogInput, MetricsInput, MetricsReport, NotesInput, RenderedNotes, RollbackInput, RunbookInput,
    UpdatedFile, VersionDecision, VersionFilesInput, VersionInput, changelog_api, info_api, metrics_api, notes_api,
    rollback_api, runbook_api, version_api, version_files_api,
};
use sandbox::Sandbox;

/// The artifacts host/build.rs embeds: each built-in plugin, precompiled.
pub struct BuiltinArtifact {
    pub name: &'static str,
    pub wasm_sha256: &'static str,
    pub wasm_size: usize,
    pub precompiled: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));

/// What a plugin can do, found from its exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    VersionBump,
    ReleaseNotes,
    Changelog,
    /// `rollback` or its successor `runbook` (see [`Capability::Runbook`]).
    Rollback,
    VersionFiles,
    ReleaseMetrics,
    /// Not a slot of its own: a plugin that exports `runbook` serves the
    /// rollback slot, and the host calls `render-runbook` on it instead of
    /// `render-rollback`.
    Runbook,
}

impl Capability {
    /// Every capability an export can give.
    pub const ALL: [Capability; 7] = [
        Capability::VersionBump,
        Capability::ReleaseNotes,
        Capability::Changelog,
        Capability::Rollback,
        Capability::VersionFiles,
        Capability::ReleaseMetrics,
        Capability::Runbook,
    ];

    /// The slots a plugin is chosen for (everything but `Runbook`).
    pub const SLOTS: [Capability; 6] = [
        Capability::VersionBump,
        Capability::ReleaseNotes,
        Capability::Changelog,
        Capability::Rollback,
        Capability::VersionFiles,
        Capability::ReleaseMetrics,
    ];

    pub fn interface(self) -> &'static str {
        match self {
            Capability::VersionBump => "version-bump",
            Capability::ReleaseNotes => "release-notes",
            Capability::Changelog => "changelog",
            Capability::Rollback => "rollback",
            Capability::VersionFiles => "version-files",
            Capability::ReleaseMetrics => "release-metrics",
            Capability::Runbook => "runbook",
        }
    }

    /// The slot this export fills (`Runbook` fills `Rollback`).
    pub fn slot(self) -> Capability {
        match self {
            Capability::Runbook => Capability::Rollback,
            other => other,
        }
    }

    pub fn export_name(self) -> String {
        format!("{}/{}{}", contract::PACKAGE, self.interface(), contract::VERSION_SUFFIX)
    }

    /// The built-in plugin that provides it.
    pub fn builtin(self) -> &'static str {
        match self {
            Capability::VersionBump => "version",
            Capability::ReleaseNotes => "notes",
            Capability::Changelog => "changelog",
            Capability::Rollback | Capability::Runbook => "rollback",
            Capability::VersionFiles => "version-files",
            Capability::ReleaseMetrics => "metrics",
        }
    }
}

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Builtin,
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin => f.write_str("built-in"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// What went wrong in a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    OutOfFuel,
    OutOfMemory { limit_mib: u64 },
    StackOverflow,
    Panicked(String),
    ReturnedError(String),
    NotAPlugin { exports: Vec<String> },
    Mismatch(String),
    Trapped(String),
    Load(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::OutOfFuel => f.write_str("ran out of its CPU budget (raise [plugins] fuel)"),
            Failure::OutOfMemory { limit_mib } => {
                write!(f, "exceeded its memory limit of {limit_mib} MiB (raise [plugins] memory-mib)")
            }
            Failure::StackOverflow => f.write_str("overflowed its wasm stack (runaway recursion?)"),
            Failure::Panicked(m) => write!(f, "panicked: {m}"),
            Failure::ReturnedError(m) => write!(f, "returned an error: {m}"),
            Failure::NotAPlugin { exports } => {
                let list = if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") };
                write!(f, "does not implement {} (it exports {list})", contract::CONTRACT)
            }
            Failure::Mismatch(m) => write!(f, "does not match {}: {m}", contract::CONTRACT),
            Failure::Trapped(m) => write!(f, "crashed: {m}"),
            Failure::Load(m) => write!(f, "cannot be loaded: {m}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plugin {plugin}: {failure}")]
pub struct PluginError {
    pub plugin: String,
    pub failure: Failure,
}

pub type Result<T, E = PluginError> = std::result::Result<T, E>;

/// Per-call limits (`[plugins] fuel` and `memory-mib`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub fuel: u64,
    pub memory_mib: u64,
}

/// A loaded plugin, ready to be instantiated once per call.
pub struct Plugin {
    pub name: String,
    pub source: Source,
    pub wasm_sha256: String,
    pub capabilities: Vec<Capability>,
    pre: InstancePre<Sandbox>,
    indices: Indices,
}

/// Export lookups done once per plugin, not once per call.
struct Indices {
    info: info_api::GuestIndices,
    version: Option<version_api::GuestIndices>,
    notes: Option<notes_api::GuestIndices>,
    changelog: Option<changelog_api::GuestIndices>,
    rollback: Option<rollback_api::GuestIndices>,
    runbook: Option<runbook_api::GuestIndices>,
    version_files: Option<version_files_api::GuestIndices>,
    metrics: Option<metrics_api::GuestIndices>,
}

impl Plugin {
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}

/// The engine, the WASI linker and the limits; cheap to share by reference.
pub struct Runtime {
    engine: Engine,
    linker: Linker<Sandbox>,
    limits: Limits,
    /// Where compiled third-party plugins are kept (see [`trusted_cache_dir`]).
    cache: Option<PathBuf>,
}

impl Runtime {
    pub fn with_cache(mut self, cache: Option<PathBuf>) -> Self {
        self.cache = cache;
        self
    }

    pub fn new(limits: Limits) -> Result<Self, String> {
        let engine = Engine::new(&engine_config::engine_config()).map_err(|e| format!("wasmtime: {e}"))?;
        let mut linker = Linker::new(&engine);
        // Rust guests import WASI (for std); it is linked with a context that
        // grants nothing (see sandbox.rs).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("wasmtime-wasi: {e}"))?;
        Ok(Self { engine, linker, limits, cache: None })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A built-in plugin, from the precompiled artifact in this binary.
    pub fn builtin(&self, name: &str) -> Result<Plugin> {
        let fail = |failure| PluginError { plugin: name.to_string(), failure };
        let artifact = BUILTIN_PLUGINS
            .iter()
            .find(|a| a.name == name)
            .ok_or_else(|| fail(Failure::Load("no such built-in plugin".into())))?;
        // SAFETY: the bytes were produced by `Engine::precompile_component` in
        // host/build.rs, with this engine's configuration, and are embedded in
        // this binary: they are trusted. Nothing from outside is deserialized here.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(&self.engine, artifact.precompiled) }.map_err(|e| {
            fail(Failure::Load(format!("the precompiled artifact does not fit this engine ({e}); rebuild relkit")))
        })?;
        self.prepare(name.to_string(), Source::Builtin, artifact.wasm_sha256.to_string(), component)
    }

    /// A plugin from a `.wasm` file, checked against `expected_sha256` when
    /// given. Compiled code is cached by content hash (see [`cache_dir`]).
    pub fn load_file(&self, path: &Path, expected_sha256: Option<&str>) -> Result<Plugin> {
        let label = path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
        let fail = |failure| PluginError { plugin: label.clone(), failure };
        let bytes = read_plugin_file(path).map_err(|e| fail(Failure::Load(e)))?;
        let sha = hex(&Sha256::digest(&bytes));
        if let Some(expected) = expected_sha256
            && !expected.eq_ignore_ascii_case(&sha)
        {
            return Err(fail(Failure::Load(format!(
                "{} has sha256 {sha}, but relkit.toml pins {expected}; if you trust the new file, update the pin",
                path.display()
            ))));
        }
        let component = self.compile_cached(&bytes, &sha).map_err(|e| fail(Failure::Load(e)))?;
        let mut plugin = self.prepare(label, Source::File(path.to_path_buf()), sha, component)?;
        plugin.name = self.info(&plugin)?.name;
        Ok(plugin)
    }

    fn compile_cached(&self, bytes: &[u8], sha: &str) -> Result<Component, String> {
        let cache = self.cache.as_ref().map(|dir| dir.join(format!("{sha}-{}.cwasm", self.engine_fingerprint())));
        if let Some(path) = cache.as_ref().filter(|p| private_file(p)) {
            // SAFETY: compiled code is native code, so only a file this
            // function wrote may be loaded: the directory passed
            // `trusted_cache_dir` (the user's own, private, outside the
            // repository, not a CI job's) and the file is private to the user
            // too. It is named by the source's sha256 and this engine's
            // fingerprint; a damaged file fails to deserialize.
            #[allow(unsafe_code)]
            if let Ok(c) = unsafe { Component::deserialize_file(&self.engine, path) } {
                return Ok(c);
            }
        }
        if !bytes.starts_with(b"\0asm") {
            return Err("not a WebAssembly file".to_string());
        }
        let component = Component::new(&self.engine, bytes).map_err(|e| format!("not a valid component: {e}"))?;
        if let Some(path) = cache {
            // A cache that cannot be written only costs time.
            if let Ok(serialized) = component.serialize() {
                let _ = crate::fsutil::write_atomic(&path, &serialized);
            }
        }
        Ok(component)
    }

    fn engine_fingerprint(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        format!("{:016x}", h.finish())
    }

    fn prepare(&self, name: String, source: Source, wasm_sha256: String, component: Component) -> Result<Plugin> {
        let fail = |failure| PluginError { plugin: name.clone(), failure };
        let engine = &self.engine;
        let exports: Vec<String> = component.component_type().exports(engine).map(|(n, _)| n.to_string()).collect();
        let info_export = format!("{}/info{}", contract::PACKAGE, contract::VERSION_SUFFIX);
        if !exports.contains(&info_export) {
            return Err(fail(Failure::NotAPlugin { exports }));
        }
        let capabilities: Vec<Capability> =
            Capability::ALL.into_iter().filter(|c| exports.contains(&c.export_name())).collect();
        let pre = self.linker.instantiate_pre(&component).map_err(|e| {
            fail(Failure::Load(format!(
                "it imports something relkit does not provide (plugins may only import WASI): {e}"
            )))
        })?;
        let mismatch = |e: wasmtime::Error| fail(Failure::Mismatch(e.to_string()));
        let has = |c: Capability| capabilities.contains(&c);
        let indices = Indices {
            info: info_api::GuestIndices::new(&pre).map_err(mismatch)?,
            version: has(Capability::VersionBump)
                .then(|| version_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            notes: has(Capability::ReleaseNotes)
                .then(|| notes_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            changelog: has(Capability::Changelog)
                .then(|| changelog_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            rollback: has(Capability::Rollback)
                .then(|| rollback_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            runbook: has(Capability::Runbook)
                .then(|| runbook_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            version_files: has(Capability::VersionFiles)
                .then(|| version_files_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
            metrics: has(Capability::ReleaseMetrics)
                .then(|| metrics_api::GuestIndices::new(&pre))
                .transpose()
                .map_err(mismatch)?,
        };
        Ok(Plugin { name, source, wasm_sha256, capabilities, pre, indices })
    }

    /// Runs `f` on a fresh instance in a fresh Store.
    fn call<R>(
        &self,
        plugin: &Plugin,
        f: impl FnOnce(&mut Store<Sandbox>, &Instance) -> wasmtime::Result<Result<R, String>>,
    ) -> Result<R> {
        let memory = usize::try_from(self.limits.memory_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        let mut store = Store::new(&self.engine, Sandbox::new(memory));
        store.limiter(|s| &mut s.limiter);
        let fail = |store: &Store<Sandbox>, err: wasmtime::Error| PluginError {
            plugin: plugin.name.clone(),
            failure: self.classify(store, &err),
        };
        store.set_fuel(self.limits.fuel).map_err(|e| fail(&store, e))?;
        let instance = match plugin.pre.instantiate(&mut store) {
            Ok(i) => i,
            Err(e) => return Err(fail(&store, e)),
        };
        match f(&mut store, &instance) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(text)) => {
                Err(PluginError { plugin: plugin.name.clone(), failure: Failure::ReturnedError(bounded(text)) })
            }
            Err(e) => Err(fail(&store, e)),
        }
    }

    fn classify(&self, store: &Store<Sandbox>, err: &wasmtime::Error) -> Failure {
        let data = store.data();
        if data.limiter.exceeded {
            return Failure::OutOfMemory { limit_mib: self.limits.memory_mib };
        }
        match err.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => return Failure::OutOfFuel,
            Some(Trap::StackOverflow) => return Failure::StackOverflow,
            _ => {}
        }
        let stderr = data.stderr_text();
        if let Some(message) = panic_message(&stderr) {
            return Failure::Panicked(message);
        }
        if err.downcast_ref::<Trap>().is_none() && err.to_string().contains("type") {
            return Failure::Mismatch(err.to_string());
        }
        // The root cause ("wasm trap: out of bounds memory access"), not the
        // wasm backtrace wasmtime attaches as context.
        let cause = err.root_cause().to_string();
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
        if tail.is_empty() {
            Failure::Trapped(cause)
        } else {
            Failure::Trapped(format!("{cause}; its stderr ends: {}", tail.join(" / ")))
        }
    }

    pub fn info(&self, plugin: &Plugin) -> Result<info_api::Metadata> {
        self.call(plugin, |store, instance| {
            let guest = plugin.indices.info.load(&mut *store, instance)?;
            Ok(Ok(guest.call_plugin_info(&mut *store)?))
        })
    }

    pub fn next_version(&self, plugin: &Plugin, input: &VersionInput) -> Result<VersionDecision> {
        let indices = self.require(plugin, Capability::VersionBump, plugin.indices.version.as_ref())?;
        self.call(plugin, |store, instance| indices.load(&mut *store, instance)?.call_next_version(&mut *store, input))
    }

    pub fn render_notes(&self, plugin: &Plugin, input: &NotesInput) -> Result<RenderedNotes> {
        let indices = self.require(plugin, Capability::ReleaseNotes, plugin.indices.notes.as_ref())?;
        self.call(plugin, |store, instance| indices.load(&mut *store, instance)?.call_render_notes(&mut *store, input))
    }

    pub fn update_changelog(&self, plugin: &Plugin, input: &ChangelogInput) -> Result<String> {
        let indices = self.require(plugin, Capability::Changelog, plugin.indices.changelog.as_ref())?;
        self.call(plugin, |store, instance| {
            indices.load(&mut *store, instance)?.call_update_changelog(&mut *store, input)
        })
    }

    pub fn render_rollback(&self, plugin: &Plugin, input: &RollbackInput) -> Result<String> {
        let indices = self.require(plugin, Capability::Rollback, plugin.indices.rollback.as_ref())?;
        self.call(plugin, |store, instance| {
            indices.load(&mut *store, instance)?.call_render_rollback(&mut *store, input)
        })
    }

    /// The rollback runbook with the repository's paths and file heads.
    pub fn render_runbook(&self, plugin: &Plugin, input: &RunbookInput) -> Result<String> {
        let indices = self.require(plugin, Capability::Runbook, plugin.indices.runbook.as_ref())?;
        self.call(plugin, |store, instance| {
            indices.load(&mut *store, instance)?.call_render_runbook(&mut *store, input)
        })
    }

    /// The version files' new texts, one per input file in input order.
    pub fn update_version_files(&self, plugin: &Plugin, input: &VersionFilesInput) -> Result<Vec<UpdatedFile>> {
        let indices = self.require(plugin, Capability::VersionFiles, plugin.indices.version_files.as_ref())?;
        self.call(plugin, |store, instance| {
            indices.load(&mut *store, instance)?.call_update_version_files(&mut *store, input)
        })
    }

    /// The DORA keys of a release history.
    pub fn compute_metrics(&self, plugin: &Plugin, input: &MetricsInput) -> Result<MetricsReport> {
        let indices = self.require(plugin, Capability::ReleaseMetrics, plugin.indices.metrics.as_ref())?;
        self.call(plugin, |store, instance| {
            indices.load(&mut *store, instance)?.call_compute_metrics(&mut *store, input)
        })
    }

    fn require<'p, T>(&self, plugin: &Plugin, capability: Capability, indices: Option<&'p T>) -> Result<&'p T> {
        if let Some(indices) = indices {
            return Ok(indices);
        }
        Err(PluginError {
            plugin: plugin.name.clone(),
            failure: Failure::Mismatch(format!("it does not export {}", capability.export_name())),
        })
    }
}

/// The message of a Rust panic in the guest's stderr:
/// `thread '<unnamed>' panicked at src/lib.rs:3:5:\n<message>\nnote: ...`.
fn panic_message(stderr: &str) -> Option<String> {
    let at = stderr.find("panicked at ")?;
    let after = &stderr[at..];
    let (first, rest) = after.split_once('\n').unwrap_or((after, ""));
    let message: Vec<&str> = rest.lines().take_while(|l| !l.starts_with("note: ")).collect();
    let message = message.join(" ").trim().to_string();
    if message.is_empty() {
        // Old format: `panicked at 'message', src/lib.rs:3:5`.
        return Some(first.trim_start_matches("panicked at ").to_string());
    }
    Some(message)
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Where compiled third-party plugins may be cached, if anywhere:
/// `$RELKIT_CACHE_DIR`, else (outside CI) `$XDG_CACHE_HOME/relkit` or
/// `~/.cache/relkit`. Refused: a directory inside the repository (files there
/// come from commits or restored CI caches), and one that is not the user's
/// own or that others may write. In CI (`CI=true`) without
/// `RELKIT_CACHE_DIR`, nothing is cached: a job starts empty anyway, and a
/// restored cache is not to be trusted with native code.
pub fn trusted_cache_dir(get: impl Fn(&str) -> Option<String>, repo_root: Option<&Path>) -> Option<PathBuf> {
    let dir = match get("RELKIT_CACHE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None if get("CI").as_deref() == Some("true") => return None,
        None => match get("XDG_CACHE_HOME") {
            Some(dir) => PathBuf::from(dir).join("relkit"),
            None => PathBuf::from(get("HOME")?).join(".cache").join("relkit"),
        },
    };
    if !dir.is_dir() {
        create_private_dir(&dir).ok()?;
    }
    let dir = dir.canonicalize().ok()?;
    if let Some(root) = repo_root.and_then(|r| r.canonicalize().ok())
        && dir.starts_with(&root)
    {
        return None;
    }
    private_dir(&dir).then_some(dir)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Owned by the user running relkit, and writable by nobody else.
#[cfg(unix)]
fn owned_and_private(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // /proc/self belongs to the process's user on Linux; elsewhere the owner
    // check is left to the permission bits.
    let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    me.is_none_or(|uid| uid == meta.uid()) && meta.mode() & 0o022 == 0
}

#[cfg(not(unix))]
fn owned_and_private(_meta: &std::fs::Metadata) -> bool {
    true
}

fn private_dir(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && owned_and_private(&m))
}

fn private_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && owned_and_private(&m))
}

/// The most a plugin file may hold: the built-in plugins are well under
/// 1 MiB; a larger file is not a plugin (or is `/dev/zero`).
pub const MAX_PLUGIN_BYTES: u64 = 64 * 1024 * 1024;

/// The most of a plugin's error text relkit shows (a plugin cannot flood the
/// log or the terminal with it).
pub const MAX_ERROR_CHARS: usize = 4000;

/// Reads a plugin file: a regular file of at most [`MAX_PLUGIN_BYTES`], read
/// only that far whatever the file claims.
fn read_plugin_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let meta = file.metadata().map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file; a plugin is a .wasm component file", path.display()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PLUGIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_PLUGIN_BYTES {
        return Err(format!(
            "{} is larger than {} MiB; that is no relkit plugin",
            path.display(),
            MAX_PLUGIN_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// A plugin's error text, cut to [`MAX_ERROR_CHARS`] characters.
fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((at, _)) => format!("{}… ({} more bytes)", &text[..at], text.len() - at),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages() {
        let stderr =
            "\nthread '<unnamed>' panicked at src/lib.rs:10:5:\nsomething broke\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(panic_message(stderr).as_deref(), Some("something broke"));
        assert_eq!(panic_message("nothing here"), None);
    }
}
