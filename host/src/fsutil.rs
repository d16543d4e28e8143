//! Writing files so that a failure never leaves half a file behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it
/// over `path`. Readers see the old content or the new one, never a mix.
/// An existing file keeps its permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_via(path, bytes, None)
}

/// [`write_atomic`] with the temporary file in `tmp_dir` (relkit's directory
/// inside `.git`, so that a kill never leaves a stray file in the work tree);
/// beside `path` when the two are on different file systems.
pub fn write_atomic_in(path: &Path, bytes: &[u8], tmp_dir: &Path) -> std::io::Result<()> {
    write_atomic_via(path, bytes, Some(tmp_dir))
}

fn write_atomic_via(path: &Path, bytes: &[u8], tmp_dir: Option<&Path>) -> std::io::Result<()> {
    // A symlink stays a symlink: the file it points to is replaced.
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let tmp_dir = tmp_dir.unwrap_or(dir);
    std::fs::create_dir_all(tmp_dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".relkit-").suffix(".tmp").tempfile_in(tmp_dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the mode of the file being replaced (tempfile creates 0600).
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    } else {
        set_default_mode(tmp.path())?;
    }
    match tmp.persist(path) {
        Ok(_) => Ok(()),
        // EXDEV: the git directory is on another file system than the work
        // tree (rare); rename cannot cross it, so the file goes beside.
        Err(e) if tmp_dir != dir && e.error.raw_os_error() == Some(18) => write_atomic_via(path, bytes, None),
        Err(e) => Err(e.error),
    }
}

/// Where `path` (relative to `base`, or absolute) really is, every symlink
/// followed; an error when that is outside `root` (the repository's top
/// directory). Configuration paths go through this before relkit reads or
/// writes them: a `..` or a symlink must not lead a release out of the
/// repository. The file itself need not exist; its directory need not either.
pub fn resolve_inside(root: &Path, base: &Path, path: &Path) -> Result<PathBuf, String> {
    let joined = if path.is_absolute() { path.to_path_buf() } else { base.join(path) };
    let root = std::fs::canonicalize(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    let real = real_path(&lexical(&joined), 0)?;
    if let Ok(inside) = real.strip_prefix(&root) {
        // The git directory is not the repository's content: a path there
        // could overwrite a hook or relkit's own journal.
        if inside.components().any(|c| c.as_os_str() == ".git") {
            return Err(format!(
                "{} leads into the git directory ({}); use a path in the work tree",
                path.display(),
                real.display()
            ));
        }
        Ok(real)
    } else {
        let via = if std::fs::symlink_metadata(&joined).is_ok_and(|m| m.file_type().is_symlink()) {
            " (it is a symlink; replace it with the file itself, or point the setting at a file in the repository)"
        } else {
            "; use a path inside the repository"
        };
        Err(format!("{} leads to {}, outside the repository {}{via}", path.display(), real.display(), root.display()))
    }
}

/// `path` with `.` and `..` taken lexically (the walk in [`real_path`] only
/// ever appends names).
fn lexical(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

/// Where `path` really is: the deepest part that exists with its symlinks
/// resolved, then the rest. A dangling symlink is followed too (writing
/// through it would create its target).
fn real_path(path: &Path, depth: u32) -> Result<PathBuf, String> {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut real = loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            break real;
        }
        if std::fs::symlink_metadata(&existing).is_ok_and(|m| m.file_type().is_symlink()) {
            if depth > 40 {
                return Err(format!("{}: too many levels of symlinks", path.display()));
            }
            let target = std::fs::read_link(&existing).map_err(|e| format!("{}: {e}", existing.display()))?;
            // Relative to where the link really is.
            let parent = existing.parent().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
            let mut next = parent.unwrap_or_default().join(target);
            for part in rest.iter().rev() {
                next.push(part);
            }
            return real_path(&lexical(&next), depth + 1);
        }
        let Some(name) = existing.file_name() else { break existing };
        rest.push(name.to_os_string());
        if !existing.pop() {
            break existing;
        }
    };
    for part in rest.iter().rev() {
        real.push(part);
    }
    Ok(real)
}

/// Removes the temporary files (`.relkit-*.tmp`) a killed run left in `dir`.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".relkit-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn set_default_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_mode(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("docs-CHANGELOG.md");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("CHANGELOG.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn paths_must_stay_inside_the_repository() {
        let outside = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/CHANGELOG.md"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("docs/CHANGELOG.md"), root.join("CHANGELOG.md")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("evil.md"), root.join("EVIL.md")).unwrap();
        let real_root = std::fs::canonicalize(root).unwrap();
        let inside = resolve_inside(root, root, Path::new("CHANGELOG.md")).unwrap();
        assert_eq!(inside, real_root.join("docs/CHANGELOG.md"));
        assert_eq!(resolve_inside(root, root, Path::new("new/dir/x.md")).unwrap(), real_root.join("new/dir/x.md"));
        let err = resolve_inside(root, root, Path::new("EVIL.md")).unwrap_err();
        assert!(err.contains("outside the repository") && err.contains("symlink"), "{err}");
        let err = resolve_inside(root, root, Path::new("../x.md")).unwrap_err();
        assert!(err.contains("outside the repository"), "{err}");
        assert!(resolve_inside(root, root, Path::new("missing/../../x.md")).is_err());
        assert!(resolve_inside(root, root, Path::new("/etc/passwd")).is_err());
        let err = resolve_inside(root, root, Path::new(".git/hooks/post-checkout")).unwrap_err();
        assert!(err.contains("git directory"), "{err}");
    }

    #[test]
    fn temporary_files_go_to_the_given_directory() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("git/relkit/tmp");
        let path = dir.path().join("CHANGELOG.md");
        write_atomic_in(&path, b"one", &tmp).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        std::fs::write(dir.path().join(".relkit-abc.tmp"), "stale").unwrap();
        remove_stale_temporaries(dir.path());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("CHANGELOG.md");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1);
    }
}
