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
//! Everything here is plain Rust and is tested on the host target; only the
//! export glue in each plugin is specific to wasm.

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
