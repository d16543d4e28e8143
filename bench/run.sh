#!/usr/bin/env bash
# The benchmark command: builds relkit in release mode, then runs
# bench/bench.py, which writes BENCHMARKS.md. Arguments go to bench.py
# (e.g. --sizes 1000,10000 --runs 3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
cargo build --release --locked -p relkit
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
exec python3 bench/bench.py --relkit "$target/release/relkit" --work "$target/bench" --output "$root/BENCHMARKS.md" "$@"
