//! relkit: a release tool for CI. From a repository's Conventional Commits it
//! decides the next semantic version, writes release notes, the CHANGELOG and
//! rollback instructions, tags the release and reports to GitHub Actions or
//! GitLab CI. The decisions and texts come from WebAssembly plugins run in a
//! sandbox ([`runtime`]); this crate reads git, runs them and applies the
//! results.
//!
//! The binary (`main.rs`) parses the command line into [`Invocation`] and
//! calls [`run`].

pub mod app;
pub mod ci;
pub mod commands;
pub mod config;
pub mod contract;
pub mod discover;
pub mod error;
pub mod forge;
pub mod freeze;
pub mod fsutil;
pub mod git;
pub mod lint;
pub mod metrics;
pub mod refname;
pub mod release;
pub mod runbook;
pub mod runtime;
pub mod version_files;

use std::io::Write;
use std::path::PathBuf;

pub use error::{Error, Result};

use app::{App, Env};
use commands::{Io, Style};

/// One command of the command line (DESIGN.md, "Command line").
#[derive(Debug, Clone)]
pub enum Command {
    Version(commands::version::VersionArgs),
    Notes(commands::notes::NotesArgs),
    Metrics(commands::metrics::MetricsArgs),
    Check(commands::check::CheckArgs),
    Init(commands::init::InitArgs),
    Prepare(commands::prepare::PrepareArgs),
    Changelog(commands::changelog::ChangelogArgs),
    Rollback(commands::rollback::RollbackArgs),
    Tag(commands::tag::TagArgs),
    Release(commands::release::ReleaseArgs),
    PluginsList,
    PluginsCheck(PathBuf),
}

/// A parsed invocation: global options and the command.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `-C DIR`: run as if started in DIR.
    pub dir: Option<PathBuf>,
    /// `--config FILE` instead of `<repository>/relkit.toml`.
    pub config: Option<PathBuf>,
    pub style: Style,
    /// `--package NAME`: the one `[[packages]]` entry the command is about.
    pub package: Option<String>,
    pub command: Command,
}

/// Runs a command; results go to `out`, progress and warnings to `err`.
pub fn run(invocation: &Invocation, env: Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut io = Io::new(out, err, invocation.style);
    let dir = match &invocation.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|e| Error::file(".", e))?,
    };
    let result = dispatch(invocation, &dir, env, &mut io);
    // Before main prints an error annotation, which must be outside the block.
    io.close()?;
    result
}

fn dispatch(invocation: &Invocation, dir: &std::path::Path, env: Env, io: &mut Io<'_>) -> Result<()> {
    let open = || App::open(dir, invocation.config.as_deref(), env.clone());
    match &invocation.command {
        Command::PluginsList => {
            // Works outside a repository too (built-in plugins only).
            let app = open().ok();
            commands::plugins::list(app.as_ref(), io)
        }
        Command::PluginsCheck(path) => {
            let app = open().ok();
            commands::plugins::check(app.as_ref(), path, io)
        }
        // Needs the repository, not a valid relkit.toml (there may be none yet).
        Command::Init(a) => commands::init::run(&git::Repo::open(dir)?, a, io),
        command => {
            let mut app = open()?;
            app.verbose = io.style.verbose;
            app.selected = invocation.package.clone();
            app.detail(match &app.config.path {
                Some(path) => format!("relkit: configuration {}", path.display()),
                None => "relkit: no relkit.toml; every setting at its default".to_string(),
            });
            let overrides = match command {
                Command::Version(a) => Some(&a.overrides),
                Command::Notes(a) => Some(&a.overrides),
                Command::Check(a) => Some(&a.overrides),
                Command::Prepare(a) => Some(&a.overrides),
                Command::Changelog(a) => Some(&a.overrides),
                Command::Rollback(a) => Some(&a.overrides),
                Command::Tag(a) => Some(&a.overrides),
                Command::Release(a) => Some(&a.overrides),
                _ => None,
            };
            if commands::several(&app) && overrides.is_some_and(|o| o.release_as.is_some()) {
                return Err(Error::Refused(
                    "--release-as gives one package's version; add --package NAME (relkit.toml lists [[packages]]), \
                     or write `Release-As: <package>@<version>` in a commit"
                        .to_string(),
                ));
            }
            let result = match command {
                Command::Version(a) => commands::version::run(&app, a, io),
                Command::Notes(a) => commands::notes::run(&app, a, io),
                Command::Metrics(a) => commands::metrics::run(&app, a, io),
                Command::Check(a) => commands::check::run(&app, a, io),
                Command::Prepare(a) => commands::prepare::run(&app, a, io),
                Command::Changelog(a) => commands::changelog::run(&app, a, io),
                Command::Rollback(a) => commands::rollback::run(&app, a, io),
                Command::Tag(a) => commands::tag::run(&app, a, io),
                Command::Release(a) => commands::release::run(&app, a, io),
                Command::PluginsList | Command::PluginsCheck(_) | Command::Init(_) => Ok(()),
            };
            for line in app.take_details() {
                io.detail(&line)?;
            }
            for warning in app.take_warnings() {
                io.warn(&warning)?;
            }
            result
        }
    }
}
