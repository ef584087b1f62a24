#!/usr/bin/env bash
# packaging/publish.sh [sendmail|all]: publishes what the Debian package installs, cached by the hash of the sources,
# and prints the directory. `sendmail`: the Native AOT postbote-sendmail only (the tests' native binary); `all`
# (default): also `postbote` self-contained for linux-x64 (no .NET runtime on the target), with postbote-sendmail
# beside it, as /usr/lib/postbote holds them. The cache is $POSTBOTE_PUBLISH_CACHE (default /tmp/postbote-publish),
# one directory per source hash: an unchanged tree publishes nothing (native compilation takes 1-2 minutes here).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHAT="${1:-all}"
CACHE="${POSTBOTE_PUBLISH_CACHE:-/tmp/postbote-publish}"
cd "$ROOT"

# Every input of the builds: sources, project files, build properties.
hash_of() {
  find "$@" \( -name bin -o -name obj \) -prune -o -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -name '*.cshtml' -o -name '*.razor' -o -name '*.css' -o -name '*.js' \) -print \
    | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
}
publish() { # project output [extra args]
  local project="$1" out="$2"; shift 2
  local staging="$out.tmp.$$"
  rm -rf "$staging"
  if ! dotnet publish "$project" -c Release -r linux-x64 -o "$staging" -nologo -v quiet "$@" > "$staging.log" 2>&1; then
    cat "$staging.log" >&2; rm -rf "$staging" "$staging.log"; echo "publish.sh: publishing $project failed" >&2; exit 1
  fi
  # AOT and trimming analysis warnings are bugs in a native build.
  if grep -E "warning (IL[0-9]+|NETSDK)" "$staging.log" >&2; then rm -rf "$staging" "$staging.log"; echo "publish.sh: $project has AOT/trim warnings" >&2; exit 1; fi
  rm -f "$staging.log" "$staging"/*.pdb "$staging"/*.dbg
  rm -rf "$out"; mv "$staging" "$out"
}

SENDMAIL_HASH="$(hash_of src/Postbote.Sendmail src/Postbote src/Postbote.Core Directory.Build.props Directory.Packages.props)"
SENDMAIL_DIR="$CACHE/sendmail-$SENDMAIL_HASH"
mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"; flock 9   # one publish at a time (the tests and build-deb.sh may ask together)
[ -x "$SENDMAIL_DIR/postbote-sendmail" ] || publish src/Postbote.Sendmail "$SENDMAIL_DIR"
if [ "$WHAT" = sendmail ]; then echo "$SENDMAIL_DIR"; exit 0; fi

ALL_DIR="$CACHE/all-$(hash_of src Directory.Build.props Directory.Packages.props)"
if [ ! -x "$ALL_DIR/postbote-sendmail" ]; then
  publish src/Postbote "$ALL_DIR" --self-contained true
  cp "$SENDMAIL_DIR/postbote-sendmail" "$ALL_DIR/"
fi
# Old source states go (each worktree and test run may leave one): the newest few of each kind stay.
ls -dt "$CACHE"/sendmail-* 2>/dev/null | tail -n +9 | xargs -r rm -rf
ls -dt "$CACHE"/all-* 2>/dev/null | tail -n +4 | xargs -r rm -rf
echo "$ALL_DIR"
