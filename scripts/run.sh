#!/usr/bin/env bash
# The run command: builds relkit (first time: about 15 minutes on 2 cores)
# and runs it in the current directory. Without arguments it prints the
# release notes of the repository you stand in: `relkit notes`.
set -euo pipefail
here="$(pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
# Build from the checkout so rustup picks relkit's pinned toolchain.
(cd "$root" && cargo build --quiet --locked -p relkit)
cd "$here"
if [ "$#" -eq 0 ]; then
  set -- notes
fi
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
exec "$target/debug/relkit" "$@"
