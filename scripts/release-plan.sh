#!/usr/bin/env bash
# The release workflow's plan job: builds relkit from this commit and asks it
# for the next version. Writes `version` and `released` to $GITHUB_OUTPUT.
# RELEASE_AS (workflow_dispatch input) forces a version, e.g. the first one.
set -euo pipefail
scripts/setup.sh
cargo build --locked -p relkit
args=(version)
if [ -n "${RELEASE_AS:-}" ]; then args+=(--release-as "$RELEASE_AS"); fi
version="$(target/debug/relkit "${args[@]}")"
out="${GITHUB_OUTPUT:-/dev/stdout}"
echo "version=$version" >> "$out"
if [ -n "$version" ]; then echo "released=true" >> "$out"; else echo "released=false" >> "$out"; fi
target/debug/relkit "${args[@]}" --explain >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
