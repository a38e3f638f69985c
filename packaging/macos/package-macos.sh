#!/usr/bin/env bash
# package-macos.sh: the macOS release, on a Mac with Xcode's command line tools and Go:
#   1. a universal (arm64 + x86_64) binary, stripped, version from FyneApp.toml;
#   2. "Rescue Companion.app" laid out around it by `fyne package -os darwin --release --exe`, with
#      LSUIElement (a menu-bar app: no Dock icon), the macOS version Go requires, a category and the
#      app's languages;
#   3. codesign with the hardened runtime and a secure timestamp;
#   4. notarisation of the app (notarytool submit --wait), then stapler staple;
#   5. a product archive: pkgbuild (component) + productbuild --sign, notarised and stapled too.
#
#   packaging/macos/package-macos.sh   -> dist/Rescue Companion.app, dist/rescue-companion-<version>.pkg
#
# Identities and notary credentials come from the environment; each missing one skips its step with a
# line that says so (RC_REQUIRE_SIGNING=1 turns that into a failure):
#   MACOS_SIGN_IDENTITY        "Developer ID Application: Org (TEAMID)" in the keychain
#   MACOS_INSTALLER_IDENTITY   "Developer ID Installer: Org (TEAMID)" in the keychain
#   MACOS_KEYCHAIN             a keychain to search for both (optional; CI uses a temporary one)
#   notary credentials, one of:
#     MACOS_NOTARY_PROFILE                                      from `xcrun notarytool store-credentials`
#     MACOS_NOTARY_KEY + MACOS_NOTARY_KEY_ID + MACOS_NOTARY_ISSUER   an App Store Connect API key (.p8)
#     MACOS_NOTARY_APPLE_ID + MACOS_NOTARY_TEAM_ID + MACOS_NOTARY_PASSWORD   an app-specific password
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
DIST=${DIST:-$root/dist}
FYNE_VERSION=${FYNE_VERSION:-v1.7.4}
# Go 1.25 and later run on macOS 12 (Monterey) or newer.
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-12.0}

[ "$(uname -s)" = Darwin ] || { echo "package-macos.sh runs on macOS (codesign, notarytool, pkgbuild)" >&2; exit 1; }

# shellcheck source=scripts/appmeta.sh
. "$root/scripts/appmeta.sh"
icon=$(toml Details Icon)
pkg=rescue-companion

# skip STEP REASON: say a step is skipped, or fail when signing is required.
skip() {
  if [ "${RC_REQUIRE_SIGNING:-0}" = 1 ]; then echo "RC_REQUIRE_SIGNING=1: cannot $1: $2" >&2; exit 1; fi
  echo "SKIPPED $1: $2"
}
keychain=()
[ -z "${MACOS_KEYCHAIN:-}" ] || keychain=(--keychain "$MACOS_KEYCHAIN")

fyne=${FYNE:-${XDG_CACHE_HOME:-$HOME/.cache}/rescue-companion/tools/fyne-$FYNE_VERSION/fyne}
if [ ! -x "$fyne" ]; then
  GOFLAGS='' GOBIN=$(dirname "$fyne") $GO install "fyne.io/tools/cmd/fyne@$FYNE_VERSION"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DIST"

# 1. One binary per architecture (cmd/go passes clang the matching -arch), joined with lipo.
for arch in arm64 amd64; do
  CGO_ENABLED=1 GOOS=darwin GOARCH=$arch $GO build -trimpath -tags "release,$TAGS" \
    -ldflags "-s -w -X main.version=$version" -o "$work/$pkg-$arch" ./app
done
lipo -create -output "$work/$pkg" "$work/$pkg-arm64" "$work/$pkg-amd64"

# 2. The bundle. fyne package wants FyneApp.toml beside Go code and rewrites it: it gets a throwaway
# directory holding a copy, the icon and a stub, and packages the binary built above.
mkdir -p "$work/fyne/$(dirname "$icon")"
cp FyneApp.toml "$work/fyne/"
cp "$icon" "$work/fyne/$icon"
printf 'package main\n\nfunc main() {}\n' >"$work/fyne/main.go"
(cd "$work/fyne" && "$fyne" package -os darwin --release --exe "$work/$pkg")
app="$DIST/$name.app"
rm -rf "$app"
mv "$work/fyne/$name.app" "$app"
plist="$app/Contents/Info.plist"
plutil -replace LSUIElement -bool YES "$plist"
plutil -replace LSMinimumSystemVersion -string "$MACOSX_DEPLOYMENT_TARGET" "$plist"
# fyne leaves the category empty ("public.app-category."), and the app speaks English and French.
plutil -replace LSApplicationCategoryType -string public.app-category.business "$plist"
plutil -replace CFBundleLocalizations -json '["en","fr"]' "$plist"
plutil -lint "$plist"

# notarise FILE: submit to Apple's notary service and wait for the verdict.
notarise() {
  local creds=()
  if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
    creds=(--keychain-profile "$MACOS_NOTARY_PROFILE")
    [ -z "${MACOS_KEYCHAIN:-}" ] || creds+=(--keychain "$MACOS_KEYCHAIN")
  elif [ -n "${MACOS_NOTARY_KEY:-}" ]; then
    creds=(--key "$MACOS_NOTARY_KEY" --key-id "$MACOS_NOTARY_KEY_ID" --issuer "$MACOS_NOTARY_ISSUER")
  elif [ -n "${MACOS_NOTARY_APPLE_ID:-}" ]; then
    creds=(--apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" --password "$MACOS_NOTARY_PASSWORD")
  else
    skip "notarise $(basename "$1")" "no MACOS_NOTARY_PROFILE, MACOS_NOTARY_KEY or MACOS_NOTARY_APPLE_ID"
    return 1
  fi
  xcrun notarytool submit "$1" "${creds[@]}" --wait --output-format json | tee "$work/notary.json"
  # --wait returns 0 once processing ends, whatever the verdict: read it.
  grep -q '"status" *: *"Accepted"' "$work/notary.json" || {
    echo "notarisation of $(basename "$1") was not accepted; see: xcrun notarytool log <id> ${creds[*]:0:2}" >&2
    exit 1
  }
}

# 3-4. Sign (hardened runtime, secure timestamp; the app needs no entitlements), notarise, staple.
signed=0
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --options runtime --timestamp "${keychain[@]}" --sign "$MACOS_SIGN_IDENTITY" "$app"
  codesign --verify --strict --verbose=2 "$app"
  signed=1
  ditto -c -k --keepParent "$app" "$work/$pkg.zip"
  if notarise "$work/$pkg.zip"; then
    xcrun stapler staple "$app"
    xcrun stapler validate "$app"
    spctl --assess --type execute --verbose=2 "$app"
  fi
else
  skip "codesign $name.app" "MACOS_SIGN_IDENTITY is not set"
fi

# 5. The installer: a component package for /Applications, then a signed product archive.
component="$work/$pkg-component.pkg"
pkgbuild --component "$app" --install-location /Applications --identifier "$app_id" --version "$version" "$component"
productbuild --synthesize --package "$component" "$work/distribution.xml"
product="$DIST/$pkg-$version.pkg"
if [ -n "${MACOS_INSTALLER_IDENTITY:-}" ]; then
  productbuild --distribution "$work/distribution.xml" --package-path "$work" \
    --sign "$MACOS_INSTALLER_IDENTITY" --timestamp "${keychain[@]}" "$product"
  pkgutil --check-signature "$product"
  if [ "$signed" = 1 ] && notarise "$product"; then
    xcrun stapler staple "$product"
    spctl --assess --type install --verbose=2 "$product"
  fi
else
  productbuild --distribution "$work/distribution.xml" --package-path "$work" "$product"
  skip "sign $(basename "$product")" "MACOS_INSTALLER_IDENTITY is not set"
fi
du -sh "$app" "$product"
