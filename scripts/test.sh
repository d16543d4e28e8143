#!/usr/bin/env bash
# The test command: every test of the workspace (plugin rules, the host, the
# end-to-end tests on real git repositories and real plugins, the replay of
# real releases when ../shared/replay is there). Extra arguments go to both
# `cargo test` runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
# Two runs, not one `--workspace`: testing the plugin crates in the same run
# as the host would unify their dependencies' features with wasmtime's and
# make cargo build wasmtime a second time (see host/Cargo.toml).
cargo test --locked --workspace --exclude relkit "$@"
cargo test --locked -p relkit "$@"
