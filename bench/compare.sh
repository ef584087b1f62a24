#!/usr/bin/env bash
# Whole-server benchmark, Postfix vs Postbote, on this machine over loopback (issue 7).
#
#   bench/compare.sh                 # both servers (Postbote is skipped when it does not start)
#   SERVERS=postfix bench/compare.sh # only Postfix
#   QUICK=1 bench/compare.sh         # fewer messages and repetitions, idle K=1000 only
#   SCENARIOS=blackhole bench/compare.sh  # only the black-hole scenario (SCENARIOS: any of load idle blackhole)
#
# Figures, per server (see bench/README.md):
#   accept rate   messages/s accepted by smtp-source (250 after DATA, i.e. durably queued),
#                 for 1/20/100 parallel sessions x 4 KiB/100 KiB bodies; median of REPS runs, with min-max
#   CPU/msg       CPU ms of every process of the server per message, accept plus relay to the sink
#   mem/idle conn PSS KiB per idle connection (K connections after EHLO, minus the idle baseline)
#   latency       p50/p99 ms from MAIL to the 250 after DATA at ~100 msg/s (bench/tools/latency.py)
#   black hole    relay msg/s to the sink alone, then again while a second destination, a black hole that accepts
#                 and never greets (bench/tools/blackhole.py), holds BH_MESSAGES queued messages (issue 17)
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
WARMUP="${WARMUP:-10000}"              # messages per server before measuring (0: none)
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"      # seconds, any one smtp-source run
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-300}"  # seconds, waiting for the sink to receive everything
SCENARIOS="${SCENARIOS:-load idle blackhole}"
BH_MESSAGES="${BH_MESSAGES:-100}"      # messages queued for the black hole
BH_RELAY_MESSAGES="${BH_RELAY_MESSAGES:-$([ "$QUICK" = 1 ] && echo 2000 || echo 4000)}"  # per relay run, 20 sessions, 4 KiB
BH_ADDRESS=127.0.0.3                   # the black hole listens here, on the sink's port
DOMAIN=bench.local
RCPT="sink@$DOMAIN"
SENDER="source@bench.client"

WORK="$(mktemp -d /tmp/postbote-bench.XXXXXX)"; chmod 755 "$WORK"
declare -A R=()            # R[server,figure] = value
declare -a FIGURES=()      # figure names in order of first appearance
SINK_PID=""; SERVER_PIDS=""; SERVER_PORT=""
declare -A PORT=() PIDS=() LOADS=()  # per server: port, process roots; LOADS[server,figure] = load averages seen

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
relay_domains = $DOMAIN, blackhole.$DOMAIN
relayhost = [127.0.0.1]:$SINK_PORT
transport_maps = inline:{ blackhole.$DOMAIN=smtp:[$BH_ADDRESS]:$SINK_PORT }
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
  local pid="${PIDS[postfix]:-}"
  postfix -c "$PF/etc" stop >/dev/null 2>&1
  local i; for i in $(seq 1 150); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  PIDS[postfix]=""
}

# ---------------------------------------------------------------- server: postbote
# Plugged in the same way: start_<name> [process_limit] sets SERVER_PORT and SERVER_PIDS (roots of the
# process trees measured) or returns non-zero, and stop_<name> stops the one started.
PB="$WORK/postbote"
PB_BIN="${PB_BIN:-}"   # a directory holding an already built postbote.dll (skips the build)
PB_DIRECT=0            # 1: no relayhost; recipients at address literals go to Delivery:Port (the black-hole scenario)
build_postbote() {
  [ -n "$PB_BIN" ] && return 0
  PB_BIN="$WORK/postbote-bin"
  log "building postbote (Release)"
  dotnet build "$ROOT/src/Postbote" -c Release -o "$PB_BIN" > "$WORK/postbote-build.log" 2>&1 \
    || { log "postbote build failed ($WORK/postbote-build.log)"; PB_BIN=""; return 1; }
}
start_postbote() { # [connection limit]
  local limit="${1:-1200}"
  SERVER_PORT="$(free_port)"
  build_postbote || return 1
  rm -rf "$PB"; mkdir -p "$PB/data"
  # Equivalent to the Postfix instance: bench.local is not ours (Postfix: relay_domains, mydestination empty),
  # the client is trusted (mynetworks), everything goes to the sink as relayhost; the spool fsyncs before 250.
  cat > "$PB/config.json" <<JSON
{"Hostname":"bench-postbote.$DOMAIN","DataDirectory":"$PB/data","Domains":["postbote.invalid"],
 "Listeners":[{"Name":"mx","Endpoint":"127.0.0.1:$SERVER_PORT","Role":"Mx"}],
 "TrustedNetworks":["127.0.0.0/8"],
 "Limits":{"ConnectionsPerClient":$limit,"ConnectionsTotal":$(( limit > 20000 ? limit : 20000 ))},
 $([ "$PB_DIRECT" = 1 ] && echo '"Delivery":{"Port":'"$SINK_PORT"',"Tls":{"Level":"none"}}}' || echo '"Relayhost":{"Host":"127.0.0.1","Port":'"$SINK_PORT"',"Tls":"None"}}')
JSON
  local dll; dll="$(ls "$PB_BIN/postbote.dll" "$PB_BIN/Postbote.dll" 2>/dev/null | head -1)"
  [ -n "$dll" ] || { log "postbote: no postbote.dll in $PB_BIN"; return 1; }
  # The built program directly (not dotnet run), so that only the server's own process is measured.
  (exec dotnet "$dll" serve --config "$PB/config.json") > "$PB/server.log" 2>&1 &
  SERVER_PIDS=$!
  local deadline=$(( $(date +%s) + 60 ))
  while kill -0 "$SERVER_PIDS" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] && ! wait_port "$SERVER_PORT" 1; do :; done
  if ! wait_port "$SERVER_PORT" 1; then
    log "postbote did not listen on 127.0.0.1:$SERVER_PORT; its output:"; tail -5 "$PB/server.log" >&2
    PIDS[postbote]="$SERVER_PIDS"; stop_postbote; return 1
  fi
  log "postbote: pid $SERVER_PIDS on 127.0.0.1:$SERVER_PORT, connection limit $limit"
}
stop_postbote() {
  local pid="${PIDS[postbote]:-}"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  local i; for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; PIDS[postbote]=""
}

# ---------------------------------------------------------------- measurements
load1() { cut -d' ' -f1 /proc/loadavg; }
note_load() { # server figure: remember the 1-minute load average seen at a run of this figure
  LOADS["$1,$2"]="${LOADS["$1,$2"]:-} $(load1)"
}
order_for() { # rep -> the servers, rotated by one per repetition, so that neither always runs first
  local rep=$1 arr=($SERVERS) n out=() i
  n=${#arr[@]}
  for ((i = 0; i < n; i++)); do out+=("${arr[$(( (i + rep - 1) % n ))]}"); done
  echo "${out[@]}"
}
started() { [ -n "${PIDS[$1]:-}" ]; }
start_server() { # name limit
  SERVER_PORT=""; SERVER_PIDS=""
  "start_$1" "$2" || { PIDS[$1]=""; return 1; }
  PORT[$1]="$SERVER_PORT"; PIDS[$1]="$SERVER_PIDS"
}
messages_for() { # sessions size -> message count of one run
  local s=$1 size=$2 n
  if [ "$size" -le 8192 ]; then n=$(( s == 1 ? 1000 : 4000 )); else n=$(( s == 1 ? 500 : 2000 )); fi
  [ "$QUICK" = 1 ] && n=$(( n / 2 ))
  echo "$n"
}
median_spread() { # decimals values... -> "median (min-max)"
  python3 -c 'import sys,statistics as s; d=int(sys.argv[1]); v=sorted(float(x) for x in sys.argv[2:]); print(f"{s.median(v):.{d}f} ({v[0]:.{d}f}-{v[-1]:.{d}f})")' "$@"
}

one_run() { # server sessions size messages [rcpt] -> "accept_rate relay_rate cpu_ms" or nothing
  local server=$1 s=$2 size=$3 m=$4 pids="${PIDS[$1]}" port="${PORT[$1]}" rcpt="${5:-$RCPT}"
  local before_sink; before_sink=$(sink_count)
  local cpu0; cpu0=$(python3 "$TOOLS/proctree.py" cpu $pids)
  local t0; t0=$(now)
  # -d: keep each session's connection for its next message; -l: body bytes
  if ! timeout "$RUN_TIMEOUT" smtp-source -d -s "$s" -m "$m" -l "$size" -f "$SENDER" -t "$rcpt" \
       -M bench.client -S "bench $size" "127.0.0.1:$port" > "$WORK/source.out" 2>&1; then
    log "$server: smtp-source failed (s=$s size=$size): $(tail -2 "$WORK/source.out")"; return
  fi
  local t1; t1=$(now)
  if ! wait_sink $(( before_sink + m )) "$DRAIN_TIMEOUT"; then
    log "$server: sink got $(( $(sink_count) - before_sink ))/$m within ${DRAIN_TIMEOUT}s"; return
  fi
  local t2; t2=$(now)
  local cpu1; cpu1=$(python3 "$TOOLS/proctree.py" cpu $pids)
  python3 -c "print(f'{$m/($t1-$t0):.1f} {$m/($t2-$t0):.1f} {($cpu1-$cpu0)*1000/$m:.3f}')"
}

warm_up() { # WARMUP messages per server, 20 sessions, 4 KiB, not measured: steady state (JIT, caches, processes)
  [ "$WARMUP" -gt 0 ] || return 0
  local server
  for server in $SERVERS; do
    started "$server" || continue
    local out; out=$(one_run "$server" 20 4096 "$WARMUP")
    log "$server: warm-up, $WARMUP messages (not measured): $out"
  done
}

measure_throughput() {
  local s size rep server
  for size in $SIZES_LIST; do
    for s in $SESSIONS_LIST; do
      local m; m=$(messages_for "$s" "$size")
      local kib=$((size/1024))
      declare -A acc=() rel=() cpu=()
      for rep in $(seq 1 "$REPS"); do
        for server in $(order_for "$rep"); do
          started "$server" || continue
          note_load "$server" "accept msg/s, $s sess, $kib KiB"
          local out; out=$(one_run "$server" "$s" "$size" "$m")
          [ -n "$out" ] || continue
          local a r c; read -r a r c <<< "$out"
          acc[$server]="${acc[$server]:-} $a"; rel[$server]="${rel[$server]:-} $r"; cpu[$server]="${cpu[$server]:-} $c"
          log "$server: s=$s size=$size m=$m rep=$rep: accept $a msg/s, relay $r msg/s, $c CPU ms/msg (load $(load1))"
        done
      done
      for server in $SERVERS; do
        [ -n "${acc[$server]:-}" ] || continue
        record "$server" "accept msg/s, $s sess, $kib KiB" "$(median_spread 1 ${acc[$server]})"
        record "$server" "relay msg/s (inject to sink), $s sess, $kib KiB" "$(median_spread 1 ${rel[$server]})"
        record "$server" "CPU ms/msg, $s sess, $kib KiB" "$(median_spread 3 ${cpu[$server]})"
        LOADS["$server,relay msg/s (inject to sink), $s sess, $kib KiB"]="${LOADS["$server,accept msg/s, $s sess, $kib KiB"]}"
        LOADS["$server,CPU ms/msg, $s sess, $kib KiB"]="${LOADS["$server,accept msg/s, $s sess, $kib KiB"]}"
      done
      unset acc rel cpu
    done
  done
}

measure_latency() {
  local rep server out
  declare -A p50=() p99=() pmax=()
  for rep in $(seq 1 "$REPS"); do
    for server in $(order_for "$rep"); do
      started "$server" || continue
      note_load "$server" "latency p50 ms @${LAT_RATE}/s, 4 KiB"
      out=$(timeout $(( LAT_MESSAGES / LAT_RATE + 120 )) python3 "$TOOLS/latency.py" 127.0.0.1 "${PORT[$server]}" \
            -n "$LAT_MESSAGES" -r "$LAT_RATE" -c 16 -l 4096 --rcpt "$RCPT" 2>"$WORK/latency.err" | tail -1)
      if [ -z "$out" ]; then log "$server: latency probe failed: $(tail -2 "$WORK/latency.err")"; continue; fi
      log "$server: latency rep=$rep $out (load $(load1))"
      local a b c; read -r a b c <<< "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["p50_ms"], d["p99_ms"], d["max_ms"])' "$out")"
      p50[$server]="${p50[$server]:-} $a"; p99[$server]="${p99[$server]:-} $b"; pmax[$server]="${pmax[$server]:-} $c"
    done
  done
  for server in $SERVERS; do
    [ -n "${p50[$server]:-}" ] || continue
    record "$server" "latency p50 ms @${LAT_RATE}/s, 4 KiB" "$(median_spread 2 ${p50[$server]})"
    record "$server" "latency p99 ms @${LAT_RATE}/s, 4 KiB" "$(median_spread 2 ${p99[$server]})"
    record "$server" "latency max ms @${LAT_RATE}/s, 4 KiB" "$(median_spread 1 ${pmax[$server]})"
    LOADS["$server,latency p99 ms @${LAT_RATE}/s, 4 KiB"]="${LOADS["$server,latency p50 ms @${LAT_RATE}/s, 4 KiB"]}"
    LOADS["$server,latency max ms @${LAT_RATE}/s, 4 KiB"]="${LOADS["$server,latency p50 ms @${LAT_RATE}/s, 4 KiB"]}"
  done
}

measure_idle() { # server K: the server is started by the caller
  local server=$1 k=$2 pids="${PIDS[$1]}" fig="KiB/idle conn (PSS), K=$2"
  sleep 1
  note_load "$server" "$fig"
  local base; base=$(python3 "$TOOLS/proctree.py" mem $pids)
  local fifo="$WORK/idle.in"; rm -f "$fifo"; mkfifo "$fifo"
  ( ulimit -n $(( k + 1024 )); exec python3 "$TOOLS/idle_conns.py" 127.0.0.1 "${PORT[$server]}" -k "$k" --hold 600 < "$fifo" > "$WORK/idle.out" 2>&1 ) &
  local idle_pid=$!
  exec 9>"$fifo"   # keep the holder's stdin open until we close fd 9
  local deadline=$(( $(date +%s) + 300 ))
  while ! grep -q '^ready' "$WORK/idle.out" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$idle_pid" 2>/dev/null; do sleep 0.5; done
  sleep 2
  local line; line=$(grep '^ready' "$WORK/idle.out" || echo "ready 0 failed $k")
  local held; held=$(echo "$line" | awk '{print $2}')
  local loaded; loaded=$(python3 "$TOOLS/proctree.py" mem $pids)
  exec 9>&-
  wait "$idle_pid" 2>/dev/null
  log "$server: K=$k $line; mem before [$base] with [$loaded] (pss_kib rss_kib procs) (load $(load1))"
  if [ "${held:-0}" -gt 0 ]; then
    local per; per=$(python3 -c "b='$base'.split(); l='$loaded'.split(); print(f'{(int(l[0])-int(b[0]))/$held:.0f} ({(int(l[1])-int(b[1]))/$held:.0f} RSS; {int(b[0])//1024}->{int(l[0])//1024} MiB PSS)')")
    record "$server" "$fig" "$per$([ "$held" -lt "$k" ] && echo " [only $held held]")"
  else
    record "$server" "$fig" "failed"
  fi
}

run_idle() {
  local k server i=0
  for k in $IDLE_COUNTS; do
    i=$((i + 1))
    for server in $(order_for "$i"); do
      # servers measured only up to their own largest K (IDLE_MAX_<name>)
      local max_var="IDLE_MAX_$server"; local max="${!max_var:-1000000}"
      [ "$k" -le "$max" ] || { log "$server: idle K=$k skipped (IDLE_MAX_$server=$max)"; continue; }
      start_server "$server" $(( k + 200 )) || { log "$server: skipped idle K=$k"; continue; }
      measure_idle "$server" "$k"
      "stop_$server"
    done
  done
}

# Issue 17: the black-hole scenario (run_blackhole), in its own file; it uses the helpers above.
source "$TOOLS/blackhole-scenario.sh"

# ---------------------------------------------------------------- main
if [ "${SKIP_DEPS:-0}" != 1 ]; then
  log "installing dependencies"
  bash "$ROOT/scripts/install-test-deps.sh" >&2 || { log "install-test-deps failed"; exit 1; }
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log "open files limit: $(ulimit -n); load $(load1)"
start_sink
# Both servers run side by side (each on its own port, both relaying to the same sink); each figure
# alternates between them, repetition by repetition.
has() { [[ " $SCENARIOS " == *" $1 "* ]]; }
if [ "${SKIP_LOAD:-0}" != 1 ] && has load; then
  for s in $SERVERS; do start_server "$s" 1200 || log "$s: skipped (did not start)"; done
  warm_up
  measure_throughput
  measure_latency
  for s in $SERVERS; do "stop_$s"; done
fi
has idle && run_idle
has blackhole && run_blackhole

DATE="$(date +%Y-%m-%d)"
OUT="$HERE/results/$DATE-$(date +%H%M).md"
mkdir -p "$HERE/results"
{
  echo "# Postfix vs Postbote, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); Postfix $(postconf -dh mail_version 2>/dev/null); Postbote $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); repetitions $REPS, alternating; values: median (min-max); load: 1-minute load average at the start of each run (min-max)."
  echo
  echo "| figure | Postfix | Postbote | ratio (Postbote/Postfix) | load Postfix / Postbote |"
  echo "|---|---|---|---|---|"
  for f in "${FIGURES[@]}"; do
    a="${R[postfix,$f]:-n/a}"; b="${R[postbote,$f]:-n/a}"
    ratio=$(python3 -c 'import sys
try:
    r = float(sys.argv[2].split()[0]) / float(sys.argv[1].split()[0])
    print(f"{r:.2f}" if r >= 0.1 else f"{r:.4f} (1/{1/r:.0f})")
except Exception: print("n/a")' "$a" "$b")
    la=$(python3 -c 'import sys; v=sorted(float(x) for x in sys.argv[1:]); print(f"{v[0]:.1f}-{v[-1]:.1f}" if v else "-")' ${LOADS[postfix,$f]:-})
    lb=$(python3 -c 'import sys; v=sorted(float(x) for x in sys.argv[1:]); print(f"{v[0]:.1f}-{v[-1]:.1f}" if v else "-")' ${LOADS[postbote,$f]:-})
    echo "| $f | $a | $b | $ratio | $la / $lb |"
  done
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
log "written $OUT"
