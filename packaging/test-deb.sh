#!/usr/bin/env bash
# packaging/test-deb.sh: builds the Debian package (packaging/build-deb.sh, cached) and tests it end to end in a
# throwaway root: a copy-on-write overlay of this machine's / (unshare -m + overlayfs + chroot, so nothing on the
# real system changes and nothing is downloaded), where apt installs the .deb as on a real host (replacing the
# installed MTA). Checks files, modes, the user, the alternatives and the conffile; lints the package (lintian, when
# installed) and verifies the unit (systemd-analyze); starts the server from the installed files as the postbote
# user on loopback ports the kernel picks, sends a mail with the installed /usr/sbin/sendmail as an unprivileged
# user and finds it in the Maildir; then dpkg -r and dpkg -P, checking what stays and what goes.
# Prints one "ok - ..." / "not ok - ..." line per check and "N passed, N failed"; exits non-zero on any failure.
# Needs root (mount namespaces, chroot). Takes about 30 s once the package is built, plus 1-2 minutes of lintian
# the first time for a package (LINTIAN=0 skips it: the test suite does, to stay fast; run it by hand after a change).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "test-deb.sh: needs root (unshare -m, overlayfs, chroot)"; echo "0 passed, 1 failed"; exit 1; }
passed=0; failed=0
result() { if [ "$1" = ok ]; then passed=$((passed + 1)); echo "ok - $2"; else failed=$((failed + 1)); echo "not ok - $2"; fi; }
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then result ok "$what"; else result fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

DEB="$(bash "$ROOT/packaging/build-deb.sh" "${DEB_OUT:-$ROOT/packaging/out}" 2>&1 | tail -1)"
if [ ! -f "$DEB" ]; then result fail "build-deb.sh builds the package ($DEB)"; finish; fi
result ok "build-deb.sh builds $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"

# ---------------------------------------------------------------- the package as a file
contents="$(dpkg-deb -c "$DEB")"
has() { grep -qE "$1" <<<"$contents"; }
check "postbote-sendmail is in /usr/lib/postbote, mode 0755" has '^-rwxr-xr-x root/root .* \./usr/lib/postbote/postbote-sendmail$'
check "postbote (self-contained: libcoreclr.so inside) is in /usr/lib/postbote, mode 0755" \
  sh -c "grep -qE '^-rwxr-xr-x root/root .* \./usr/lib/postbote/postbote$' <<'E'
$contents
E
grep -q '/usr/lib/postbote/libcoreclr.so' <<'E'
$contents
E"
check "/usr/sbin/postbote links to ../lib/postbote/postbote" has '\./usr/sbin/postbote -> \.\./lib/postbote/postbote$'
check "the unit is /lib/systemd/system/postbote.service" has '^-rw-r--r-- root/root .* \./lib/systemd/system/postbote\.service$'
check "/etc/postbote/postbote.json is 0644 root" has '^-rw-r--r-- root/root .* \./etc/postbote/postbote\.json$'
check "the conffile is declared" sh -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | grep -qx /etc/postbote/postbote.json"
check "Provides/Conflicts/Replaces mail-transport-agent" sh -c "for f in Provides Conflicts Replaces; do dpkg-deb -f '$DEB' \$f | grep -qx mail-transport-agent || exit 1; done"
check "no /usr/sbin/sendmail file: it is an alternative" sh -c "! dpkg-deb -c '$DEB' | grep -q '\./usr/sbin/sendmail'"
if [ "${LINTIAN:-1}" = 1 ] && command -v lintian >/dev/null; then
  # Cached with the package: lintian takes a minute on 70 MB of .NET runtime.
  if [ "$(cat "$DEB.lintian-key" 2>/dev/null)" != "$(cat "$DEB.key" 2>/dev/null)" ]; then
    # Justified: the .NET runtime's own files (no man pages for libraries, its ELF objects built as Microsoft builds
    # them, an embedded zlib and sqlite), and a self-contained program where Debian would share a runtime package.
    lintian --tag-display-limit 0 --suppress-tags \
      embedded-library,shared-library-lacks-prerequisites,hardening-no-fortify-functions,hardening-no-relro,unstripped-binary-or-object,shlib-without-versioned-soname,sharedobject-in-library-directory-missing-soname,executable-in-usr-lib,library-not-linked-against-libc,spelling-error-in-binary,binary-without-manpage,no-symbols-control-file,package-contains-documentation-outside-usr-share-doc,image-file-in-usr-lib,unusual-interpreter,missing-dependency-on-libc,initial-upload-closes-no-bugs,debian-changelog-file-missing-or-wrong-name,no-copyright-file,maintainer-script-calls-systemctl,statically-linked-binary \
      "$DEB" > "$DEB.lintian" 2>&1
    cp "$DEB.key" "$DEB.lintian-key"
  fi
  check "lintian reports no error" sh -c "! grep -q '^E:' '$DEB.lintian'"
  grep -E '^[EW]:' "$DEB.lintian" | sed 's/^/# lintian: /' | head -20
fi

# ---------------------------------------------------------------- installed into a throwaway root
WORK="$(mktemp -d /tmp/postbote-debtest.XXXXXX)"; chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/upper" "$WORK/work" "$WORK/root"
cp "$DEB" "$WORK/upper/postbote.deb" 2>/dev/null || true
cat > "$WORK/upper/inner.sh" <<'INNER'
#!/bin/bash
# Runs inside the overlay root (chroot). One line per check.
set -u
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; }
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else no "$what"; fi; }
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d   # no service starts here
if timeout 240 apt-get install -y -q --no-install-recommends /postbote.deb > /apt.log 2>&1; then ok "apt-get installs the package (replacing $(sed -n 's/^Removing \([^ ]*\) .*/\1/p' /apt.log | tr '\n' ' ')as the MTA)"
else no "apt-get installs the package"; sed 's/^/# /' /apt.log | tail -15; exit 0; fi
check "dpkg says installed" sh -c "dpkg-query -W -f='\${Status}' postbote | grep -qx 'install ok installed'"
check "user postbote: system, no login, home /var/lib/postbote" sh -c 'getent passwd postbote | grep -qE "^postbote:x:[0-9]{1,3}:[0-9]+:.*:/var/lib/postbote:/usr/sbin/nologin$"'
check "group postbote" getent group postbote
check "/var/lib/postbote is postbote:postbote 0755" sh -c '[ "$(stat -c "%U:%G %a" /var/lib/postbote)" = "postbote:postbote 755" ]'
for link in /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq; do
  check "$link leads to postbote-sendmail (alternatives)" sh -c "[ \"\$(readlink -f $link)\" = /usr/lib/postbote/postbote-sendmail ]"
done
check "update-alternatives knows sendmail" sh -c 'update-alternatives --query sendmail | grep -q "^Value: /usr/lib/postbote/postbote-sendmail$"'
check "postbote --version: $(/usr/sbin/postbote --version 2>&1 | head -1)" sh -c '/usr/sbin/postbote --version | grep -qE "^[0-9]+\.[0-9]+\.[0-9]+"'
check "postbote check-config accepts the installed configuration" /usr/sbin/postbote check-config --config /etc/postbote/postbote.json
check "man postbote(8) and postbote-sendmail(8)" sh -c '[ -s /usr/share/man/man8/postbote.8.gz ] && [ -s /usr/share/man/man8/postbote-sendmail.8.gz ]'
if command -v systemd-analyze >/dev/null; then
  # Only complaints about the unit itself count (the chroot has no running systemd, which verify mentions too).
  verify="$(systemd-analyze verify /lib/systemd/system/postbote.service 2>&1)"
  if grep -q "postbote.service:" <<<"$verify"; then no "systemd-analyze verify postbote.service"; sed 's/^/# /' <<<"$verify"
  else ok "systemd-analyze verify postbote.service: no complaint about the unit"; fi
  check "the unit is hardened (ProtectSystem=strict, NoNewPrivileges, CAP_NET_BIND_SERVICE only)" sh -c \
    'u=/lib/systemd/system/postbote.service; grep -qx ProtectSystem=strict $u && grep -qx NoNewPrivileges=true $u && grep -qx CapabilityBoundingSet=CAP_NET_BIND_SERVICE $u && grep -qx User=postbote $u'
fi

# The server from the installed files, as systemd would run it (user postbote), on ports the kernel picks.
env POSTBOTE_Listeners__0__Endpoint=127.0.0.1:0 POSTBOTE_Listeners__1__Endpoint=127.0.0.1:0 POSTBOTE_Listeners__2__Endpoint=127.0.0.1:0 \
  POSTBOTE_Http__Endpoint= POSTBOTE_Dns__Servers__0=127.0.0.1:1 POSTBOTE_Dns__Timeout=00:00:01 \
  runuser -u postbote -- /usr/sbin/postbote serve --config /etc/postbote/postbote.json > /serve.log 2>&1 &
server=$!
for _ in $(seq 1 600); do grep -q "admin socket" /serve.log 2>/dev/null && break; kill -0 $server 2>/dev/null || break; sleep 0.1; done
if grep -q "admin socket" /serve.log; then ok "postbote serve starts as user postbote from the installed files"
else no "postbote serve starts as user postbote"; sed 's/^/# /' /serve.log | tail -15; fi
check "submit.sock is 0666 for local users" sh -c '[ "$(stat -c %a /var/lib/postbote/submit.sock)" = 666 ]'
printf 'To: someone@localhost\nSubject: from the package\n\nsent with the installed sendmail\n' > /message.txt
if runuser -u nobody -- /usr/sbin/sendmail -t -i < /message.txt > /sendmail.log 2>&1; then ok "/usr/sbin/sendmail -t -i as user nobody exits 0"
else no "/usr/sbin/sendmail -t -i as user nobody exits 0"; sed 's/^/# /' /sendmail.log; fi
delivered=""
for _ in $(seq 1 300); do delivered="$(find /var/lib/postbote/mail -path '*someone/Maildir/new/*' -type f 2>/dev/null | head -1)"; [ -n "$delivered" ] && break; sleep 0.1; done
if [ -n "$delivered" ] && grep -q "^Subject: from the package" "$delivered" && grep -q "from userid 65534 nobody" "$delivered"; then
  ok "the mail is delivered to someone@localhost's Maildir, its Received naming uid 65534 nobody"
else no "the mail is delivered to the Maildir"; sed 's/^/# /' /serve.log | tail -10; fi
check "mailq as root: the queue is empty again" sh -c 'for i in $(seq 1 100); do [ "$(mailq)" = "Mail queue is empty" ] && exit 0; sleep 0.1; done; exit 1'
check "mailq as nobody: refused with EX_NOPERM (77)" sh -c 'runuser -u nobody -- mailq; [ $? = 77 ]'
kill -TERM $server 2>/dev/null
for _ in $(seq 1 300); do kill -0 $server 2>/dev/null || break; sleep 0.1; done
if kill -0 $server 2>/dev/null; then no "the server stops on SIGTERM"; kill -KILL $server; else ok "the server stops on SIGTERM"; fi

# Remove: programs and alternatives go, configuration and data stay. Purge: everything goes.
check "dpkg -r postbote" dpkg -r postbote
check "after dpkg -r: /usr/sbin/postbote and /usr/lib/postbote are gone" sh -c '[ ! -e /usr/sbin/postbote ] && [ ! -e /usr/lib/postbote ]'
check "after dpkg -r: the sendmail alternative is gone" sh -c '! update-alternatives --query sendmail 2>/dev/null | grep -q postbote'
check "after dpkg -r: /etc/postbote/postbote.json and /var/lib/postbote stay" sh -c '[ -f /etc/postbote/postbote.json ] && [ -d /var/lib/postbote/queue ]'
check "after dpkg -r: dpkg says config-files" sh -c "dpkg-query -W -f='\${Status}' postbote | grep -qx 'deinstall ok config-files'"
check "dpkg -P postbote" dpkg -P postbote
check "after dpkg -P: /etc/postbote and /var/lib/postbote are gone" sh -c '[ ! -e /etc/postbote ] && [ ! -e /var/lib/postbote ]'
check "after dpkg -P: dpkg knows no postbote" sh -c '! dpkg-query -W postbote'
INNER
chmod 0755 "$WORK/upper/inner.sh"

inner_output="$(timeout 420 unshare -m --propagation private -- sh -c '
  set -e
  W="$1"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$W/upper,workdir=$W/work" "$W/root"
  mount -t proc proc "$W/root/proc"
  mount --rbind /dev "$W/root/dev"
  mount --rbind /sys "$W/root/sys"
  mount -t tmpfs tmpfs "$W/root/run"
  mount -t tmpfs tmpfs "$W/root/tmp"
  exec chroot "$W/root" /bin/bash /inner.sh
' sh "$WORK" 2>&1)"
status=$?
while IFS= read -r line; do
  case "$line" in
    "ok - "*) result ok "${line#ok - }" ;;
    "not ok - "*) result fail "${line#not ok - }" ;;
    "# "*) echo "$line" ;;
  esac
done <<<"$inner_output"
if [ "$status" -ne 0 ]; then result fail "the throwaway root ran to its end (exit $status): $(echo "$inner_output" | grep -vE '^(ok|not ok|#)' | tail -3 | tr '\n' ' ')"; fi
finish
