//! One release at a time per repository: an exclusive lock on a file in the
//! common git directory (`.git/relkit/lock`), held for the whole run.
//!
//! The lock is the operating system's advisory file lock (`flock` on Unix,
//! `LockFileEx` on Windows), which the kernel drops when the process dies, so
//! a killed run never blocks the next one. The file holds the PID of the
//! holder; a run that takes the lock and finds a PID there knows the previous
//! holder died without finishing (it empties the file on a normal exit) and
//! says so. The file itself is never deleted: deleting a lock file while
//! another process opens it would let two processes hold "the" lock.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The held lock's file, for [`inherit`].
static HELD: Mutex<Option<File>> = Mutex::new(None);

/// The lock file as a child's standard input: the git commands of the commit
/// point and after it get it, so the kernel keeps the lock (which belongs to
/// the open file, shared by every copy) while they run, even if relkit is
/// killed meanwhile. The next run then waits for them instead of racing them.
/// `None` when no lock is held.
pub fn inherit() -> Option<std::process::Stdio> {
    let held = HELD.lock().ok()?;
    held.as_ref()?.try_clone().ok().map(std::process::Stdio::from)
}

/// How long a run waits for a lock whose relkit is gone but whose git
/// commands are still finishing (a push over a slow network).
const ORPHAN_WAIT: Duration = Duration::from_secs(120);

use crate::error::{Error, Result};

/// The held lock; released (and the file emptied) when dropped.
#[derive(Debug)]
pub struct ReleaseLock {
    file: File,
    path: PathBuf,
}

impl ReleaseLock {
    /// Takes the lock in `relkit_dir` or fails at once (no waiting: CI jobs
    /// should not queue behind each other silently). Returns the lock and, when
    /// a killed run had held it, that run's PID.
    pub fn acquire(relkit_dir: &Path) -> Result<(ReleaseLock, Option<String>)> {
        std::fs::create_dir_all(relkit_dir).map_err(|e| Error::file(relkit_dir, e))?;
        let path = relkit_dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::file(&path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.seek(SeekFrom::Start(0));
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim().to_string();
                    // The relkit that took it is gone: a git command it started
                    // (a push) still holds it. Wait for that one to end.
                    if process_gone(&holder) && started.elapsed() < ORPHAN_WAIT {
                        std::thread::sleep(Duration::from_millis(200));
                        continue;
                    }
                    let who = if holder.is_empty() { String::new() } else { format!(" (PID {holder})") };
                    return Err(Error::Refused(format!(
                        "another relkit release is running in this repository{who}; wait for it to finish, then \
                         run again (lock: {})",
                        path.display()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::file(&path, e)),
            }
        }
        let _ = file.seek(SeekFrom::Start(0));
        let mut previous = String::new();
        let _ = file.read_to_string(&mut previous);
        let stale = Some(previous.trim().to_string()).filter(|p| !p.is_empty());
        let mut lock = ReleaseLock { file, path };
        lock.write_pid().map_err(|e| Error::file(&lock.path, e))?;
        if let (Ok(mut held), Ok(copy)) = (HELD.lock(), lock.file.try_clone()) {
            *held = Some(copy);
        }
        Ok((lock, stale))
    }

    fn write_pid(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        // Not synced: the PID is for the next process on this machine, whose
        // view of the file the kernel keeps whatever happens to this one (an
        // fsync here cost 90 ms of a 180 ms release on the benchmark machine).
        write!(self.file, "{}", std::process::id())
    }
}

/// Whether `pid` names no running process (Linux: no `/proc/<pid>`, or a
/// zombie: a killed relkit whose parent does not reap it, as PID 1 of many
/// containers does not, keeps its `/proc` entry in state `Z`); `false` when
/// that cannot be told.
fn process_gone(pid: &str) -> bool {
    if pid.is_empty() || !pid.chars().all(|c| c.is_ascii_digit()) || !Path::new("/proc/self").exists() {
        return false;
    }
    match std::fs::read_to_string(Path::new("/proc").join(pid).join("stat")) {
        Ok(stat) => zombie(&stat),
        Err(_) => !Path::new("/proc").join(pid).exists(),
    }
}

/// Whether a `/proc/<pid>/stat` line says zombie (`Z`) or dead (`X`): the
/// state follows the command name, which is in parentheses and may itself
/// hold spaces and parentheses (proc(5)).
fn zombie(stat: &str) -> bool {
    let Some((_, after)) = stat.rsplit_once(')') else { return false };
    matches!(after.trim_start().chars().next(), Some('Z' | 'X'))
}

impl Drop for ReleaseLock {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock() {
            *held = None;
        }
        // Empty means "released normally"; the kernel drops the lock itself
        // when the file closes.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_a_dead_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (first, stale) = ReleaseLock::acquire(dir.path()).unwrap();
        assert_eq!(stale, None);
        let err = ReleaseLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("another relkit release is running in this repository (PID "), "{err}");
        drop(first);
        let (_again, stale) = ReleaseLock::acquire(dir.path()).unwrap();
        assert_eq!(stale, None, "a normal exit leaves no PID behind");
        // A killed run leaves its PID in the file but no lock.
        drop(_again);
        std::fs::write(dir.path().join("lock"), "4242").unwrap();
        let (_lock, stale) = ReleaseLock::acquire(dir.path()).unwrap();
        assert_eq!(stale.as_deref(), Some("4242"));
    }

    #[test]
    fn a_zombie_is_gone_and_a_running_process_is_not() {
        assert!(zombie("4242 (relkit) Z 1 4242"));
        assert!(zombie("4242 (a) b (c) Z 1"));
        assert!(!zombie("4242 (relkit) S 1 4242"));
        let mut running = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        assert!(!process_gone(&running.id().to_string()));
        // Exited and not reaped (no wait): a zombie, as a killed relkit under
        // a PID 1 that does not reap.
        let exited = std::process::Command::new("true").spawn().unwrap();
        let pid = exited.id().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !process_gone(&pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(process_gone(&pid), "an exited, unreaped child counts as running");
        running.kill().unwrap();
        running.wait().unwrap();
        drop(exited);
    }
}
