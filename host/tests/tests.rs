//! relkit's integration tests: one test binary (so the workspace links tests
//! once), a module per area. Every test builds real git repositories with
//! real git and runs the real binary or the real plugin runtime.

// Tests unwrap freely: a panic is how a test fails.
#![allow(clippy::unwrap_used)]

mod support;

mod action;
mod changelog;
mod check;
mod cli;
mod config_errors;
mod correctness;
mod freeze;
mod git_reading;
mod injection;
mod metrics;
mod notes;
mod packages;
mod plugins;
mod prepare;
mod readme;
mod release;
mod replay;
mod rollback;
mod sandbox;
mod tag;
mod transaction;
mod version;
mod version_files;
