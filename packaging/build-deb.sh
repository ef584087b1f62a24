#!/usr/bin/env bash
# packaging/build-deb.sh [OUTDIR]: builds postbote_VERSION_amd64.deb into OUTDIR (default: packaging/out) and prints its path.
#
# Self-contained: the .NET runtime ships inside /usr/lib/postbote (Debian has no .NET runtime package to depend on,
# and the server then runs exactly the runtime it was tested with). Contents:
#   /usr/lib/postbote/          postbote (self-contained publish) and postbote-sendmail (Native AOT)
#   /usr/sbin/postbote          -> ../lib/postbote/postbote
#   /usr/sbin/sendmail, /usr/lib/sendmail, /usr/bin/mailq   update-alternatives links to postbote-sendmail (postinst)
#   /etc/postbote/postbote.json the configuration (conffile)
#   /lib/systemd/system/postbote.service   the hardened unit (User=postbote, CAP_NET_BIND_SERVICE only)
#   /var/lib/postbote           the data directory, postbote:postbote 0755 (postinst)
#   /usr/share/man/man8/postbote.8.gz, postbote-sendmail.8.gz; /usr/share/doc/postbote/
# DEBFULLNAME and DEBEMAIL name the maintainer. Provides/Conflicts/Replaces mail-transport-agent, as Debian's MTAs do. The publish is cached by the hash of the
# sources (packaging/publish.sh), and the .deb by that hash and the hash of packaging/: rebuilding an unchanged
# tree takes a second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/packaging/out}" && cd "${1:-$ROOT/packaging/out}" && pwd)"
VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$ROOT/src/Postbote/Postbote.csproj" | head -1)"
DEB="$OUT/postbote_${VERSION}_amd64.deb"
# Who built it (Debian's DEBFULLNAME/DEBEMAIL, as dch reads them).
MAINTAINER="${DEBFULLNAME:-Postbote developers} <${DEBEMAIL:-postbote@example.org}>"

PUBLISHED="$(bash "$ROOT/packaging/publish.sh" all | tail -1)"
KEY="$(basename "$PUBLISHED")-$(cd "$ROOT" && find packaging -path packaging/out -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if [ -f "$DEB" ] && [ "$(cat "$DEB.key" 2>/dev/null)" = "$KEY" ]; then echo "$DEB"; exit 0; fi

STAGE="$(mktemp -d /tmp/postbote-deb.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
P="$STAGE/root"
install -d -m 0755 "$P/DEBIAN" "$P/usr/lib/postbote" "$P/usr/sbin" "$P/etc/postbote" "$P/lib/systemd/system" \
  "$P/usr/share/doc/postbote" "$P/usr/share/man/man8"
cp -a "$PUBLISHED/." "$P/usr/lib/postbote/"
# Files 0644, programs and native libraries 0755, as Debian expects.
find "$P/usr/lib/postbote" -type d -exec chmod 0755 {} +
find "$P/usr/lib/postbote" -type f -exec chmod 0644 {} +
chmod 0755 "$P/usr/lib/postbote/postbote" "$P/usr/lib/postbote/postbote-sendmail"
find "$P/usr/lib/postbote" -type f -name '*.so' -exec chmod 0644 {} +
strip --strip-unneeded "$P/usr/lib/postbote/postbote-sendmail" 2>/dev/null || true
ln -s ../lib/postbote/postbote "$P/usr/sbin/postbote"

install -m 0644 "$ROOT/packaging/debian/postbote.json" "$P/etc/postbote/postbote.json"
install -m 0644 "$ROOT/packaging/postbote.service" "$P/lib/systemd/system/postbote.service"
for page in postbote.8 postbote-sendmail.8; do gzip -9n < "$ROOT/packaging/debian/$page" > "$P/usr/share/man/man8/$page.gz"; done
install -m 0644 "$ROOT/README.md" "$P/usr/share/doc/postbote/README.md"
install -m 0644 "$ROOT/docs/configuration.md" "$P/usr/share/doc/postbote/configuration.md"
install -m 0644 "$ROOT/packaging/debian/copyright" "$P/usr/share/doc/postbote/copyright"
{ printf 'postbote (%s) unstable; urgency=medium\n\n  * Built from the Postbote repository.\n\n -- %s  %s\n' \
    "$VERSION" "$MAINTAINER" "$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}")"; } \
  | gzip -9n > "$P/usr/share/doc/postbote/changelog.gz"

for script in postinst prerm postrm; do install -m 0755 "$ROOT/packaging/debian/$script" "$P/DEBIAN/$script"; done
echo /etc/postbote/postbote.json > "$P/DEBIAN/conffiles"
SIZE="$(du -sk --exclude=DEBIAN "$P" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$SIZE/" -e "s|@MAINTAINER@|$MAINTAINER|" "$ROOT/packaging/debian/control.in" > "$P/DEBIAN/control"
(cd "$P" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs md5sum) > "$P/DEBIAN/md5sums"
chmod 0644 "$P/DEBIAN/control" "$P/DEBIAN/conffiles" "$P/DEBIAN/md5sums"

# root:root ownership without fakeroot; gzip: several times faster to build than xz on 150 MB (the package is
# about 25% bigger), and unlike zstd accepted by lintian and every dpkg.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$P" "$DEB.tmp.$$" >/dev/null
mv "$DEB.tmp.$$" "$DEB"
echo "$KEY" > "$DEB.key"
echo "$DEB"
