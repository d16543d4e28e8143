//! `relkit metrics [--since DATE] [--until DATE] [--json] [--incidents FILE] [--package NAME]`:
//! the four DORA keys of the releases, as markdown with Mermaid charts or
//! as JSON. Under GitHub Actions the markdown also goes to the step summary.

use std::path::PathBuf;

use super::Io;
use crate::app::App;
use crate::ci::{self, CiKind};
use crate::contract::MetricsInput;
use crate::error::Result;
use crate::metrics::{self, Window};
use crate::runtime::Capability;

#[derive(Debug, Clone, Default)]
pub struct MetricsArgs {
    /// `YYYY-MM-DD`: the window starts at 00:00:00 UTC that day.
    pub since: Option<String>,
    /// `YYYY-MM-DD`: the window ends at 23:59:59 UTC that day.
    pub until: Option<String>,
    pub json: bool,
    /// CSV or JSON incidents (`release,started,resolved`).
    pub incidents: Option<PathBuf>,
}

pub fn run(app: &App, args: &MetricsArgs, io: &mut Io<'_>) -> Result<()> {
    let window = Window::from_args(args.since.as_deref(), args.until.as_deref(), app.now)?;
    let report = app.with_preload(&[Capability::ReleaseMetrics], || -> Result<_> {
        // Every package's releases (each named), or the one package's.
        let mut releases = Vec::new();
        for scope in app.scopes()? {
            releases.extend(metrics::releases(&scope)?);
        }
        let incidents = args.incidents.as_deref().map(|p| metrics::read_incidents(p, &releases)).transpose()?;
        app.detail(format!(
            "relkit: {} stable releases reachable from HEAD, {} commits shipped",
            releases.len(),
            releases.iter().map(|r| r.commits.len()).sum::<usize>()
        ));
        app.compute_metrics(MetricsInput {
            releases,
            since: window.since,
            until: window.until,
            incidents,
            settings: Vec::new(),
        })
    })?;
    if io.style.ci == CiKind::GitHub
        && let Some(path) = ci::append_step_summary(&app.env, &report.markdown)?
    {
        io.detail(&format!("relkit: wrote {}", path.display()))?;
    }
    if args.json {
        let json = report.json.trim_end();
        io.print_data(&format!("{json}\n"))
    } else {
        io.print(&report.markdown)
    }
}
