#!/usr/bin/env bash
# package-linux.sh: the Linux release: the stripped binary, the tarball `fyne package -os linux --release`
# makes around it, and a .deb built with dpkg-deb. FyneApp.toml gives the name, ID and version.
#
#   scripts/package-linux.sh   -> dist/rescue-companion-<version>-linux-<arch>.tar.xz
#                                 dist/rescue-companion_<version>_<arch>.deb
# The .deb holds /usr/bin/rescue-companion, the desktop entry, hicolor icons, an XDG autostart entry
# installed switched off (Hidden=true for every desktop, X-GNOME-Autostart-enabled=false for GNOME's
# list; a user turns it on in the app, which writes ~/.config/autostart/ under the same name, or IT
# edits the conffile), /etc/rescue-companion/ with a README but no policy, and the sample policy.
# The build reuses Go's build cache (GOCACHE); the working tree is never written to.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
DIST=${DIST:-$root/dist}
FYNE_VERSION=${FYNE_VERSION:-v1.7.4}
export LANG=en_US.UTF-8

# shellcheck source=scripts/appmeta.sh
. "$root/scripts/appmeta.sh"
icon=$(toml Details Icon)
website=$(toml "" Website)
generic_name=$(toml LinuxAndBSD GenericName)
comment=$(toml LinuxAndBSD Comment)
pkg=rescue-companion
arch=$(dpkg --print-architecture)

scripts/deps.sh gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
  libxinerama-dev libxi-dev libxxf86vm-dev dpkg-dev imagemagick xz-utils make

# The fyne CLI, once, in the user's cache (not the repository), through the Go module proxy.
fyne=${FYNE:-${XDG_CACHE_HOME:-$HOME/.cache}/rescue-companion/tools/fyne-$FYNE_VERSION/fyne}
if [ ! -x "$fyne" ]; then
  echo "== installing fyne $FYNE_VERSION into $(dirname "$fyne")"
  GOFLAGS='' GOBIN=$(dirname "$fyne") $GO install "fyne.io/tools/cmd/fyne@$FYNE_VERSION"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DIST"

echo "== go build (linux/$arch; GOCACHE=$($GO env GOCACHE))"
start=$SECONDS
# The C parts (GLFW) with the usual distribution hardening.
CGO_ENABLED=1 CGO_CFLAGS="${CGO_CFLAGS:--O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong}" \
  CGO_LDFLAGS="${CGO_LDFLAGS:--Wl,-z,relro,-z,now}" \
  $GO build -trimpath -tags "release,$TAGS" -ldflags "-s -w -X main.version=$version" -o "$work/bin/$pkg" ./app
echo "linux binary built in $((SECONDS - start)) s"

# The tarball. fyne package wants FyneApp.toml beside Go code and rewrites it (Build+1): it gets a
# throwaway directory holding a copy, the icon and a stub, and packages the binary built above.
mkdir -p "$work/fyne/$(dirname "$icon")"
cp FyneApp.toml "$work/fyne/"
cp "$icon" "$work/fyne/$icon"
printf 'package main\n\nfunc main() {}\n' >"$work/fyne/main.go"
(cd "$work/fyne" && "$fyne" package -os linux --release --exe "$work/bin/$pkg" >/dev/null)
tarball="$DIST/$pkg-$version-linux-$arch.tar.xz"
mv "$work/fyne/$name.tar.xz" "$tarball"

# The .deb tree: what the tarball's Makefile installs, plus icons, autostart, policy location, docs.
deb="$work/deb"
mkdir -p "$work/tar" "$deb/DEBIAN"
tar -C "$work/tar" -xJf "$tarball"
make -s -C "$work/tar/$pkg" install DESTDIR="$deb" PREFIX=/usr
for size in 16 22 24 32 48 64 128 256 512; do
  dir="$deb/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  convert "$icon" -resize "${size}x${size}" -depth 8 -strip "PNG32:$dir/$app_id.png"
done
svg="${icon%.png}.svg"
[ ! -f "$svg" ] || install -Dm0644 "$svg" "$deb/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
mkdir -p "$deb/etc/xdg/autostart"
sed -e "s|@NAME@|$name|g" -e "s|@COMMENT@|$comment|g" -e "s|@EXEC@|$pkg|g" -e "s|@ICON@|$app_id|g" \
  packaging/linux/autostart.desktop.in >"$deb/etc/xdg/autostart/$app_id.desktop"
install -Dm0644 packaging/linux/policy-location.README "$deb/etc/rescue-companion/README"
doc="$deb/usr/share/doc/$pkg"
mkdir -p "$doc"
[ ! -f packaging/policy/policy.toml ] || install -m0644 packaging/policy/policy.toml "$doc/policy.toml.sample"
[ ! -f README.md ] || install -m0644 README.md "$doc/README.md"
chmod -R u=rwX,go=rX "$deb"
chmod 0755 "$deb/usr/bin/$pkg"

# Everything under /etc is a conffile: an administrator's edit (say, switching autostart on for
# everyone) survives upgrades.
(cd "$deb" && find etc -type f -printf '/%p\n' | sort) >"$deb/DEBIAN/conffiles"
(cd "$deb" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$deb/DEBIAN/md5sums"
cat >"$deb/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: ${RC_MAINTAINER:-$name <$website>}
Installed-Size: $(du -sk --exclude=DEBIAN "$deb" | cut -f1)
Depends: libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1
Recommends: xdg-utils
Suggests: gnome-keyring
Section: net
Priority: optional
Homepage: $website
Description: $generic_name
 $comment.
 .
 A tray companion for helpdesk technicians: sign in to Dynamics 365, pick
 one of your open cases, get a LogMeIn Rescue PIN for it, follow the
 session and have its details land on the case.
EOF
debfile="$DIST/${pkg}_${version}_$arch.deb"
dpkg-deb --build --root-owner-group -Zxz "$deb" "$debfile" >/dev/null

for f in "$tarball" "$debfile"; do printf '%12d  %s\n' "$(stat -c %s "$f")" "$f"; done
