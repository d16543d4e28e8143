//! The `relkit` binary: parse the command line, run, map errors to exit codes.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut cli = cli::Cli::parse();
    // Like `git -C`: every relative path (--config, --output, the CI files)
    // is then relative to DIR.
    if let Some(dir) = cli.take_dir()
        && let Err(e) = std::env::set_current_dir(&dir)
    {
        eprintln!("error: cannot change to directory {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let env = relkit::app::Env::from_process();
    let invocation = cli.into_invocation(&env);
    let style = invocation.style;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    match relkit::run(&invocation, env, &mut out, &mut err) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The message can hold commit, plugin or git text: no escape
            // sequences, and under GitHub Actions no workflow command.
            let message = relkit::ci::sanitize(&e.to_string(), relkit::ci::CiKind::Local);
            if style.ci == relkit::ci::CiKind::GitHub {
                let _ = writeln!(out, "::error title=relkit::{}", relkit::ci::escape_github(&message));
            }
            let label = if style.color { "\x1b[1;31merror\x1b[0m" } else { "error" };
            let shown = relkit::ci::sanitize(&message, style.ci);
            let _ = writeln!(err, "{label}: {shown}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// Whether stdout is a regular file (a `>` redirection), not a pipe or a terminal.
fn stdout_is_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .and_then(|fd| std::fs::File::from(fd).metadata().ok())
            .is_some_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// `--color auto`: color when stderr is a terminal and NO_COLOR is unset.
fn use_color(choice: cli::ColorChoice, env: &relkit::app::Env) -> bool {
    match choice {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => env.get("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    }
}
