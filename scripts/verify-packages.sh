#!/usr/bin/env bash
# verify-packages.sh: what CI runs for the installers. Builds the Windows exe and MSI signed with a
# throwaway self-signed code-signing certificate, and the Linux tarball and .deb, then checks them:
# Authenticode signatures (osslsigncode verify), the MSI's tables (properties, Start-menu shortcut,
# conditional policy values), and the .deb's metadata and contents. Every mismatch is reported; any
# one fails the run. The first run compiles GLFW twice (Windows and Linux, minutes each); later runs
# reuse Go's build cache (GOCACHE) and take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DIST=${DIST:-$root/dist}

# shellcheck source=scripts/appmeta.sh
. "$root/scripts/appmeta.sh"
arch=$(dpkg --print-architecture)
exe="$DIST/rescue-companion-$version-windows-amd64.exe"
msi="$DIST/rescue-companion-$version-x64.msi"
tarball="$DIST/rescue-companion-$version-linux-$arch.tar.xz"
deb="$DIST/rescue-companion_${version}_$arch.deb"

scripts/deps.sh openssl osslsigncode msitools dpkg-dev desktop-file-utils binutils-mingw-w64-x86-64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
ok() { echo "ok    $1"; }
fail() { echo "FAIL  $1" >&2; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: run the command quietly; report.
check() { if "${@:2}" >/dev/null 2>&1; then ok "$1"; else fail "$1"; fi; }
# same DESCRIPTION GOT WANT: GOT must equal WANT.
same() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# has FILE REGEX: a line of FILE matches the extended regular expression.
has() { grep -Eq -- "$2" "$1"; }
# follows KEY VALUE: among the lines on standard input, VALUE comes right after KEY.
follows() { awk -v k="$1" -v v="$2" 'prev == k && $0 == v { found = 1 } { prev = $0 } END { exit !found }'; }
section() { printf '\n== %s\n' "$*"; }

section "throwaway code-signing certificate"
openssl req -x509 -newkey rsa:3072 -sha256 -days 30 -nodes -subj "/CN=Rescue Companion test signing" \
  -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
pass=$(openssl rand -hex 16)
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/sign.pfx" -passout "pass:$pass"
openssl x509 -in "$work/cert.pem" -noout -subject -enddate

section "build: Windows (signed with the PKCS#12 bundle)"
start=$SECONDS
RC_SIGN_PFX="$work/sign.pfx" RC_SIGN_PASS="$pass" RC_REQUIRE_SIGNING=1 scripts/package-windows.sh
windows_time=$((SECONDS - start))

section "build: Linux"
start=$SECONDS
scripts/package-linux.sh
linux_time=$((SECONDS - start))

section "Windows: Authenticode signatures"
for f in "$exe" "$msi"; do
  out=$(osslsigncode verify -CAfile "$work/cert.pem" -in "$f" 2>&1) && rc=0 || rc=$?
  printf '%s\n' "$out" | grep -E "Signer's certificate:|Subject:|Message digest algorithm|Signature verification:|^Succeeded|^Failed" | sed 's/^/      /' | sort -u
  if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -qx "Succeeded"; then ok "$(basename "$f") signature verifies (rc 0, Succeeded)"; else fail "$(basename "$f") signature (rc $rc)"; fi
done
objdump_out=$(x86_64-w64-mingw32-objdump -p -h "$exe")
check "exe is a Windows GUI program (no console window)" grep -q '(Windows GUI)' <<<"$objdump_out"
check "exe carries resources (icon, version, manifest)" grep -q '\.rsrc' <<<"$objdump_out"
# The version resource's strings are UTF-16: each key is followed by its value.
resource_strings=$(strings -el "$exe")
check "exe version resource: ProductVersion $version" follows ProductVersion "$version" <<<"$resource_strings"
check "exe version resource: ProductName $name" follows ProductName "$name" <<<"$resource_strings"

section "Windows: MSI tables"
for table in Property Shortcut Registry Component Directory File LaunchCondition; do
  msiinfo export "$msi" "$table" | tr -d '\r' >"$work/$table.idt" # msiinfo ends lines with CRLF
done
echo "-- Property"; sed -n '4,$p' "$work/Property.idt" | sed 's/^/      /'
echo "-- Shortcut"; sed -n '4,$p' "$work/Shortcut.idt" | cut -f1-5,9 | sed 's/^/      /'
echo "-- Registry (with each component's condition)"
awk -F'\t' 'FNR == NR { if (FNR > 3) cond[$1] = $5; next }
  FNR > 3 { printf "      %-28s %-26s %-34s if %s\n", $3 == "SOFTWARE\\Policies\\RescueCompanion" ? "HKLM\\...\\Policies\\RescueCompanion" : "HKLM\\...\\Run", $4, $5, cond[$6] }' \
  "$work/Component.idt" "$work/Registry.idt"

prop() { awk -F'\t' -v p="$1" 'FNR > 3 && $1 == p { print $2 }' "$work/Property.idt"; }
same "ProductName is $name" "$(prop ProductName)" "$name"
same "ProductVersion is $version" "$(prop ProductVersion)" "$version"
same "per-machine (ALLUSERS=1)" "$(prop ALLUSERS)" 1
same "UpgradeCode unchanged" "$(prop UpgradeCode)" "{F0E1BF16-6E43-4B48-BB43-A66C7BAE6A8A}"
same "the uninstall entry has the icon (ARPPRODUCTICON)" "$(prop ARPPRODUCTICON)" AppIcon.ico
check "installs under Program Files (64-bit)" has "$work/Directory.idt" $'^INSTALLDIR\tProgramFiles64Folder\t'
check "the shortcut is in the Start menu, named $name, for the exe's component" \
  has "$work/Shortcut.idt" $'^[^\t]+\tProgramMenuFolder\t'"$name"$'\tMainExecutable\t'
check "the exe is always installed, 64-bit, with its version" \
  has "$work/Component.idt" $'^MainExecutable\t[^\t]+\tINSTALLDIR\t256\t\tRescueCompanionExe$'
check "the MSI records the exe's version" has "$work/File.idt" $'^RescueCompanionExe\tMainExecutable\trescue-companion.exe\t[0-9]+\t'"$version"'\.'

# policy PROPERTY VALUE-NAME KIND: the value is written only when the property is given.
policy() {
  local property=$1 value=$2 kind=$3 comps
  if [[ ";$(prop SecureCustomProperties);" == *";$property;"* ]]; then
    ok "$property is a secure public property"
  else
    fail "$property is missing from SecureCustomProperties"
  fi
  comps=$(awk -F'\t' -v v="$value" 'FNR > 3 && $2 == 2 && $3 == "SOFTWARE\\Policies\\RescueCompanion" && $4 == v { print $6 "\t" $5 }' "$work/Registry.idt")
  [ -n "$comps" ] || { fail "no HKLM\\SOFTWARE\\Policies\\RescueCompanion\\$value"; return; }
  while IFS=$'\t' read -r comp data; do
    local cond
    cond=$(awk -F'\t' -v c="$comp" 'FNR > 3 && $1 == c { print $5 }' "$work/Component.idt")
    if [ "$kind" = string ]; then
      same "$value = [$property] only if $property is set" "$data if $cond" "[$property] if $property"
    else
      local n=${data#\#} word=false
      [ "$n" = 1 ] && word=true
      same "$value = REG_DWORD $n only if $property=$n or $word" "$data if $cond" \
        "#$n if $property = \"$n\" OR $property ~= \"$word\""
      [[ $data == "#0" || $data == "#1" ]] || fail "$value: data '$data' is not #0 or #1"
    fi
  done <<<"$comps"
  [ "$kind" = string ] || [ "$(wc -l <<<"$comps")" = 2 ] || fail "$value should have a 0 and a 1 component"
}
policy DYNAMICS_URL DynamicsUrl string
policy TENANT_ID TenantId string
policy CLIENT_ID ClientId string
policy RESCUE_ENDPOINT RescueEndpoint string
policy COMPANY_ID CompanyId string
policy REQUIRE_ACTIVE_CONSOLE RequireActiveConsole dword
policy CLOSE_REQUEST_AT_SESSION_END CloseRequestAtSessionEnd dword
policy REASSIGN_CASE_AT_SESSION_START ReassignCaseAtSessionStart dword
policy DO_NOT_SEND_CFIELD1 DoNotSendCfield1 dword
autostart_comp=$(awk -F'\t' 'FNR > 3 && $3 == "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run" { print $6 }' "$work/Registry.idt")
same "HKLM Run entry only if AUTOSTART=1" \
  "$(awk -F'\t' -v c="$autostart_comp" 'FNR > 3 && $1 == c { print $5 }' "$work/Component.idt")" 'AUTOSTART = "1"'
unconditional=$(awk -F'\t' 'FNR > 3 && $1 != "MainExecutable" && $5 == "" { print $1 }' "$work/Component.idt")
same "no registry value is written unconditionally" "$unconditional" ""
mkdir "$work/msi-files"
msiextract -C "$work/msi-files" "$msi" >/dev/null
check "the MSI carries exactly the signed exe" cmp "$exe" "$(find "$work/msi-files" -name rescue-companion.exe)"

section "Linux: .deb"
dpkg-deb --info "$deb" | sed 's/^/      /'
dpkg-deb --contents "$deb" >"$work/contents"
awk '{ print $1, $2, $NF }' "$work/contents" | sed 's/^/      /'
field() { dpkg-deb --field "$deb" "$1"; }
same "Version is $version (FyneApp.toml)" "$(field Version)" "$version"
same "Package is rescue-companion" "$(field Package)" rescue-companion
for dep in libgl1 libx11-6 libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1; do
  [[ ", $(field Depends)," == *", $dep,"* ]] || fail "Depends lacks $dep"
done
ok "Depends: $(field Depends)"
check "binary /usr/bin/rescue-companion, root-owned, 0755" has "$work/contents" '^-rwxr-xr-x root/root .* \./usr/bin/rescue-companion$'
check "desktop entry" has "$work/contents" " \./usr/share/applications/$app_id\.desktop$"
for size in 16 22 24 32 48 64 128 256 512; do
  has "$work/contents" " \./usr/share/icons/hicolor/${size}x${size}/apps/$app_id\.png$" || fail "no ${size}x${size} icon"
done
ok "hicolor icons 16 to 512"
check "autostart entry" has "$work/contents" " \./etc/xdg/autostart/$app_id\.desktop$"
check "policy location /etc/rescue-companion/ with its README" has "$work/contents" ' \./etc/rescue-companion/README$'
check "sample policy in the docs" has "$work/contents" ' \./usr/share/doc/rescue-companion/policy\.toml\.sample$'
if has "$work/contents" ' \./etc/rescue-companion/policy\.toml$'; then fail "a live policy is shipped"; else ok "no live policy is shipped"; fi
mkdir "$work/deb"
dpkg-deb -R "$deb" "$work/deb"
autostart="$work/deb/etc/xdg/autostart/$app_id.desktop"
check "autostart entry is installed off (Hidden=true)" has "$autostart" '^Hidden=true$'
check "autostart entry is off for GNOME (X-GNOME-Autostart-enabled=false)" has "$autostart" '^X-GNOME-Autostart-enabled=false$'
check "autostart entry is a conffile" has "$work/deb/DEBIAN/conffiles" "^/etc/xdg/autostart/$app_id\.desktop$"
desktop="$work/deb/usr/share/applications/$app_id.desktop"
check "desktop entry runs rescue-companion with the app's icon" has "$desktop" '^Exec=rescue-companion$'
check "desktop entry names the icon $app_id" has "$desktop" "^Icon=$app_id$"
for f in "$desktop" "$autostart"; do
  if out=$(desktop-file-validate "$f" 2>&1) && [ -z "$out" ]; then ok "desktop-file-validate $(basename "$(dirname "$f")")/$(basename "$f")"; else fail "desktop-file-validate $f: $out"; fi
done
got=$(LANG=en_US.UTF-8 "$work/deb/usr/bin/rescue-companion" version 2>/dev/null) || true
same "the packaged binary says: rescue-companion $version" "$got" "rescue-companion $version"
check "the binary is stripped" bash -c "file '$work/deb/usr/bin/rescue-companion' | grep -q ', stripped'"
check "tarball: binary and Makefile" bash -c "tar -tJf '$tarball' | grep -q '/bin/rescue-companion\$' && tar -tJf '$tarball' | grep -q '/Makefile\$'"

section "artefacts"
for f in "$exe" "$msi" "$tarball" "$deb"; do printf '%12d  %s\n' "$(stat -c %s "$f")" "${f#"$root"/}"; done
echo "build times: Windows ${windows_time} s, Linux ${linux_time} s (GOCACHE=$(${GO:-go} env GOCACHE))"

if [ "$failures" -gt 0 ]; then
  echo "verify-packages: $failures check(s) FAILED" >&2
  exit 1
fi
echo "verify-packages: all checks passed"
