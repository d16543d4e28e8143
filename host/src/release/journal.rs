//! The release journal: what a run is about to commit to, written (atomically)
//! to `<git dir>/relkit-release.json` before the commit point and removed once
//! everything after it is done. A journal found at start means a run was
//! killed: [`recover`](super::recover) decides from the refs whether its
//! commit point was reached.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::ci::Outputs;
use crate::error::{Error, Result};

/// A prepared release: every object exists, no ref points at them yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub version: String,
    pub tag: String,
    /// The annotated (or signed) tag object.
    pub tag_object: String,
    /// Whether the tag object is signed.
    #[serde(default)]
    pub signed: bool,
    /// The commit the tag points at: the release commit, or `head`.
    pub target: String,
    /// HEAD when relkit read it.
    pub head: String,
    /// What HEAD is: `refs/heads/<branch>`, or `HEAD` when detached.
    pub head_ref: String,
    /// Whether `target` is a release commit on top of `head` (the branch moves).
    pub release_commit: bool,
    /// `--push`: the remote, and the branch there that moves with the release commit.
    pub remote: Option<String>,
    pub remote_branch: Option<String>,
    /// Where the remote branch must be for the push (see `release::lease`).
    #[serde(default)]
    pub remote_lease: Option<String>,
    /// Release tags made earlier and pushed along (see `Push::unpublished_tags`).
    #[serde(default)]
    pub unpublished_tags: Vec<String>,
    pub files: Vec<JournalFile>,
    pub outputs: Outputs,
    /// The other packages' tags made in the same transaction.
    #[serde(default)]
    pub also: Vec<JournalTag>,
}

/// Another package's release tag of the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalTag {
    pub version: String,
    pub tag: String,
    pub tag_object: String,
}

impl Journal {
    /// Every tag of the release, `(name, tag object)`: this package's first.
    pub fn tags(&self) -> Vec<(&str, &str)> {
        let mut tags = vec![(self.tag.as_str(), self.tag_object.as_str())];
        tags.extend(self.also.iter().map(|t| (t.tag.as_str(), t.tag_object.as_str())));
        tags
    }
}

/// A file of the release, by blob ids (the contents are in the object store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFile {
    /// Relative to the repository's top directory, `/`-separated.
    pub path: String,
    /// Its mode in the release commit (`100644`, `100755`).
    pub mode: String,
    /// sha256 (hex) of the work-tree bytes relkit read; `None`: no file.
    pub old_sha256: Option<String>,
    /// The blob of `path` in HEAD's tree (what the index must hold to be updated).
    pub old_blob: Option<String>,
    /// The new content as git stores it (clean filters applied); empty for a
    /// file that is not committed (its text is in `new_text`). A recovery
    /// writes this form to the work tree, which a clean filter maps to the
    /// same blob.
    pub new_blob: String,
    /// sha256 (hex) of the new work-tree bytes: a file that has them is done.
    #[serde(default)]
    pub new_sha256: Option<String>,
    /// The new content itself, for a file not in the release commit (there is
    /// no blob of it then): the CHANGELOG is UTF-8 text.
    #[serde(default)]
    pub new_text: Option<String>,
    /// Whether it is part of the release commit (else work tree only).
    pub committed: bool,
}

impl Journal {
    fn path(app: &App) -> PathBuf {
        app.repo.git_dir().join("relkit-release.json")
    }

    /// Writes the journal atomically: a kill leaves no journal or the whole
    /// one. Not synced to disk: the threat is a killed process, whose writes
    /// the kernel keeps; a machine that loses power loses the runner's clone
    /// with it.
    pub fn save(&self, app: &App) -> Result<()> {
        let path = Self::path(app);
        let text = serde_json::to_vec(self).map_err(|e| Error::file(&path, e))?;
        let tmp = super::tmp_dir(app).join(format!("journal-{}", std::process::id()));
        std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| Error::file(&path, e))
    }

    /// The journal a killed run left, if any.
    pub fn load(app: &App) -> Result<Option<Journal>> {
        let path = Self::path(app);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::file(
                    &path,
                    format!("is not a relkit release journal ({e}); delete it if no release is under way"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::file(&path, e)),
        }
    }

    /// Removes the journal: the release is finished, or was never made.
    pub fn discard(&self, app: &App) {
        let _ = std::fs::remove_file(Self::path(app));
    }
}
