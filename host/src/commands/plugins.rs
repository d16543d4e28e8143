//! `relkit plugins list` and `relkit plugins check FILE.wasm`.

use std::path::Path;

use super::Io;
use crate::app::App;
use crate::config::{DEFAULT_FUEL, DEFAULT_MEMORY_MIB};
use crate::error::{Error, Result};
use crate::runtime::{BUILTIN_PLUGINS, Capability, Limits, Plugin, Runtime};

fn runtime_for(app: Option<&App>) -> Result<Runtime> {
    let limits = match app {
        Some(a) => Limits { fuel: a.config.config.plugins.fuel, memory_mib: a.config.config.plugins.memory_mib },
        None => Limits { fuel: DEFAULT_FUEL, memory_mib: DEFAULT_MEMORY_MIB },
    };
    let env = match app {
        Some(a) => a.env.clone(),
        None => crate::app::Env::from_process(),
    };
    let cache = crate::runtime::trusted_cache_dir(|k| env.get(k), app.map(|a| a.repo.root()));
    Runtime::new(limits).map(|r| r.with_cache(cache)).map_err(Error::Refused)
}

fn capabilities(plugin: &Plugin) -> String {
    let names: Vec<&str> = plugin.capabilities.iter().map(|c| c.interface()).collect();
    if names.is_empty() { "-".to_string() } else { names.join(", ") }
}

/// The built-in plugins, then the `[[plugins.load]]` files; `USED FOR` tells
/// which plugin serves each capability.
pub fn list(app: Option<&App>, io: &mut Io<'_>) -> Result<()> {
    let runtime = runtime_for(app)?;
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut plugins: Vec<Plugin> = Vec::new();
    for artifact in BUILTIN_PLUGINS {
        plugins.push(runtime.builtin(artifact.name)?);
    }
    if let Some(app) = app {
        for entry in &app.config.config.plugins.load {
            plugins.push(runtime.load_file(&app.config.resolve(&entry.path), Some(&entry.sha256))?);
        }
    }
    for (i, plugin) in plugins.iter().enumerate() {
        let info = runtime.info(plugin)?;
        // The last plugin exporting a capability serves it.
        let used: Vec<&str> = plugin
            .capabilities
            .iter()
            .filter(|c| !plugins[i + 1..].iter().any(|later| later.has(**c)))
            .map(|c| c.interface())
            .collect();
        let size = BUILTIN_PLUGINS.iter().find(|a| a.name == plugin.name).map(|a| a.wasm_size);
        let source = match size {
            Some(bytes) if matches!(plugin.source, crate::runtime::Source::Builtin) => {
                format!("built-in ({} KiB)", bytes / 1024)
            }
            _ => plugin.source.to_string(),
        };
        rows.push([
            info.name,
            info.version,
            capabilities(plugin),
            if used.is_empty() { "-".to_string() } else { used.join(", ") },
            source,
        ]);
    }
    let header = ["NAME", "VERSION", "CAPABILITIES", "USED FOR", "SOURCE"];
    let widths: Vec<usize> =
        (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0)).collect();
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 4 {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        s.push('\n');
        s
    };
    let mut text = line(header);
    for r in &rows {
        text.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    io.print(&text)
}

/// Loads a component, validates it against the contract and reports it.
pub fn check(app: Option<&App>, path: &Path, io: &mut Io<'_>) -> Result<()> {
    let runtime = runtime_for(app)?;
    let plugin = runtime.load_file(path, None)?;
    let info = runtime.info(&plugin)?;
    let expected = crate::contract::CONTRACT;
    if info.contract != expected {
        return Err(Error::Refused(format!(
            "plugin {}: reports contract {} in plugin-info but exports {expected}; rebuild it against {expected}",
            info.name, info.contract
        )));
    }
    let mut text = format!("{}: relkit plugin `{}` {} ({expected})\n", path.display(), info.name, info.version);
    text.push_str(&format!("capabilities: {}\n", capabilities(&plugin)));
    text.push_str(&format!("sha256: {}\n", plugin.wasm_sha256));
    let serves = |slot: Capability| plugin.capabilities.iter().any(|c| c.slot() == slot);
    let unused: Vec<&str> = Capability::SLOTS.iter().filter(|c| !serves(**c)).map(|c| c.interface()).collect();
    if !unused.is_empty() {
        text.push_str(&format!("(built-in plugins keep serving: {})\n", unused.join(", ")));
    }
    text.push_str(&format!(
        "\nTo use it, add to relkit.toml:\n\n[[plugins.load]]\npath = \"{}\"\nsha256 = \"{}\"\n",
        path.display(),
        plugin.wasm_sha256
    ));
    io.print(&text)
}
