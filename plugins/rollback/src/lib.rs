//! relkit's built-in `rollback` plugin: the runbook for undoing a release.
//!
//! [`render`] is plain Rust over the contract's types (path classes in
//! [`classify`], the runbook's data in [`model`]); the wasm glue is below.

pub mod classify;
pub mod model;

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::render::{Renderer, tidy_markdown};
use relkit_plugin_sdk::types::{Release, Repository, Template};

pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/rollback.md.hbs");
pub const DEFAULT_SOURCE: &str = "templates/rollback.md.hbs (built-in)";

pub fn render(
    release: &Release,
    repository: &Repository,
    settings: &[(String, String)],
    template: Option<&Template>,
) -> Result<String, String> {
    let s = Settings::new(settings);
    let config = model::Config::from_settings(&s)?;
    let classifier = classify::Classifier::from_settings(&s)?;
    let data = model::build(release, repository, &config, &classifier);
    let renderer = Renderer::new(template, DEFAULT_SOURCE, DEFAULT_TEMPLATE)?;
    Ok(tidy_markdown(&renderer.render(&data)?))
}

// The generated export glue is `unsafe` by nature (raw ABI functions).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    wit_bindgen::generate!({
        world: "rollback-plugin",
        path: "../wit",
        with: { "relkit:plugin/types@0.1.0": relkit_plugin_sdk::types },
    });

    use exports::relkit::plugin::info::{Guest as Info, Metadata};
    use exports::relkit::plugin::rollback::{Guest as Rollback, RollbackInput};

    struct Plugin;

    impl Info for Plugin {
        fn plugin_info() -> Metadata {
            Metadata {
                name: "rollback".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                contract: relkit_plugin_sdk::CONTRACT.to_string(),
            }
        }
    }

    impl Rollback for Plugin {
        fn render_rollback(input: RollbackInput) -> Result<String, String> {
            super::render(&input.release, &input.repository, &input.settings, input.template.as_ref())
        }
    }

    export!(Plugin);
}
