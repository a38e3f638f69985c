#!/usr/bin/env bash
# deps.sh PKG...: make sure these Debian/Ubuntu packages are installed, installing the missing ones with
# apt-get (through sudo when not root). Elsewhere it says what to install and fails.
set -euo pipefail

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
else
  echo "This is not a Debian or Ubuntu system. Install the equivalents of: $*" >&2
  echo "(the C toolchain, pkg-config, OpenGL and X11 development headers; for tests: Xvfb, D-Bus, gnome-keyring, ImageMagick)" >&2
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Missing packages: ${missing[*]}; run as root or install sudo." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
