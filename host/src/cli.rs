//! The command line (clap). These types stay in the binary; they convert into
//! the library's [`relkit::Invocation`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use relkit::Command;
use relkit::app::{Env, VersionOverrides};
use relkit::ci::CiKind;
use relkit::commands::{self, Style};
use relkit::config::Preset;

#[derive(Debug, Parser)]
#[command(
    name = "relkit",
    version = env!("RELKIT_VERSION"),
    about = "Release tool for CI: next version, release notes, CHANGELOG, tags and rollback instructions from Conventional Commits",
    after_help = "Exit status: 0 success (including \"no release due\"), 1 error, 2 usage error.\nDocumentation: README.md, https://github.com/relkit/relkit"
)]
pub struct Cli {
    /// Run as if relkit was started in DIR (like `git -C`)
    #[arg(short = 'C', value_name = "DIR", global = true, help_heading = "Global options")]
    dir: Option<PathBuf>,

    /// Read this configuration file instead of <repository>/relkit.toml
    #[arg(long, value_name = "FILE", global = true, help_heading = "Global options")]
    config: Option<PathBuf>,

    /// Color in messages (NO_COLOR is respected with `auto`)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true, help_heading = "Global options")]
    color: ColorChoice,

    /// Print only results and errors
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Global options")]
    quiet: bool,

    /// Print more about what relkit does
    #[arg(short, long, global = true, help_heading = "Global options")]
    verbose: bool,

    /// Act on this package of relkit.toml's [[packages]] only
    #[arg(short = 'p', long, value_name = "NAME", global = true, help_heading = "Global options")]
    package: Option<String>,

    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PresetArg {
    /// Conventional Commits 1.0 (`!` and BREAKING CHANGE footers)
    Conventional,
    /// The same decisions as semantic-release's default commit analyzer
    SemanticRelease,
}

/// How the next version is decided (overrides `[version]` in relkit.toml).
#[derive(Debug, Clone, Args)]
struct VersionFlags {
    /// Version rules: `conventional` (default) or `semantic-release`
    #[arg(long, value_enum, value_name = "NAME")]
    preset: Option<PresetArg>,

    /// Make a pre-release: LABEL `rc` gives 1.3.0-rc.1, then -rc.2, ...
    #[arg(long, value_name = "LABEL", value_parser = label_value)]
    prerelease: Option<String>,

    /// Release this version (must be greater than the current one)
    #[arg(long, value_name = "X.Y.Z", value_parser = version_value)]
    release_as: Option<String>,
}

/// `--release-as`: a semantic version, with or without a leading `v`.
fn version_value(text: &str) -> Result<String, String> {
    semver::Version::parse(text.trim_start_matches('v'))
        .map(|v| v.to_string())
        .map_err(|e| format!("`{text}` is not a semantic version (X.Y.Z): {e}"))
}

/// `--prerelease`: one identifier of letters, digits and hyphens, not a number
/// (relkit numbers the releases of the channel itself: `rc` → `rc.1`, `rc.2`).
fn label_value(text: &str) -> Result<String, String> {
    match relkit::config::label_problem(text) {
        None => Ok(text.to_string()),
        Some(why) => Err(why),
    }
}

impl VersionFlags {
    fn overrides(&self) -> VersionOverrides {
        VersionOverrides {
            preset: self.preset.map(|p| match p {
                PresetArg::Conventional => Preset::Conventional,
                PresetArg::SemanticRelease => Preset::SemanticRelease,
            }),
            prerelease: self.prerelease.clone(),
            release_as: self.release_as.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Print the next version (bare semver), or nothing when no release is due
    Version {
        /// Print current and next version, tag, bump and each commit's contribution as JSON
        #[arg(long, conflicts_with = "explain")]
        json: bool,
        /// Print which commit caused which bump, and the rule that decided the version
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// Print markdown release notes (default: last release tag to HEAD)
    Notes {
        /// Start after this ref (default: the previous release tag)
        #[arg(long, value_name = "REF")]
        from: Option<String>,
        /// End at this ref; a release tag gives that release's notes (default: HEAD)
        #[arg(long, value_name = "REF")]
        to: Option<String>,
        /// Print the data the notes template receives, as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// Add the new release to CHANGELOG.md, or regenerate it with --full
    Changelog {
        /// Regenerate the whole file from history, one section per release tag
        #[arg(long)]
        full: bool,
        /// Write this file instead of [changelog] path
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Print the result instead of writing it
        #[arg(long)]
        dry_run: bool,
        /// With --full: write it even when it drops version sections the file has
        #[arg(long, requires = "full")]
        force: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// Check that commits (or a PR title) are Conventional Commits, and show the release they make
    Check {
        /// Start after this ref (default: the PR's base branch in CI, else the last release tag)
        #[arg(long, value_name = "REF")]
        from: Option<String>,
        /// End at this ref (default: HEAD)
        #[arg(long, value_name = "REF")]
        to: Option<String>,
        /// Check this text (a PR or MR title, for squash merges) instead of commits
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// The release pull request: the release commit (CHANGELOG, version files) on a branch, no tag
    Prepare {
        /// The branch (default: relkit/release)
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        /// Force-update the branch on the remote
        #[arg(long)]
        push: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// The four DORA keys of the releases: deployment frequency, lead time
    /// for changes, change failure rate, time to restore (markdown with
    /// Mermaid charts, or JSON)
    Metrics {
        /// First day of the window, YYYY-MM-DD (UTC; default: 90 days before its end)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Last day of the window, YYYY-MM-DD (UTC; default: now)
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Print the metrics as JSON
        #[arg(long)]
        json: bool,
        /// Incidents (CSV `release,started,resolved` or JSON); a release is
        /// failed when an incident names it, instead of the hotfix rule
        #[arg(long, value_name = "FILE")]
        incidents: Option<PathBuf>,
    },
    /// Print instructions for rolling a release back
    Rollback {
        /// An existing release tag (default: the release about to be made)
        #[arg(long, value_name = "TAG")]
        release: Option<String>,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// Create the annotated release tag, with the release notes as its message
    Tag {
        /// Push the tag (only the tag) to the remote
        #[arg(long)]
        push: bool,
        /// Sign the tag with git's signing configuration (GPG or SSH)
        #[arg(long)]
        sign: bool,
        /// Print what would be done
        #[arg(long)]
        dry_run: bool,
        /// Tag inside a [[release.freeze]] window; the tag message records it
        #[arg(long)]
        ignore_freeze: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// The CI entry point: version, notes, CHANGELOG, rollback, tag and CI outputs
    Release {
        /// Compute and print everything; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Push the tag (and the CHANGELOG commit, if one is made)
        #[arg(long)]
        push: bool,
        /// Release inside a [[release.freeze]] window; the tag message records it
        #[arg(long)]
        ignore_freeze: bool,
        #[command(flatten)]
        version: VersionFlags,
    },
    /// Print a starting relkit.toml; --packages lists a monorepo's packages
    Init {
        /// List the packages of the Cargo, pnpm or npm workspace (or packages/*) as [[packages]]
        #[arg(long)]
        packages: bool,
    },
    /// List the plugins or check a plugin file
    #[command(subcommand)]
    Plugins(PluginsCommand),
}

#[derive(Debug, Subcommand)]
enum PluginsCommand {
    /// List the plugins relkit uses: name, version, capabilities, source
    List,
    /// Load a plugin component, validate it against the contract, report its capabilities and sha256
    Check {
        /// The plugin (.wasm component)
        #[arg(value_name = "FILE.wasm")]
        file: PathBuf,
    },
}

impl Cli {
    /// `-C DIR`, which `main` applies before anything else, like git.
    pub fn take_dir(&mut self) -> Option<PathBuf> {
        self.dir.take()
    }

    pub fn into_invocation(self, env: &Env) -> relkit::Invocation {
        use commands::{changelog, check, metrics, notes, prepare, release, rollback, tag, version};
        let style = Style {
            color: crate::use_color(self.color, env),
            quiet: self.quiet,
            verbose: self.verbose,
            ci: CiKind::detect(env),
            stdout_is_file: crate::stdout_is_file(),
        };
        let command = match self.command {
            Commands::Version { json, explain, version: v } => {
                Command::Version(version::VersionArgs { json, explain, overrides: v.overrides() })
            }
            Commands::Notes { from, to, json, version: v } => {
                Command::Notes(notes::NotesArgs { from, to, json, overrides: v.overrides() })
            }
            Commands::Changelog { full, output, dry_run, force, version: v } => {
                Command::Changelog(changelog::ChangelogArgs { full, output, dry_run, force, overrides: v.overrides() })
            }
            Commands::Check { from, to, message, version: v } => {
                Command::Check(check::CheckArgs { from, to, message, overrides: v.overrides() })
            }
            Commands::Prepare { branch, push, version: v } => {
                Command::Prepare(prepare::PrepareArgs { branch, push, overrides: v.overrides() })
            }
            Commands::Metrics { since, until, json, incidents } => {
                Command::Metrics(metrics::MetricsArgs { since, until, json, incidents })
            }
            Commands::Rollback { release, version: v } => {
                Command::Rollback(rollback::RollbackArgs { release, overrides: v.overrides() })
            }
            Commands::Tag { push, sign, dry_run, ignore_freeze, version: v } => {
                Command::Tag(tag::TagArgs { push, sign, dry_run, ignore_freeze, overrides: v.overrides() })
            }
            Commands::Release { dry_run, push, ignore_freeze, version: v } => {
                Command::Release(release::ReleaseArgs { dry_run, push, ignore_freeze, overrides: v.overrides() })
            }
            Commands::Init { packages } => Command::Init(commands::init::InitArgs { packages }),
            Commands::Plugins(PluginsCommand::List) => Command::PluginsList,
            Commands::Plugins(PluginsCommand::Check { file }) => Command::PluginsCheck(file),
        };
        relkit::Invocation { dir: self.dir, config: self.config, style, package: self.package, command }
    }
}
