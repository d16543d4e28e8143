//! relkit's built-in `version` plugin: decides the next semantic version.
//!
//! The rules live in [`rules`] as plain Rust; this file only adapts them to
//! the WIT contract (`version-bump`; `info` comes from the SDK's macro).

pub mod rules;

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::version_bump::{self as wit, VersionBump};

use rules::{Bump, Config};

/// The plugin: [`rules::decide`] behind the `version-bump` interface.
pub struct Plugin;

fn bump(b: Bump) -> wit::Bump {
    match b {
        Bump::None => wit::Bump::None,
        Bump::Patch => wit::Bump::Patch,
        Bump::Minor => wit::Bump::Minor,
        Bump::Major => wit::Bump::Major,
    }
}

impl VersionBump for Plugin {
    fn next_version(input: wit::VersionInput) -> Result<wit::VersionDecision, String> {
        let config = Config::from_settings(&Settings::new(&input.settings))?;
        let d = rules::decide(&input.commits, input.last_release.as_ref(), &input.tags, &config)?;
        Ok(wit::VersionDecision {
            current: d.current.map(|v| v.to_string()),
            next: d.next.map(|v| v.to_string()),
            bump: bump(d.bump),
            contributions: d
                .contributions
                .into_iter()
                .map(|c| wit::Contribution { commit_id: c.commit_id, bump: bump(c.bump), reason: c.reason })
                .collect(),
            rule: d.rule,
        })
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: version_bump);
