#!/usr/bin/env bash
# Whole-server benchmark, Postfix vs Postbote, on this machine over loopback (issue 7).
#
#   bench/compare.sh                 # both servers (Postbote is skipped when it does not start)
#   SERVERS=postfix bench/compare.sh # only Postfix
#   QUICK=1 bench/compare.sh         # fewer messages and repetitions, idle K=1000 only
#
# Figures, per server (see bench/README.md):
#   accept rate   messages/s accepted by smtp-source (250 after DATA, i.e. durably queued),
#                 for 1/20/100 parallel sessions x 4 KiB/100 KiB bodies; median of REPS runs, with min-max
#   CPU/msg       CPU ms of every process of the server per message, accept plus relay to the sink
#   mem/idle conn PSS KiB per idle connection (K connections after EHLO, minus the idle baseline)
#   latency       p50/p99 ms from MAIL to the 250 after DATA at ~100 msg/s (bench/tools/latency.py)
# Every loop is bounded in count and in time. Nothing listens outside 127.0.0.1.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TOOLS="$HERE/tools"
QUICK="${QUICK:-0}"
SERVERS="${SERVERS:-postfix postbote}"
if [ "$QUICK" = 1 ]; then REPS="${REPS:-2}"; else REPS="${REPS:-3}"; fi
SESSIONS_LIST="${SESSIONS_LIST:-1 20 100}"
SIZES_LIST="${SIZES_LIST:-4096 102400}"
IDLE_COUNTS="${IDLE_COUNTS:-$([ "$QUICK" = 1 ] && echo 1000 || echo "1000 5000")}"
LAT_MESSAGES="${LAT_MESSAGES:-$([ "$QUICK" = 1 ] && echo 1000 || echo 3000)}"
LAT_RATE="${LAT_RATE:-100}"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"      # seconds, any one smtp-source run
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-300}"  # seconds, waiting for the sink to receive everything
DOMAIN=bench.local
RCPT="sink@$DOMAIN"
SENDER="source@bench.client"

WORK="$(mktemp -d /tmp/postbote-bench.XXXXXX)"; chmod 755 "$WORK"
declare -A R=()            # R[server,figure] = value
declare -a FIGURES=()      # figure names in order of first appearance
SINK_PID=""; SERVER_PIDS=""; SERVER_PORT=""

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
record() { # server figure value
  local key="$2"
  [[ " ${FIGURES[*]-} " == *" $key "* ]] || FIGURES+=("$key")
  R["$1,$key"]="$3"
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { # port seconds: bounded polling of connect()
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}
stats() { # values... -> "median min max"
  python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.argv[1:]); print(f"{s.median(v):.1f} {v[0]:.1f} {v[-1]:.1f}")' "$@"
}

cleanup() {
  set +e
  for s in $SERVERS; do declare -F "stop_$s" >/dev/null && "stop_$s" 2>/dev/null; done
  stop_sink
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the next hop: smtp-sink
SINK_PORT=""
start_sink() {
  SINK_PORT="$(free_port)"
  : > "$WORK/sink.out"
  # -u postfix: required as root; backlog 1024; -m: concurrent sessions it serves
  smtp-sink -u postfix -c -m 1024 "127.0.0.1:$SINK_PORT" 1024 > "$WORK/sink.out" 2>&1 &
  SINK_PID=$!
  wait_port "$SINK_PORT" 15 || { log "smtp-sink did not start"; exit 1; }
}
stop_sink() { [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=""; }
sink_count() { tr '\r' '\n' < "$WORK/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 | grep . || echo 0; }
wait_sink() { # count seconds
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(sink_count)" -lt "$1" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
  [ "$(sink_count)" -ge "$1" ]
}

# ---------------------------------------------------------------- server: postfix
PF="$WORK/postfix"
start_postfix() { # [process_limit]
  local limit="${1:-1200}"
  SERVER_PORT="$(free_port)"
  rm -rf "$PF"; mkdir -p "$PF/etc" "$PF/queue" "$PF/data"; chown postfix:postfix "$PF/data"
  cat > "$PF/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $PF/etc
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.$DOMAIN
mydomain = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relay_domains = $DOMAIN
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
notify_classes =
biff = no
# limits raised so that Postfix, not its defaults, is measured
default_process_limit = $limit
in_flow_delay = 0s
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_hard_error_limit = 1000
smtpd_soft_error_limit = 1000
relay_destination_concurrency_limit = 100
default_destination_concurrency_limit = 100
qmgr_message_active_limit = 100000
message_size_limit = 52428800
CF
  cat > "$PF/etc/master.cf" <<CF
127.0.0.1:$SERVER_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
  postfix -c "$PF/etc" start >/dev/null 2>&1 || { log "postfix start failed:"; tail -5 "$PF/maillog" >&2; return 1; }
  wait_port "$SERVER_PORT" 30 || { log "postfix did not listen"; return 1; }
  SERVER_PIDS="$(cat "$PF/queue/pid/master.pid" | tr -d ' ')"
  log "postfix: master pid $SERVER_PIDS on 127.0.0.1:$SERVER_PORT, process limit $limit"
}
stop_postfix() {
  [ -f "$PF/etc/main.cf" ] || return 0
  local pid="$SERVER_PIDS"
  postfix -c "$PF/etc" stop >/dev/null 2>&1
  local i; for i in $(seq 1 150); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  SERVER_PIDS=""
}

# ---------------------------------------------------------------- server: postbote
# Plugged in the same way: start_<name> [process_limit] sets SERVER_PORT and SERVER_PIDS (roots of the
# process trees measured) or returns non-zero, and stop_<name> stops it.
PB="$WORK/postbote"
start_postbote() {
  SERVER_PORT="$(free_port)"
  mkdir -p "$PB/data"
  cat > "$PB/config.json" <<JSON
{"Hostname":"$DOMAIN","DataDirectory":"$PB/data","Domains":["$DOMAIN"],
 "Listeners":[{"Name":"mx","Endpoint":"127.0.0.1:$SERVER_PORT","Role":"Mx"}],
 "Relayhost":{"Host":"127.0.0.1","Port":$SINK_PORT,"Tls":"None"}}
JSON
  if [ ! -f "$PB/built" ]; then
    dotnet build "$ROOT/src/Postbote" -c Release -o "$PB/bin" > "$PB/build.log" 2>&1 || { log "postbote build failed ($PB/build.log)"; return 1; }
    touch "$PB/built"
  fi
  # The built program directly (not dotnet run), so that only the server's own process is measured.
  local dll; dll="$(ls "$PB/bin/postbote.dll" "$PB/bin/Postbote.dll" 2>/dev/null | head -1)"
  [ -n "$dll" ] || { log "postbote: no postbote.dll in $PB/bin"; return 1; }
  (exec dotnet "$dll" serve --config "$PB/config.json") > "$PB/server.log" 2>&1 &
  SERVER_PIDS=$!
  # bounded wait for the port, given up as soon as the process has exited
  local deadline=$(( $(date +%s) + 60 ))
  while kill -0 "$SERVER_PIDS" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] && ! wait_port "$SERVER_PORT" 1; do :; done
  if ! wait_port "$SERVER_PORT" 1; then
    log "postbote did not listen on 127.0.0.1:$SERVER_PORT (skipped); its output:"; tail -5 "$PB/server.log" >&2
    stop_postbote; return 1
  fi
  log "postbote: pid $SERVER_PIDS on 127.0.0.1:$SERVER_PORT"
}
stop_postbote() {
  [ -n "${SERVER_PIDS:-}" ] || return 0
  kill "$SERVER_PIDS" 2>/dev/null
  local i; for i in $(seq 1 100); do kill -0 "$SERVER_PIDS" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PIDS" 2>/dev/null; wait "$SERVER_PIDS" 2>/dev/null; SERVER_PIDS=""
}

# ---------------------------------------------------------------- measurements
messages_for() { # sessions size -> message count of one run
  local s=$1 size=$2 n
  if [ "$size" -le 8192 ]; then n=$(( s == 1 ? 1000 : 4000 )); else n=$(( s == 1 ? 500 : 2000 )); fi
  [ "$QUICK" = 1 ] && n=$(( n / 2 ))
  echo "$n"
}

measure_throughput() { # server
  local server=$1 s size
  for size in $SIZES_LIST; do
    for s in $SESSIONS_LIST; do
      local m; m=$(messages_for "$s" "$size")
      local rates=() cpus=() rep
      for rep in $(seq 1 "$REPS"); do
        local before_sink; before_sink=$(sink_count)
        local cpu0; cpu0=$(python3 "$TOOLS/proctree.py" cpu $SERVER_PIDS)
        local t0; t0=$(now)
        # -d: keep each session's connection for its next message; -l: body bytes
        if ! timeout "$RUN_TIMEOUT" smtp-source -d -s "$s" -m "$m" -l "$size" -f "$SENDER" -t "$RCPT" \
             -M bench.client -S "bench $size" "127.0.0.1:$SERVER_PORT" > "$WORK/source.out" 2>&1; then
          log "$server: smtp-source failed (s=$s size=$size): $(tail -2 "$WORK/source.out")"; continue
        fi
        local t1; t1=$(now)
        if ! wait_sink $(( before_sink + m )) "$DRAIN_TIMEOUT"; then
          log "$server: sink got $(( $(sink_count) - before_sink ))/$m within ${DRAIN_TIMEOUT}s"
        fi
        local cpu1; cpu1=$(python3 "$TOOLS/proctree.py" cpu $SERVER_PIDS)
        local rate; rate=$(python3 -c "print(f'{$m/($t1-$t0):.1f}')")
        local cpu_ms; cpu_ms=$(python3 -c "print(f'{($cpu1-$cpu0)*1000/$m:.3f}')")
        rates+=("$rate"); cpus+=("$cpu_ms")
        log "$server: s=$s size=$size m=$m rep=$rep: $rate msg/s, $cpu_ms CPU ms/msg"
      done
      [ "${#rates[@]}" -gt 0 ] || continue
      local st; read -r med lo hi <<< "$(stats "${rates[@]}")"
      record "$server" "accept msg/s, $s sess, $((size/1024)) KiB" "$med ($lo-$hi)"
      read -r med lo hi <<< "$(python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.argv[1:]); print(f"{s.median(v):.3f} {v[0]:.3f} {v[-1]:.3f}")' "${cpus[@]}")"
      record "$server" "CPU ms/msg, $s sess, $((size/1024)) KiB" "$med ($lo-$hi)"
    done
  done
}

measure_latency() { # server
  local server=$1 out
  out=$(timeout $(( LAT_MESSAGES / LAT_RATE + 120 )) python3 "$TOOLS/latency.py" 127.0.0.1 "$SERVER_PORT" \
        -n "$LAT_MESSAGES" -r "$LAT_RATE" -c 16 -l 4096 --rcpt "$RCPT" 2>"$WORK/latency.err" | tail -1)
  if [ -z "$out" ]; then log "$server: latency probe failed: $(tail -2 "$WORK/latency.err")"; return; fi
  log "$server: latency $out"
  local p50 p99 rate
  read -r p50 p99 rate <<< "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["p50_ms"], d["p99_ms"], d["rate"])' "$out")"
  record "$server" "latency p50 ms @${LAT_RATE}/s, 4 KiB" "$p50"
  record "$server" "latency p99 ms @${LAT_RATE}/s, 4 KiB" "$p99"
}

measure_idle() { # server K
  local server=$1 k=$2
  sleep 1
  local base; base=$(python3 "$TOOLS/proctree.py" mem $SERVER_PIDS)
  local fifo="$WORK/idle.in"; rm -f "$fifo"; mkfifo "$fifo"
  ( ulimit -n $(( k + 1024 )); exec python3 "$TOOLS/idle_conns.py" 127.0.0.1 "$SERVER_PORT" -k "$k" --hold 600 < "$fifo" > "$WORK/idle.out" 2>&1 ) &
  local idle_pid=$!
  exec 9>"$fifo"   # keep the holder's stdin open until we close fd 9
  local deadline=$(( $(date +%s) + 300 ))
  while ! grep -q '^ready' "$WORK/idle.out" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$idle_pid" 2>/dev/null; do sleep 0.5; done
  sleep 2
  local line; line=$(grep '^ready' "$WORK/idle.out" || echo "ready 0 failed $k")
  local held; held=$(echo "$line" | awk '{print $2}')
  local loaded; loaded=$(python3 "$TOOLS/proctree.py" mem $SERVER_PIDS)
  exec 9>&-
  wait "$idle_pid" 2>/dev/null
  log "$server: $line; mem before [$base] with [$loaded] (pss_kib rss_kib procs)"
  if [ "${held:-0}" -gt 0 ]; then
    local per; per=$(python3 -c "b='$base'.split(); l='$loaded'.split(); print(f'{(int(l[0])-int(b[0]))/$held:.0f} ({(int(l[1])-int(b[1]))/$held:.0f} RSS)')")
    record "$server" "KiB/idle conn (PSS), K=$k" "$per$([ "$held" -lt "$k" ] && echo " [only $held held]")"
  else
    record "$server" "KiB/idle conn (PSS), K=$k" "failed"
  fi
}

run_server() { # name
  local server=$1
  log "=== $server"
  start_"$server" 1200 || { log "$server: skipped (did not start)"; return; }
  measure_throughput "$server"
  measure_latency "$server"
  "stop_$server"
  local k
  for k in $IDLE_COUNTS; do
    start_"$server" $(( k + 200 )) || { log "$server: skipped idle K=$k"; continue; }
    measure_idle "$server" "$k"
    "stop_$server"
  done
}

# ---------------------------------------------------------------- main
log "installing dependencies"
bash "$ROOT/scripts/install-test-deps.sh" >&2 || { log "install-test-deps failed"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log "open files limit: $(ulimit -n)"
start_sink
for s in $SERVERS; do run_server "$s"; done

DATE="$(date +%Y-%m-%d)"
OUT="$HERE/results/$DATE.md"
mkdir -p "$HERE/results"
{
  echo "# Postfix vs Postbote, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); Postfix $(postconf -dh mail_version 2>/dev/null); repetitions $REPS; values: median (min-max)."
  echo
  echo "| figure | Postfix | Postbote | ratio (Postbote/Postfix) |"
  echo "|---|---|---|---|"
  for f in "${FIGURES[@]}"; do
    a="${R[postfix,$f]:-n/a}"; b="${R[postbote,$f]:-n/a}"
    ratio=$(python3 -c 'import sys
try: print(f"{float(sys.argv[2].split()[0])/float(sys.argv[1].split()[0]):.2f}")
except Exception: print("n/a")' "$a" "$b")
    echo "| $f | $a | $b | $ratio |"
  done
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
log "written $OUT"
