//! SIGINT and SIGTERM during a release (a Ctrl-C, or the signal a CI cancel
//! sends): before the commit point the run stops at the next step with
//! nothing to undo; after it, relkit finishes the local update first.
//!
//! While a release runs, the signals only set a flag (signal-hook); the steps
//! ask [`interrupted`] between them. The git commands of the commit point and
//! after it run in their own process group (`git::write`), so the signal sent
//! to relkit's group does not kill them halfway either. A SIGKILL cannot be
//! caught: that case is for the next run to finish (`recover`).

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Catches SIGINT and SIGTERM for the rest of the process.
pub fn catch() {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Failing to install the handler leaves the default (the run dies,
        // and the next one finishes what it committed to): not worth failing for.
        let _ = signal_hook::flag::register(signal, Arc::clone(flag()));
    }
}

/// Whether a SIGINT or SIGTERM arrived since [`catch`].
pub fn interrupted() -> bool {
    flag().load(Ordering::SeqCst)
}
