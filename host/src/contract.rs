//! The host side of the plugin contract (`plugins/wit`, relkit:plugin@0.1.0)
//! and the conversions from what relkit reads in git to the contract's records.
//!
//! The host binds the `host` world, which exports every capability; a plugin
//! exports a subset, and the runtime loads each interface it finds.

// The generated bindings use `unsafe` internally (typed function handles).
#[allow(unsafe_code, unused_qualifications, clippy::all)]
mod bindings {
    wasmtime::component::bindgen!({
        path: "../plugins/wit",
        world: "host",
    });
}

pub use bindings::exports::relkit::plugin::changelog::{self as changelog_api, ChangelogInput, ChangelogMode};
pub use bindings::exports::relkit::plugin::info as info_api;
pub use bindings::exports::relkit::plugin::release_metrics::{
    self as metrics_api, Incident, MetricsInput, MetricsReport, ReleasePoint, ShippedCommit,
};
pub use bindings::exports::relkit::plugin::release_notes::{self as notes_api, NotesInput, RenderedNotes};
pub use bindings::exports::relkit::plugin::rollback::{self as rollback_api, RollbackInput};
pub use bindings::exports::relkit::plugin::runbook::{self as runbook_api, FileHead, RunbookInput};
pub use bindings::exports::relkit::plugin::version_bump::{self as version_api, Bump, VersionDecision, VersionInput};
pub use bindings::exports::relkit::plugin::version_files::{
    self as version_files_api, UpdatedFile, VersionFile, VersionFilesInput,
};
pub use bindings::relkit::plugin::types::{
    ChangeKind, ChangedPath, Commit, ForgeKind, Person, Release, Repository, Tag, Template,
};

use crate::forge::{Forge, RepositoryInfo};
use crate::git::{Change, GitCommit, VersionTag};

/// The contract version in export names.
pub const CONTRACT: &str = "relkit:plugin@0.1.0";
pub const PACKAGE: &str = "relkit:plugin";
pub const VERSION_SUFFIX: &str = "@0.1.0";

impl From<&GitCommit> for Commit {
    fn from(c: &GitCommit) -> Self {
        Commit::from(c.clone())
    }
}

impl From<GitCommit> for Commit {
    fn from(c: GitCommit) -> Self {
        Commit {
            id: c.id,
            message: c.message,
            author: Person { name: c.author_name, email: c.author_email },
            time: c.time,
            parents: c.parents,
            changed_paths: c
                .paths
                .into_iter()
                .map(|(change, path)| ChangedPath {
                    path,
                    change: match change {
                        Change::Added => ChangeKind::Added,
                        Change::Modified => ChangeKind::Modified,
                        Change::Deleted => ChangeKind::Deleted,
                    },
                })
                .collect(),
        }
    }
}

impl From<&VersionTag> for Tag {
    fn from(t: &VersionTag) -> Self {
        Tag {
            name: t.name.clone(),
            version: t.version.to_string(),
            commit_id: t.commit.clone(),
            time: t.time,
            date: if t.time == 0 { String::new() } else { crate::git::utc_date(t.time) },
        }
    }
}

impl From<&RepositoryInfo> for Repository {
    fn from(r: &RepositoryInfo) -> Self {
        Repository {
            remote_url: r.remote_url.clone(),
            forge: match r.forge {
                Forge::Github => ForgeKind::Github,
                Forge::Gitlab => ForgeKind::Gitlab,
                Forge::Unknown => ForgeKind::Unknown,
            },
            web_url: r.web_url.clone(),
        }
    }
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}
