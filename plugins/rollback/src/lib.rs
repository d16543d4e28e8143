//! relkit's built-in `rollback` plugin: the runbook for undoing a release.
//!
//! [`render_runbook`] is plain Rust over the contract's types: path classes
//! in [`classify`], what the repository is in [`detect`], migrations in
//! [`migrate`], the steps in [`plan`], the template's data in [`model`]. [`Plugin`]
//! exports both `runbook` and the older `rollback` interface, which is
//! `runbook` without the tree.

pub mod classify;
pub mod detect;
pub mod migrate;
pub mod model;
pub mod plan;

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::render::{Renderer, tidy_markdown};
use relkit_plugin_sdk::types::{Release, Repository, Template};

pub use model::Tree;

pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/rollback.md.hbs");
pub const DEFAULT_SOURCE: &str = "templates/rollback.md.hbs (built-in)";

/// The runbook of `release` as markdown, from the changed paths alone (the
/// `rollback` interface): [`render_runbook`] with an empty [`Tree`].
pub fn render(
    release: &Release,
    repository: &Repository,
    settings: &[(String, String)],
    template: Option<&Template>,
) -> Result<String, String> {
    render_runbook(release, repository, settings, template, Tree::default())
}

/// The runbook of `release` as markdown (the `runbook` interface). Errors:
/// a `[rollback]` setting of the wrong type or an invalid glob (naming the
/// key), or a template that does not compile or render (naming its source
/// and line).
pub fn render_runbook(
    release: &Release,
    repository: &Repository,
    settings: &[(String, String)],
    template: Option<&Template>,
    tree: Tree<'_>,
) -> Result<String, String> {
    let s = Settings::new(settings);
    let config = model::Config::from_settings(&s)?;
    let classifier = classify::Classifier::from_settings(&s)?;
    let data = model::build(release, repository, &config, &classifier, tree);
    let renderer = Renderer::new(template, DEFAULT_SOURCE, DEFAULT_TEMPLATE)?;
    Ok(tidy_markdown(&renderer.render(&data)?))
}

use relkit_plugin_sdk::rollback::{Rollback, RollbackInput};
use relkit_plugin_sdk::runbook::{Runbook, RunbookInput};

/// The plugin: [`render`] behind `rollback`, [`render_runbook`] behind `runbook`.
pub struct Plugin;

impl Rollback for Plugin {
    fn render_rollback(input: RollbackInput) -> Result<String, String> {
        render(&input.release, &input.repository, &input.settings, input.template.as_ref())
    }
}

impl Runbook for Plugin {
    fn render_runbook(input: RunbookInput) -> Result<String, String> {
        let heads: Vec<(String, String)> = input.file_heads.into_iter().map(|f| (f.path, f.head)).collect();
        let tree = Tree { paths: &input.tree_paths, heads: &heads };
        render_runbook(&input.release, &input.repository, &input.settings, input.template.as_ref(), tree)
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: rollback, runbook);
