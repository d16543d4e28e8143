#!/usr/bin/env bash
# Makes sure the pinned toolchain (rust-toolchain.toml) and the wasm32-wasip2
# target are installed. rustup does not install them by itself on machines
# with RUSTUP_AUTO_INSTALL=0, so the run and test commands call this first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
toolchain="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$root/rust-toolchain.toml")"
if ! command -v rustup >/dev/null 2>&1; then
  echo "relkit: rustup is needed to build relkit (https://rustup.rs)" >&2
  exit 1
fi
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$toolchain" --profile minimal --component rustfmt,clippy
fi
if ! rustup target list --installed --toolchain "$toolchain" | grep -qx wasm32-wasip2; then
  rustup target add --toolchain "$toolchain" wasm32-wasip2
fi
