//! `relkit init [--packages]`: prints a starting relkit.toml.
//!
//! With `--packages`, the `[[packages]]` of a monorepo found from its
//! workspace files (`crate::discover`): a Cargo workspace, a pnpm or npm
//! workspace, or the directories under `packages/`. It prints, never
//! writes: `relkit init --packages > relkit.toml`, then review it.

use super::Io;
use crate::error::{Error, Result};
use crate::git::Repo;

/// `relkit init [--packages]`.
#[derive(Debug, Clone, Default)]
pub struct InitArgs {
    /// List the repository's workspace members as `[[packages]]`.
    pub packages: bool,
}

/// The configuration `relkit init` prints without `--packages`: every key
/// at its default is left out, a few common ones shown commented.
pub const STARTER: &str = "# relkit.toml: every key is optional; README.md lists them all.\n\
# [version]\n# preset = \"conventional\"      # or \"semantic-release\"\n\
# [changelog]\n# path = \"CHANGELOG.md\"\n\
# [[version-files]]\n# path = \"Cargo.toml\"\n";

/// Prints the starting configuration on stdout. Errors: no workspace layout
/// found, or a manifest that does not parse (one line naming the file).
pub fn run(repo: &Repo, args: &InitArgs, io: &mut Io<'_>) -> Result<()> {
    if !args.packages {
        return io.print(STARTER);
    }
    let (layout, mut found) = crate::discover::discover(repo.root()).map_err(Error::Refused)?;
    // A name relkit refuses would make the printed file fail on its first use.
    let mut skipped = String::new();
    let mut kept: Vec<(String, String)> = Vec::new();
    found.retain(|f| match crate::config::package_name_problem(&f.name) {
        // Two names that differ only in case, or give one notes file.
        None => {
            let notes = crate::ci::package_notes_file(std::path::Path::new("relkit-notes.md"), &f.name)
                .display()
                .to_string()
                .to_ascii_lowercase();
            match kept.iter().find(|(name, n)| name.eq_ignore_ascii_case(&f.name) || *n == notes) {
                Some((other, _)) => {
                    skipped.push_str(&format!(
                        "# Left out: {:?} at {}: it would collide with {other:?} (tags or CI notes files); add it \
                         by hand with its own name.\n",
                        f.name,
                        if f.path.is_empty() { "." } else { &f.path }
                    ));
                    false
                }
                None => {
                    kept.push((f.name.clone(), notes));
                    true
                }
            }
        }
        Some(why) => {
            skipped.push_str(&format!(
                "# Left out: {:?} at {} {why}; add it by hand under another name.\n",
                f.name,
                if f.path.is_empty() { "." } else { &f.path }
            ));
            false
        }
    });
    io.print(&crate::discover::render(layout, &found))?;
    if !skipped.is_empty() {
        io.print(&format!("\n{skipped}"))?;
    }
    if found.iter().any(|f| f.manifest.is_some()) {
        // The first release of a package without tags is [version] initial
        // (0.1.0), which a manifest at 1.4.0 would refuse (relkit never
        // lowers a version): say what to do before it happens.
        io.print(
            "\n# Before the first release: a package whose manifest already says a released version needs that\n\
             # release tagged with its tag-prefix (`git tag api-v1.4.0 <commit>`); relkit goes on from it.\n",
        )?;
    }
    Ok(())
}
