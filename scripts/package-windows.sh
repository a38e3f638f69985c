#!/usr/bin/env bash
# package-windows.sh: the Windows release, built on Linux: rescue-companion.exe (mingw cross-build with
# its icon, version information and manifest), signed, then the per-machine MSI built from the signed exe
# with wixl, signed too. FyneApp.toml gives the name, ID and version.
#
#   scripts/package-windows.sh            -> dist/rescue-companion-<version>-windows-amd64.exe
#                                            dist/rescue-companion-<version>-x64.msi
# Signing (osslsigncode, SHA-256), from files named by the environment:
#   RC_SIGN_PFX (+ RC_SIGN_PASS or RC_SIGN_PASS_FILE)       a PKCS#12 bundle, or
#   RC_SIGN_CERT + RC_SIGN_KEY (+ RC_SIGN_PASS[_FILE])      PEM/DER certificate (chain) and private key;
#   RC_TIMESTAMP_URL   an RFC 3161 time-stamping server (left out when unset);
#   RC_REQUIRE_SIGNING=1   fail instead of producing unsigned artefacts.
# The build reuses Go's build cache (GOCACHE): the first cross-build compiles GLFW for Windows (minutes),
# later ones take seconds. The working tree is never written to: the build runs in a copy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
DIST=${DIST:-$root/dist}
export LANG=en_US.UTF-8

# shellcheck source=scripts/appmeta.sh
. "$root/scripts/appmeta.sh"
build=$(toml Details Build)
website=$(toml "" Website)
manufacturer=${RC_PUBLISHER:-$name}
[[ $build =~ ^[0-9]+$ ]] || build=0

scripts/deps.sh gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wixl msitools osslsigncode imagemagick

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Signing material: a PKCS#12 bundle or a certificate and key. A password goes to osslsigncode in a
# private file (removed on exit), never on a command line.
sign_args=()
if [ -n "${RC_SIGN_PFX:-}" ]; then
  sign_args=(-pkcs12 "$RC_SIGN_PFX")
elif [ -n "${RC_SIGN_CERT:-}" ] && [ -n "${RC_SIGN_KEY:-}" ]; then
  sign_args=(-certs "$RC_SIGN_CERT" -key "$RC_SIGN_KEY")
fi
if [ ${#sign_args[@]} -gt 0 ]; then
  if [ -n "${RC_SIGN_PASS_FILE:-}" ]; then
    sign_args+=(-readpass "$RC_SIGN_PASS_FILE")
  elif [ -n "${RC_SIGN_PASS:-}" ]; then
    (umask 077 && printf '%s' "$RC_SIGN_PASS" >"$work/pass")
    sign_args+=(-readpass "$work/pass")
  fi
  [ -z "${RC_TIMESTAMP_URL:-}" ] || sign_args+=(-ts "$RC_TIMESTAMP_URL")
elif [ "${RC_REQUIRE_SIGNING:-0}" = 1 ]; then
  echo "RC_REQUIRE_SIGNING=1 but neither RC_SIGN_PFX nor RC_SIGN_CERT and RC_SIGN_KEY is set" >&2
  exit 1
fi

mkdir -p "$DIST" "$work/src" "$work/res" "$work/msi"

# snapshot: the files of the working tree that git knows or would add (or all but dist/ outside git).
snapshot() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
      tar --null -T - -cf - | tar -C "$1" -xf -
  else
    tar --exclude=./dist --exclude=./.git -cf - . | tar -C "$1" -xf -
  fi
}
snapshot "$work/src"

# Resources: icon, version information, manifest; windres (Debian's mingw binutils) makes the .syso.
IFS=. read -r v_major v_minor v_patch <<<"$version"
fill() { # TEMPLATE OUT
  sed -e "s|@NAME@|$name|g" -e "s|@ID@|$app_id|g" -e "s|@VERSION@|$version|g" \
    -e "s|@FILE_VERSION@|$version.$build|g" -e "s|@VERSION_COMMAS@|$v_major,$v_minor,$v_patch,$build|g" \
    -e "s|@MANUFACTURER@|$manufacturer|g" -e "s|@WEBSITE@|$website|g" "$1" >"$2"
}
fill packaging/windows/rescue-companion.rc.in "$work/res/rescue-companion.rc"
fill packaging/windows/rescue-companion.exe.manifest.in "$work/res/rescue-companion.exe.manifest"
convert "$(toml Details Icon)" -background none -depth 8 -define icon:auto-resize=256,64,48,40,32,24,20,16 "$work/res/app.ico"
(cd "$work/res" && x86_64-w64-mingw32-windres -O coff -i rescue-companion.rc -o "$work/src/app/zz_resources_windows_amd64.syso")

echo "== go build (windows/amd64, mingw; GOCACHE=$($GO env GOCACHE))"
start=$SECONDS
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
  $GO build -C "$work/src" -trimpath -tags "release,$TAGS" \
  -ldflags "-s -w -H=windowsgui -X main.version=$version" -o "$work/rescue-companion.exe" ./app
echo "windows exe built in $((SECONDS - start)) s"

# sign IN OUT: Authenticode SHA-256 signature, or a plain copy when there is nothing to sign with.
sign() {
  if [ ${#sign_args[@]} -eq 0 ]; then cp "$1" "$2"; return; fi
  rm -f "$2"
  osslsigncode sign -h sha256 -n "$name" -i "$website" "${sign_args[@]}" -in "$1" -out "$2" >/dev/null
  echo "signed $(basename "$2")${RC_TIMESTAMP_URL:+ (timestamped by $RC_TIMESTAMP_URL)}"
}

exe="$DIST/rescue-companion-$version-windows-amd64.exe"
msi="$DIST/rescue-companion-$version-x64.msi"
sign "$work/rescue-companion.exe" "$work/msi/rescue-companion.exe"
cp "$work/msi/rescue-companion.exe" "$exe"

# The MSI, from the signed exe. wixl 0.101 writes no component conditions, no SecureCustomProperties
# of its own and no file version: msibuild adds them (packaging/windows/msi-conditions.tsv).
cp "$work/res/app.ico" "$work/msi/app.ico"
(cd "$work/msi" && wixl -a x64 -D Version="$version" -D ProductName="$name" -D Manufacturer="$manufacturer" \
  -D Website="$website" -D ExeSource=rescue-companion.exe -D IconSource=app.ico \
  -o unsigned.msi "$root/packaging/windows/rescue-companion.wxs")
queries=()
msiinfo export "$work/msi/unsigned.msi" Property | tr -d '\r' >"$work/msi/Property.idt" # CRLF lines
secure=$(awk -F'\t' '$1 == "SecureCustomProperties" { print $2 }' "$work/msi/Property.idt")
while IFS=$'\t' read -r component property condition; do
  case $component in '' | '#'*) continue ;; esac
  queries+=(-q "UPDATE \`Component\` SET \`Condition\` = '$condition' WHERE \`Component\` = '$component'")
  [[ ";$secure;" == *";$property;"* ]] || secure="${secure:+$secure;}$property"
done <packaging/windows/msi-conditions.tsv
if grep -q $'^SecureCustomProperties\t' "$work/msi/Property.idt"; then
  queries+=(-q "UPDATE \`Property\` SET \`Value\` = '$secure' WHERE \`Property\` = 'SecureCustomProperties'")
else
  queries+=(-q "INSERT INTO \`Property\` (\`Property\`, \`Value\`) VALUES ('SecureCustomProperties', '$secure')")
fi
# A versioned file (the exe has a version resource) carries its version, not a hash.
queries+=(-q "UPDATE \`File\` SET \`Version\` = '$version.$build' WHERE \`File\` = 'RescueCompanionExe'")
queries+=(-q "DELETE FROM \`MsiFileHash\` WHERE \`File_\` = 'RescueCompanionExe'")
msibuild "$work/msi/unsigned.msi" "${queries[@]}"
sign "$work/msi/unsigned.msi" "$msi"

if [ ${#sign_args[@]} -eq 0 ]; then
  echo "UNSIGNED: no signing certificate given (RC_SIGN_PFX, or RC_SIGN_CERT and RC_SIGN_KEY); the exe and MSI are not signed"
fi
for f in "$exe" "$msi"; do printf '%12d  %s\n' "$(stat -c %s "$f")" "$f"; done
