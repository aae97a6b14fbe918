#!/usr/bin/env bash
# make repo: a signed apt repository (dists/stable, component main) from the .debs in DIST.
#   DIST/apt/                          the repository (publish it over HTTPS as it is)
#   DIST/apt/selfservice-kiosk.gpg     its public key, for /etc/apt/keyrings (signed-by=)
# The signing key lives in $REPO_GNUPGHOME (default DIST/gnupg, never committed). When it holds
# no secret key, a new one is generated: fine for tests; a city makes its key once, offline, and
# points REPO_GNUPGHOME at a copy of it on the publishing machine (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIST=${1:-dist}
REPO="$DIST/apt"
SUITE=${REPO_SUITE:-stable}
export GNUPGHOME=${REPO_GNUPGHOME:-$DIST/gnupg}
KEY_NAME=${REPO_KEY_NAME:-selfservice-kiosk repository <kiosk@example.gov.cn>}
ARCH=$(dpkg --print-architecture)

install -d -m 0700 "$GNUPGHOME"
if ! gpg --batch --list-secret-keys 2>/dev/null | grep -q sec; then
  gpg --batch --quiet --passphrase '' --quick-gen-key "$KEY_NAME" ed25519 sign 2y
fi
FPR=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ {print $10; exit}')

install -d "$REPO/pool/main" "$REPO/dists/$SUITE/main/binary-$ARCH"
# Every version ever published stays in the pool: a rollback is `apt install pkg=OLDVERSION`.
cp -n "$DIST"/*.deb "$REPO/pool/main/" 2>/dev/null || true
(cd "$REPO" && dpkg-scanpackages --multiversion pool/main /dev/null 2>/dev/null) \
  > "$REPO/dists/$SUITE/main/binary-$ARCH/Packages"
gzip -9nkf "$REPO/dists/$SUITE/main/binary-$ARCH/Packages"
rm -f "$REPO/dists/$SUITE/Release" "$REPO/dists/$SUITE/InRelease" "$REPO/dists/$SUITE/Release.gpg"
apt-ftparchive \
  -o "APT::FTPArchive::Release::Origin=selfservice-kiosk" \
  -o "APT::FTPArchive::Release::Label=selfservice-kiosk" \
  -o "APT::FTPArchive::Release::Suite=$SUITE" \
  -o "APT::FTPArchive::Release::Codename=$SUITE" \
  -o "APT::FTPArchive::Release::Architectures=$ARCH" \
  -o "APT::FTPArchive::Release::Components=main" \
  release "$REPO/dists/$SUITE" > "$DIST/Release.new"
mv "$DIST/Release.new" "$REPO/dists/$SUITE/Release"
gpg --batch --yes --local-user "$FPR" --clearsign -o "$REPO/dists/$SUITE/InRelease" "$REPO/dists/$SUITE/Release"
gpg --batch --yes --local-user "$FPR" --detach-sign -o "$REPO/dists/$SUITE/Release.gpg" "$REPO/dists/$SUITE/Release"
gpg --batch --yes --export "$FPR" > "$REPO/selfservice-kiosk.gpg"
echo "$REPO (key $FPR)"
