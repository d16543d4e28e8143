#!/usr/bin/env bash
# Installs relkit for the GitHub action (action.yml).
#   locate:  names the release asset for this runner and its pinned sha256
#   install: uses the cached or downloaded asset when its sha256 matches
#            dist/checksums.txt; without an asset for this runner, builds
#            relkit from the action's own source with cargo install.
# The version is RELKIT_VERSION_INPUT, else the newest release listed in
# dist/checksums.txt for this runner.
# Writes `path=<binary>` (and for locate: asset, sha256, dir) to $GITHUB_OUTPUT.
set -euo pipefail
mode="${1:-install}"
action="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$os-$arch" in
  Linux-X64 | Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
  Linux-ARM64 | Linux-aarch64) target=aarch64-unknown-linux-gnu ;;
  macOS-ARM64 | Darwin-arm64) target=aarch64-apple-darwin ;;
  macOS-X64 | Darwin-x86_64) target=x86_64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=""
if [ "$os" = Windows ]; then exe=".exe"; fi
version="${RELKIT_VERSION_INPUT:-}"
requested="$version"
if [ -z "$version" ] && [ -n "$target" ]; then
  # Lines are "<sha256>  relkit-<version>-<target>[.exe]".
  version="$(awk -v suffix="-$target$exe" 'substr($2, length($2) - length(suffix) + 1) == suffix { v = substr($2, 8, length($2) - 7 - length(suffix)); print v }' \
    "$action/dist/checksums.txt" | sort -V | tail -n 1)"
fi
if [ -z "$version" ]; then
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)"
fi
asset="relkit-$version-$target$exe"
expected=""
if [ -n "$target" ]; then
  expected="$(awk -v a="$asset" '$2 == a { print $1 }' "$action/dist/checksums.txt")"
fi
dir="${RUNNER_TOOL_CACHE:-${HOME:-/tmp}/.cache}/relkit/$version/$target"
out="${GITHUB_OUTPUT:-/dev/stdout}"
# An explicit version must be a release with an asset for this runner:
# building the action's own source would give another version silently.
if [ -n "$requested" ] && [ -z "$expected" ]; then
  listed="$(awk -v suffix="-$target$exe" 'substr($2, length($2) - length(suffix) + 1) == suffix { print substr($2, 8, length($2) - 7 - length(suffix)) }' "$action/dist/checksums.txt" | sort -V | tr '\n' ' ')"
  echo "::error title=relkit::relkit-version $requested has no release asset for ${target:-$os-$arch} in dist/checksums.txt (released: ${listed:-none}); use one of those, or leave relkit-version empty"
  exit 1
fi
# The source a build from source would use, as a cache key: the files that
# make the binary (the action is a tarball on the runner, not a git checkout).
source_key() {
  (cd "$action" && find Cargo.toml Cargo.lock rust-toolchain.toml host plugins templates -type f \
    -not -path '*/target/*' -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256_stream)
}
sha256_stream() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d ' ' -f 1; else shasum -a 256 | cut -d ' ' -f 1; fi
}
source_dir="$dir/source"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1; else shasum -a 256 "$1" | cut -d ' ' -f 1; fi
}

if [ "$mode" = locate ]; then
  if [ -n "$expected" ]; then
    { echo "asset=$asset"; echo "sha256=$expected"; echo "dir=$dir"; } >> "$out"
  else
    { echo "asset="; echo "source-key=${os}-${arch}-$(source_key)"; echo "source-dir=$source_dir"; } >> "$out"
  fi
  exit 0
fi

if [ -n "$expected" ]; then
  bin="$dir/relkit$exe"
  if [ -f "$bin" ] && [ "$(sha256 "$bin")" = "$expected" ]; then
    echo "relkit $version: cached $asset"
  else
    mkdir -p "$dir"
    url="${GITHUB_SERVER_URL:-https://github.com}/relkit/relkit/releases/download/v$version/$asset"
    echo "relkit $version: downloading $url"
    curl -fsSL --retry 3 -o "$bin.download" "$url"
    actual="$(sha256 "$bin.download")"
    if [ "$actual" != "$expected" ]; then
      rm -f "$bin.download"
      echo "::error title=relkit::$asset has sha256 $actual, but dist/checksums.txt lists $expected; refusing to run it"
      exit 1
    fi
    chmod +x "$bin.download"
    mv "$bin.download" "$bin"
  fi
else
  bin="$source_dir/bin/relkit$exe"
  key="$(source_key)"
  if [ -x "$bin" ] && [ "$(cat "$source_dir/source-key" 2>/dev/null)" = "$key" ]; then
    echo "relkit $version: no release asset for ${target:-$os-$arch}; using the build of this source from the cache"
  else
    echo "relkit $version: no release asset for ${target:-$os-$arch}; building from the action's source"
    echo "relkit: the first build takes about 15 minutes on 2 cores (wasmtime); later runs use the cache"
    "$action/scripts/setup.sh"
    profile=()
    # Tests set RELKIT_INSTALL_DEBUG to reuse their dev-profile build.
    if [ -n "${RELKIT_INSTALL_DEBUG:-}" ]; then profile=(--debug); fi
    # Not --quiet: cargo's progress shows the build is alive.
    (cd "$action" && cargo install --locked --force "${profile[@]}" --path host --root "$source_dir")
    echo "$key" > "$source_dir/source-key"
  fi
fi
"$bin" --version
echo "path=$bin" >> "$out"
