#!/usr/bin/env bash
# bench/sendmail.sh: wall time (and CPU) of one sendmail(8) call and one mailq call, Postfix's against Postbote's,
# side by side with hyperfine (issue 15). Postfix: /usr/sbin/sendmail -C DIR and mailq -C DIR against a private
# instance (postfix -c DIR start; no listener, remote mail deferred). Postbote: the Native AOT postbote-sendmail
# (as sendmail and as the mailq link) and, for reference, the JIT `postbote sendmail` / `postbote queue list`,
# against a running `postbote serve` (loopback, delivery deferred). Both queues hold the same PRELOAD messages
# when mailq is measured. Prints a markdown table and writes it to bench/results/sendmail-<date>.md.
#
#   bench/sendmail.sh                   # 50 calls each (RUNS), 3 warm-up calls (WARMUP), 20 messages preloaded (PRELOAD)
#   PB_BIN=DIR PB_AOT=DIR bench/sendmail.sh   # an already built postbote.dll / published postbote-sendmail
# Needs root (Postfix's master) and hyperfine (apt-get install hyperfine). Takes about 2 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-50}"; WARMUP="${WARMUP:-3}"; PRELOAD="${PRELOAD:-20}"
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y hyperfine >/dev/null
command -v postfix >/dev/null || { echo "bench/sendmail.sh: Postfix is not installed (scripts/install-test-deps.sh)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/postbote-sendmail-bench.XXXXXX)"
chmod 0755 "$WORK"   # Postfix's daemons run as the postfix user
PF="$WORK/postfix"; PB="$WORK/postbote"; SERVER_PID=""
cleanup() { # each step on its own: a failed stop (set -e) must not keep the work directory
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -f "$PF/etc/main.cf" ]; then postfix -c "$PF/etc" stop >/dev/null 2>&1 || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }

# ---------------------------------------------------------------- builds
if [ -z "${PB_BIN:-}" ]; then
  log "building src/Postbote (Release)"
  dotnet build "$ROOT/src/Postbote" -c Release -v quiet -nologo >/dev/null
  PB_BIN="$ROOT/src/Postbote/bin/Release/net10.0"
fi
if [ -z "${PB_AOT:-}" ]; then
  log "publishing src/Postbote.Sendmail (Native AOT)"
  dotnet publish "$ROOT/src/Postbote.Sendmail" -c Release -r linux-x64 -o "$WORK/aot" -v quiet -nologo >/dev/null
  PB_AOT="$WORK/aot"
fi
ln -sf "$PB_AOT/postbote-sendmail" "$WORK/mailq"
export SENDMAIL_POSTBOTE_PROGRAM="$PB_BIN/postbote"

# ---------------------------------------------------------------- Postfix, private instance
mkdir -p "$PF/etc" "$PF/queue" "$PF/data"; chown postfix:postfix "$PF/data"
cat > "$PF/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $PF/etc
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bench.local
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
alias_maps =
alias_database =
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
defer_transports = smtp, relay
smtp_dns_support_level = disabled
notify_classes =
biff = no
CF
cat > "$PF/etc/master.cf" <<CF
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
flush     unix  n       -       n       1000?   0       flush
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
anvil     unix  -       -       n       -       1       anvil
postlog   unix-dgram n  -       n       -       1       postlogd
CF
postfix -c "$PF/etc" start >/dev/null 2>&1 || { log "postfix start failed"; tail -5 "$PF/maillog" >&2 || true; exit 1; }
log "postfix: private instance in $PF"

# ---------------------------------------------------------------- Postbote
mkdir -p "$PB"
cat > "$PB/postbote.json" <<JSON
{ "Hostname": "mx.bench.local", "DataDirectory": "$PB/data", "Domains": [ "bench.local" ],
  "Listeners": [ { "Name": "mx", "Endpoint": "127.0.0.1:0", "Role": "Mx" } ],
  "Dns": { "Servers": [ "127.0.0.1:1" ], "Timeout": "00:00:01" }, "Queue": { "DeferDelivery": true }, "Http": { "Endpoint": "" } }
JSON
"$PB_BIN/postbote" serve --config "$PB/postbote.json" > "$PB/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do grep -q "admin socket" "$PB/serve.log" 2>/dev/null && break; sleep 0.1; done
grep -q "admin socket" "$PB/serve.log" || { log "postbote serve did not start"; tail -5 "$PB/serve.log" >&2; exit 1; }
log "postbote: pid $SERVER_PID, data in $PB/data"

MSG="$WORK/message.txt"
printf 'From: app@bench.local\nTo: someone@remote.example\nSubject: bench\n\nA line of text, as PHP mail() sends it.\n' > "$MSG"
PF_SENDMAIL="/usr/sbin/sendmail -C $PF/etc -t -i < $MSG"
AOT_SENDMAIL="$PB_AOT/postbote-sendmail -t -i --config $PB/postbote.json < $MSG"
JIT_SENDMAIL="$PB_BIN/postbote sendmail -t -i --config $PB/postbote.json < $MSG"
for _ in $(seq 1 "$PRELOAD"); do sh -c "$PF_SENDMAIL"; sh -c "$AOT_SENDMAIL"; done
for _ in $(seq 1 100); do [ "$(mailq -C "$PF/etc" | tail -1 | grep -c "in $PRELOAD Request")" = 1 ] && break; sleep 0.1; done
log "queues preloaded with $PRELOAD messages each; load average $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/mailq.json" \
  -n "Postfix mailq" "mailq -C $PF/etc" \
  -n "Postbote mailq (AOT)" "$WORK/mailq --config $PB/postbote.json" \
  -n "postbote queue list (JIT)" "$PB_BIN/postbote queue list --config $PB/postbote.json" >&2
hyperfine --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/sendmail.json" \
  -n "Postfix sendmail -t -i" "$PF_SENDMAIL" \
  -n "Postbote sendmail -t -i (AOT)" "$AOT_SENDMAIL" \
  -n "postbote sendmail -t -i (JIT)" "$JIT_SENDMAIL" >&2

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/sendmail-$(date -u +%Y-%m-%dT%H%M).md"
python3 - "$WORK/sendmail.json" "$WORK/mailq.json" "$RUNS" <<'PY' | tee "$OUT"
import json, sys
runs = sys.argv[3]
print(f"| command ({runs} calls each) | wall mean ± sd (ms) | min (ms) | user (ms) | sys (ms) | wall / Postfix |")
print("|---|---|---|---|---|---|")
for path in sys.argv[1:3]:
    results = json.load(open(path))["results"]
    base = results[0]["mean"]
    for r in results:
        print(f"| `{r['command']}` | {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f} | {r['min']*1000:.1f} | "
              f"{r['user']*1000:.1f} | {r['system']*1000:.1f} | {r['mean']/base:.2f} |")
PY
log "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); table in $OUT"
