//! relkit's built-in `version` plugin: decides the next semantic version.
//!
//! The rules live in [`rules`] as plain Rust; this file only adapts them to
//! the WIT contract (`version-bump` and `info`).

pub mod rules;

// The generated export glue is `unsafe` by nature (raw ABI functions).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    use relkit_plugin_sdk::Settings;

    use super::rules::{self, Bump, Config};

    wit_bindgen::generate!({
        world: "version-plugin",
        path: "../wit",
        with: { "relkit:plugin/types@0.1.0": relkit_plugin_sdk::types },
    });

    use exports::relkit::plugin::info::{Guest as Info, Metadata};
    use exports::relkit::plugin::version_bump::{self as wit, Guest as VersionBump};

    struct Plugin;

    impl Info for Plugin {
        fn plugin_info() -> Metadata {
            Metadata {
                name: "version".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                contract: relkit_plugin_sdk::CONTRACT.to_string(),
            }
        }
    }

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

    export!(Plugin);
}
