#!/usr/bin/env bash
# Memory per connection held in screening's greet delay (issue 13): N clients connect to an MX listener with
# Screening on (a block and an allow list, asked of bench/tools/nxdns.py on loopback, which answers NXDOMAIN:
# a clean client), read the first greeting line "220-" and stay silent while the delay (5 minutes) runs. The figure is
# the server's PSS with them held, minus its PSS before, divided by N. For comparison the same N connections are
# held after the whole greeting with Screening off (MODE=idle), and in the greet delay without DNS lists
# (MODE=pregreet-nodnsbl: the delay's own cost).
#
#   bench/held-connections.sh               # N=2000, both modes
#   N=500 MODES=pregreet bench/held-connections.sh
#
# Bounded: each mode at most ~3 minutes; nothing listens outside 127.0.0.1; the server is stopped at the end.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TOOLS="$HERE/tools"
N="${N:-2000}"
MODES="${MODES:-pregreet idle}"
WORK="$(mktemp -d /tmp/postbote-held.XXXXXX)"
PB_BIN="${PB_BIN:-}"
SERVER_PID=""
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null
  local i; for i in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

if [ -z "$PB_BIN" ]; then
  PB_BIN="$WORK/bin"
  log "building postbote (Release)"
  dotnet build "$ROOT/src/Postbote" -c Release -o "$PB_BIN" > "$WORK/build.log" 2>&1 || { log "build failed: $WORK/build.log"; exit 1; }
fi
DLL="$(ls "$PB_BIN/postbote.dll" "$PB_BIN/Postbote.dll" 2>/dev/null | head -1)"
exec 8> >(python3 "$TOOLS/nxdns.py" --lifetime 1200 > "$WORK/dns.out")
for _ in $(seq 1 50); do grep -q '^port' "$WORK/dns.out" 2>/dev/null && break; sleep 0.1; done
DNS_PORT=$(awk '/^port/{print $2}' "$WORK/dns.out")
[ -n "$DNS_PORT" ] || { log "nxdns did not start"; exit 1; }

for mode in $MODES; do
  port="$(free_port)"; data="$WORK/data-$mode"; rm -rf "$data"; mkdir -p "$data"
  screening='"Screening":{"Enabled":false}'
  [ "$mode" = pregreet ] && screening='"Screening":{"Enabled":true,"GreetDelay":"00:05:00","DnsblSites":["zen.bench.invalid=127.0.0.[2..11]*3","wl.bench.invalid=127.0.[0..255].[1..3]*-5"]}'
  [ "$mode" = pregreet-nodnsbl ] && screening='"Screening":{"Enabled":true,"GreetDelay":"00:05:00"}'
  cat > "$WORK/config-$mode.json" <<JSON
{"Hostname":"held.bench.local","DataDirectory":"$data","Domains":["bench.local"],
 "Listeners":[{"Name":"mx","Endpoint":"127.0.0.1:$port","Role":"Mx"}],
 "Dns":{"Servers":["127.0.0.1:$DNS_PORT"],"Timeout":"00:00:02"},
 "Limits":{"ConnectionsPerClient":$(( N + 100 )),"ConnectionsTotal":$(( N + 1000 ))},
 "Queue":{"DeferDelivery":true}, "Http":{"Endpoint":""},
 $screening}
JSON
  (ulimit -n $(( N + 1024 )); exec dotnet "$DLL" serve --config "$WORK/config-$mode.json") > "$WORK/server-$mode.log" 2>&1 &
  SERVER_PID=$!
  if ! wait_port "$port" 60; then log "$mode: server did not start"; tail -5 "$WORK/server-$mode.log" >&2; stop_server; continue; fi
  # Warm the server up with the same kind of connection (first allocations, thread pool, JIT), then measure.
  python3 "$TOOLS/idle_conns.py" 127.0.0.1 "$port" -k 50 --hold 1 $([ "$mode" != idle ] && echo --pregreet) < /dev/null > /dev/null 2>&1
  sleep 2
  base=$(python3 "$TOOLS/proctree.py" mem "$SERVER_PID")
  fifo="$WORK/hold.in"; rm -f "$fifo"; mkfifo "$fifo"
  ( ulimit -n $(( N + 1024 )); exec python3 "$TOOLS/idle_conns.py" 127.0.0.1 "$port" -k "$N" --hold 240 $([ "$mode" != idle ] && echo --pregreet) < "$fifo" > "$WORK/hold.out" 2>&1 ) &
  holder=$!
  exec 9>"$fifo"
  deadline=$(( $(date +%s) + 150 ))
  while ! grep -q '^ready' "$WORK/hold.out" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$holder" 2>/dev/null; do sleep 0.5; done
  # SETTLE seconds more (default 12, past Screening:DnsblTimeout of 10 s): every DNS list lookup has ended, so the
  # figure is the cost of a connection held in the delay, not of lookups in flight (SETTLE=0 measures those too).
  sleep "${SETTLE:-12}"
  line=$(grep '^ready' "$WORK/hold.out" || echo "ready 0 failed $N")
  held=$(echo "$line" | awk '{print $2}')
  loaded=$(python3 "$TOOLS/proctree.py" mem "$SERVER_PID")
  threads=$(awk '/^Threads:/{print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)
  exec 9>&-
  wait "$holder" 2>/dev/null
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ "${held:-0}" -gt 0 ]; then
    python3 -c "b='$base'.split(); l='$loaded'.split(); print(f'$mode: N=$N held=$held PSS {(int(l[0])-int(b[0]))/$held:.1f} KiB/conn, RSS {(int(l[1])-int(b[1]))/$held:.1f} KiB/conn ({int(b[0])//1024} -> {int(l[0])//1024} MiB PSS, $threads threads); load $load')"
  else
    echo "$mode: N=$N none held ($line); load $load"
  fi
  stop_server
done
