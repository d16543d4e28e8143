//! The guest side of relkit's plugin contract.
//!
//! Every relkit plugin depends on this crate. It holds:
//! - [`types`]: the records of the contract (`relkit:plugin@0.1.0`), generated
//!   once from `plugins/wit` so that all plugins share the same Rust types;
//! - [`settings`]: reading the plugin's table of `relkit.toml`;
//! - [`commit`]: Conventional Commit parsing for both presets (`conventional`
//!   with `git-conventional`, and `semantic-release`'s angular rules);
//! - [`revert`]: which commits of a range cancel each other;
//! - with the `render` feature, what the markdown plugins share: [`forge`]
//!   links, [`markdown`] (commit text made safe for markdown), [`model`]
//!   (sections, entries, contributors) and [`render`]
//!   (handlebars with relkit's error messages).
//!
//! - the capability modules ([`version_bump`], [`release_notes`],
//!   [`changelog`], [`rollback`], [`runbook`], [`version_files`],
//!   [`release_metrics`]): each interface's trait and records;
//! - [`export_plugin!`]: the one line that turns a type implementing those
//!   traits into the component's exports, `info` included.
//!
//! Everything here is plain Rust and is tested on the host target; only what
//! [`export_plugin!`] emits for `wasm32` is specific to wasm.
//!
//! # A whole plugin
//!
//! `Cargo.toml` (the crate must be a `cdylib`; an `rlib` too for unit tests):
//!
//! ```toml
//! [package]
//! name = "relkit-plugin-hello"   # reports itself as `hello`
//! version = "0.1.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib", "rlib"]
//!
//! [dependencies]
//! relkit-plugin-sdk = { git = "https://github.com/relkit/relkit" }
//! ```
//!
//! `src/lib.rs`: the logic, and one line to export it:
//!
//! ```
//! use relkit_plugin_sdk::release_notes::{NotesInput, ReleaseNotes, RenderedNotes};
//!
//! pub struct Plugin;
//!
//! impl ReleaseNotes for Plugin {
//!     fn render_notes(input: NotesInput) -> Result<RenderedNotes, String> {
//!         let markdown = format!("# {}\n\n{} commits\n", input.release.tag, input.release.commits.len());
//!         Ok(RenderedNotes { markdown, data: "{}".to_string() })
//!     }
//! }
//!
//! relkit_plugin_sdk::export_plugin!(Plugin: release_notes);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2`: rustc links
//! a `cdylib` for that target into a component directly. `relkit plugins
//! check target/wasm32-wasip2/release/relkit_plugin_hello.wasm` shows what it
//! exports and the `[[plugins.load]]` lines to load it. A plugin with several
//! capabilities names them all (`export_plugin!(Plugin: rollback, runbook)`);
//! `; name = "…", version = "…"` overrides what `info` reports.

pub mod commit;
pub mod glob;
pub mod revert;
pub mod settings;

#[cfg(feature = "render")]
pub mod forge;
#[cfg(feature = "render")]
pub mod markdown;
#[cfg(feature = "render")]
pub mod model;
#[cfg(feature = "render")]
pub mod refs;
#[cfg(feature = "render")]
pub mod render;

/// The contract this SDK implements, as plugins report it in `plugin-info`.
pub const CONTRACT: &str = "relkit:plugin@0.1.0";

#[doc(hidden)]
#[allow(unsafe_code)] // generated bindings
pub mod wit {
    wit_bindgen::generate!({
        world: "types-only",
        path: "../wit",
        additional_derives: [PartialEq, Eq],
    });
}

/// The records of the contract, shared by all plugins (see `plugins/wit/relkit.wit`).
pub use wit::relkit::plugin::types;

pub use settings::Settings;

#[doc(hidden)]
pub mod export;

/// `version-bump`: the next version from the commits since the last release.
/// A plugin implements [`VersionBump`](version_bump::VersionBump).
pub mod version_bump {
    pub use crate::export::version_bump_world::exports::relkit::plugin::version_bump::{
        Bump, Contribution, Guest as VersionBump, VersionDecision, VersionInput,
    };
}

/// `release-notes`: the markdown notes of one release.
/// A plugin implements [`ReleaseNotes`](release_notes::ReleaseNotes).
pub mod release_notes {
    pub use crate::export::release_notes_world::exports::relkit::plugin::release_notes::{
        Guest as ReleaseNotes, NotesInput, RenderedNotes,
    };
}

/// `changelog`: the CHANGELOG updated or regenerated.
/// A plugin implements [`Changelog`](changelog::Changelog).
pub mod changelog {
    pub use crate::export::changelog_world::exports::relkit::plugin::changelog::{
        ChangelogInput, ChangelogMode, Guest as Changelog,
    };
}

/// `rollback`: the rollback runbook of a release (superseded by [`runbook`]).
/// A plugin implements [`Rollback`](rollback::Rollback).
pub mod rollback {
    pub use crate::export::rollback_world::exports::relkit::plugin::rollback::{Guest as Rollback, RollbackInput};
}

/// `runbook`: the rollback runbook with the tree's paths and changed files' heads.
/// A plugin implements [`Runbook`](runbook::Runbook).
pub mod runbook {
    pub use crate::export::runbook_world::exports::relkit::plugin::runbook::{
        FileHead, Guest as Runbook, RunbookInput,
    };
}

/// `version-files`: the new version written into manifests, byte-exact.
/// A plugin implements [`VersionFiles`](version_files::VersionFiles).
pub mod version_files {
    pub use crate::export::version_files_world::exports::relkit::plugin::version_files::{
        Guest as VersionFiles, UpdatedFile, VersionChange, VersionFile, VersionFilesInput,
    };
}

/// `release-metrics`: the four DORA keys of the release history.
/// A plugin implements [`ReleaseMetrics`](release_metrics::ReleaseMetrics).
pub mod release_metrics {
    pub use crate::export::release_metrics_world::exports::relkit::plugin::release_metrics::{
        Guest as ReleaseMetrics, Incident, MetricsInput, MetricsReport, ReleasePoint, ShippedCommit,
    };
}

/// The name a plugin reports by default: its package name without the
/// `relkit-plugin-` prefix (`relkit-plugin-version` → `version`), or the
/// whole package name when it has no such prefix.
pub fn plugin_name(package: &str) -> &str {
    match package.strip_prefix("relkit-plugin-") {
        Some(rest) if !rest.is_empty() => rest,
        _ => package,
    }
}

/// The net change of each path over `commits`, given oldest first, for the
/// paths `keep` accepts: added then deleted is no change, added then modified
/// is added, deleted then added is modified.
pub fn net_changes<'a>(
    commits: impl IntoIterator<Item = &'a types::Commit>,
    keep: impl Fn(&str) -> bool,
) -> std::collections::BTreeMap<&'a str, types::ChangeKind> {
    use types::ChangeKind;
    let mut net = std::collections::BTreeMap::new();
    for c in commits {
        for p in c.changed_paths.iter().filter(|p| keep(&p.path)) {
            let next = match (net.get(p.path.as_str()), p.change) {
                (Some(ChangeKind::Added), ChangeKind::Deleted) => None,
                (Some(ChangeKind::Added), _) => Some(ChangeKind::Added),
                (Some(ChangeKind::Deleted), ChangeKind::Added) => Some(ChangeKind::Modified),
                (_, change) => Some(change),
            };
            match next {
                Some(n) => net.insert(p.path.as_str(), n),
                None => net.remove(p.path.as_str()),
            };
        }
    }
    net
}

/// The short form of a commit id used in text and links.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::release_notes::{NotesInput, ReleaseNotes, RenderedNotes};

    struct Named;
    impl ReleaseNotes for Named {
        fn render_notes(_: NotesInput) -> Result<RenderedNotes, String> {
            Err("unused".to_string())
        }
    }
    crate::export_plugin!(Named: release_notes; name = "hello", version = "9.9.9");

    struct Defaults;
    impl ReleaseNotes for Defaults {
        fn render_notes(_: NotesInput) -> Result<RenderedNotes, String> {
            Err("unused".to_string())
        }
    }
    crate::export_plugin!(Defaults: release_notes);

    #[test]
    fn info_reports_the_given_name_and_version() {
        use crate::export::info_world::exports::relkit::plugin::info::Guest;
        let m = <Named as Guest>::plugin_info();
        assert_eq!((m.name.as_str(), m.version.as_str(), m.contract.as_str()), ("hello", "9.9.9", crate::CONTRACT));
    }

    #[test]
    fn info_defaults_to_the_package_name_and_version() {
        use crate::export::info_world::exports::relkit::plugin::info::Guest;
        let m = <Defaults as Guest>::plugin_info();
        // The calling crate here is relkit-plugin-sdk itself.
        assert_eq!((m.name.as_str(), m.version.as_str()), ("sdk", env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn plugin_name_drops_only_the_relkit_plugin_prefix() {
        assert_eq!(super::plugin_name("relkit-plugin-version-files"), "version-files");
        assert_eq!(super::plugin_name("acme-notes"), "acme-notes");
        assert_eq!(super::plugin_name("relkit-plugin-"), "relkit-plugin-");
    }
}
