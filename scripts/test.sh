#!/usr/bin/env bash
# The test command: every test of the workspace (plugin rules, the host, the
# end-to-end tests on real git repositories and real plugins, the replay of
# real releases when ../shared/replay is there). Extra arguments go to
# `cargo test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
cargo test --workspace --locked "$@"
