#!/usr/bin/env bash
# test.sh: every test, the way CI runs them.
#  1. unit, driver and sandbox tests, inside a private D-Bus session with an unlocked gnome-keyring, so
#     the keyring tests meet a real Secret Service; race detector on every package that needs no cgo;
#  2. the keyring-missing case, outside any D-Bus session;
#  3. the real app under Xvfb on the embedded sandbox, screenshotted and checked.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
export LANG=en_US.UTF-8

# The tests run with a throwaway HOME (so the keyring and settings are their own); keep Go's caches.
export GOCACHE GOMODCACHE
GOCACHE=$($GO env GOCACHE)
GOMODCACHE=$($GO env GOMODCACHE)
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

# Packages that link GLFW (cgo) would make -race recompile it cold; they run without it.
mapfile -t cgo_pkgs < <($GO list -tags "$TAGS" -deps -f '{{if .CgoFiles}}{{.ImportPath}}{{end}}' ./... | grep -v '^$' || true)
mapfile -t all_pkgs < <($GO list -tags "$TAGS" ./...)
race_pkgs=(); plain_pkgs=()
for p in "${all_pkgs[@]}"; do
  if $GO list -tags "$TAGS" -deps "$p" | grep -qx 'github.com/go-gl/glfw/v3.3/glfw'; then plain_pkgs+=("$p"); else race_pkgs+=("$p"); fi
done

echo "== go test (real Secret Service in a private D-Bus session)"
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
  GO="$GO" TAGS="$TAGS" RACE_PKGS="${race_pkgs[*]}" PLAIN_PKGS="${plain_pkgs[*]}" \
  dbus-run-session -- bash -c '
    set -euo pipefail
    echo -n sandbox | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    export RC_REAL_KEYRING=1
    $GO test -race -tags "$TAGS" -count=1 $RACE_PKGS
    [ -z "$PLAIN_PKGS" ] || $GO test -tags "$TAGS" -count=1 $PLAIN_PKGS
  '

echo "== keyring missing (no Secret Service on the bus address)"
DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus HOME="$home" RC_NO_KEYRING=1 \
  $GO test -tags "$TAGS" -count=1 -run 'NoSecretService' ./internal/secrets/

echo "== the app under Xvfb"
GO="$GO" TAGS="$TAGS" scripts/smoke.sh

echo "== crosscheck: real third-party clients against the sandbox"
scripts/crosscheck.sh shots/rescue-companion
