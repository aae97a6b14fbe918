#!/usr/bin/env bash
# make deb: two binary packages from the project wheel and a wheelhouse, with dpkg-deb only.
#   selfservice-kiosk          the terminal: /opt/selfservice-kiosk, kiosk.service, /etc/kiosk
#   selfservice-kiosk-central  the central service: /opt/selfservice-kiosk-central, kiosk-central.service
# Each ships its wheels; postinst builds a non-editable venv from them (no network, no compiler)
# with the system's python3, so the package is tied to the Python minor version it was built for.
# Usage: build-deb.sh DIST [OUT]   (DIST holds selfservice_kiosk-*.whl and wheelhouse/; the
# .debs go to OUT, default DIST; DEB_REVISION=N sets the Debian revision, default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
DIST=${1:-dist}
OUT=${2:-$DIST}
PIP=${PIP:-.venv/bin/pip}
PYTHON=${PYTHON:-.venv/bin/python}
VERSION=$($PYTHON -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
PYMINOR=$($PYTHON -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PYNEXT=$($PYTHON -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')
ARCH=$(dpkg --print-architecture)
REVISION=${DEB_REVISION:-1}
WHEEL=$(ls "$DIST"/selfservice_kiosk-"$VERSION"-*.whl)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# name  extra  unit files  Depends (besides python3)  Recommends  Description
build() {
  local pkg=$1 extra=$2 units=$3 depends=$4 recommends=$5 summary=$6
  local root="$STAGE/$pkg" opt="/opt/$pkg"
  mkdir -p "$root/DEBIAN" "$root$opt/wheels" "$root$opt/share/doc" "$root/lib/systemd/system" \
           "$root/usr/share/doc/$pkg" "$root/usr/bin"
  # Only the wheels this package's extra needs, picked from the wheelhouse (copied, not rebuilt).
  "$PIP" wheel -q --no-index --find-links "$DIST" --find-links "$DIST/wheelhouse" \
      -w "$root$opt/wheels" "selfservice-kiosk[$extra]==$VERSION"
  echo "selfservice-kiosk[$extra]==$VERSION" > "$root$opt/requirements.txt"
  cp docs/operations.md deploy/README.md "$root$opt/share/doc/"
  cp LICENSE "$root/usr/share/doc/$pkg/copyright"
  for u in $units; do install -m 0644 "deploy/$u" "$root/lib/systemd/system/$u"; done
  ln -s "$opt/venv/bin/kiosk" "$root/usr/bin/$([ "$pkg" = selfservice-kiosk ] && echo kiosk || echo kiosk-central)"
  local size
  size=$(du -sk "$root" | cut -f1)
  cat > "$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $VERSION-$REVISION
Architecture: $ARCH
Maintainer: selfservice-kiosk contributors <kiosk@example.gov.cn>
Installed-Size: $size
Depends: python3 (>= $PYMINOR), python3 (<< $PYNEXT), python3-venv, adduser, $depends
Recommends: $recommends
Section: misc
Priority: optional
Homepage: https://github.com/selfservice-kiosk/selfservice-kiosk
Description: $summary
 Self-service terminal for the 24-hour zones of government service halls
 (政务服务中心 24小时自助服务区). Installs into $opt with its own Python virtual
 environment built from the wheels shipped in the package (no network needed).
EOF
  for script in postinst prerm postrm; do
    sed -e "s|@PKG@|$pkg|g" -e "s|@OPT@|$opt|g" -e "s|@VERSION@|$VERSION-$REVISION|g" \
        "deploy/debian/$pkg.$script" > "$root/DEBIAN/$script"
    chmod 0755 "$root/DEBIAN/$script"
  done
}

build selfservice-kiosk terminal "kiosk.service kiosk-cage.service" \
  "fonts-wqy-microhei, fontconfig, libgl1, libegl1, libgl1-mesa-dri, libmtdev1, libusb-1.0-0, libcups2, tzdata" \
  "cups-client, xinit, x11-xserver-utils, unclutter, cage" \
  "self-service government terminal (kiosk app, devices, receipts)"
root="$STAGE/selfservice-kiosk"
install -d "$root/etc/kiosk" "$root/opt/selfservice-kiosk/bin"
install -m 0640 config/terminal.example.toml "$root/etc/kiosk/terminal.toml"
install -m 0755 deploy/kiosk-x-session "$root/opt/selfservice-kiosk/bin/kiosk-x-session"
echo /etc/kiosk/terminal.toml > "$root/DEBIAN/conffiles"

build selfservice-kiosk-central central "kiosk-central.service" "tzdata" "" \
  "self-service government terminal: central service (fleet API, console)"
root="$STAGE/selfservice-kiosk-central"
install -d "$root/etc/default"
install -m 0644 deploy/debian/kiosk-central.default "$root/etc/default/kiosk-central"
echo /etc/default/kiosk-central > "$root/DEBIAN/conffiles"

for pkg in selfservice-kiosk selfservice-kiosk-central; do
  # Wheels are zip files already: gzip -1 costs little time and loses little size.
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$STAGE/$pkg" "$OUT/${pkg}_${VERSION}-${REVISION}_${ARCH}.deb" >/dev/null
  echo "$OUT/${pkg}_${VERSION}-${REVISION}_${ARCH}.deb"
done
