#!/usr/bin/env bash
# go.sh: print the path of a Go toolchain able to build this module, fetching one if needed.
# A Go of 1.21 or later switches to go.mod's version by itself (GOTOOLCHAIN=auto). An older or missing
# Go (Debian 12 ships 1.19) is used once to download the toolchain from the Go module proxy.
set -euo pipefail
want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$(dirname "$0")/../go.mod")
toolchain_version=${GO_TOOLCHAIN_VERSION:-1.26.8}

usable() { # a go whose minor version is >= 21 can switch toolchains
  local v
  v=$("$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
  [ -n "$v" ] && [ "$v" -ge 21 ]
}
for g in "$(command -v go || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
  if [ -n "$g" ] && [ -x "$g" ] && usable "$g"; then echo "$g"; exit 0; fi
done

old=$(command -v go || true)
if [ -z "$old" ]; then
  "$(dirname "$0")/deps.sh" golang-go ca-certificates >&2
  old=$(command -v go)
fi
arch=$(uname -m); case "$arch" in x86_64) arch=amd64;; aarch64) arch=arm64;; esac
mod="golang.org/toolchain@v0.0.1-go${toolchain_version}.linux-${arch}"
echo "Fetching Go ${toolchain_version} (go.mod wants ${want}) through the module proxy…" >&2
dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "$old" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
chmod +x "$dir/bin/go" "$dir/pkg/tool/"*/* 2>/dev/null || true
echo "$dir/bin/go"
