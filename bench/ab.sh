#!/usr/bin/env bash
# A/B comparison of two Postbote builds (or of one build under two environments) on the accept+relay path:
# smtp-source -> Postbote -> smtp-sink, the builds alternating, REPS rounds, median of each.
#   bench/ab.sh DIR_A DIR_B [sessions] [messages] [size]
# DIR_A/DIR_B: directories holding a built postbote.dll. ENV_A / ENV_B: extra environment for each
# (e.g. ENV_B="DOTNET_TieredPGO=0"); CONFIG_A / CONFIG_B: extra top-level members of the configuration
# (e.g. CONFIG_B='"Queue":{"SyncMode":"Files"}'). Prints accept msg/s and CPU ms/msg (accept and relay) per run and the medians.
# WARM: messages sent before the measured run (2000), so that the JIT has settled.
# Every run is bounded (timeout 300 s for smtp-source, 60 s for the drain); loopback only.
set -uo pipefail
A="$1"; B="$2"; S="${3:-20}"; M="${4:-6000}"; SIZE="${5:-4096}"; REPS="${REPS:-3}"
OUT="${OUT:-/tmp/pbab}"; mkdir -p "$OUT"
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

run_one() { # dir env label extra-config
  local dir="$1" envs="$2" label="$3" extra="${4:+,$4}" sink srv
  sink=$(port); srv=$(port)
  smtp-sink -u postfix -c -m 1024 127.0.0.1:$sink 1024 > "$OUT/sink.out" 2>&1 & local sink_pid=$!
  rm -rf "$OUT/data"; mkdir -p "$OUT/data"
  cat > "$OUT/config.json" <<JSON
{"Hostname":"bench-postbote.bench.local","DataDirectory":"$OUT/data","Domains":["postbote.invalid"],
 "Listeners":[{"Name":"mx","Endpoint":"127.0.0.1:$srv","Role":"Mx"}],"TrustedNetworks":["127.0.0.0/8"],
 "Limits":{"ConnectionsPerClient":2000},"Relayhost":{"Host":"127.0.0.1","Port":$sink,"Tls":"None"}$extra}
JSON
  env $envs dotnet "$dir/postbote.dll" serve --config "$OUT/config.json" > "$OUT/server-$label.log" 2>&1 & local pid=$!
  for _ in $(seq 1 150); do python3 -c "import socket;socket.create_connection(('127.0.0.1',$srv),1)" 2>/dev/null && break; sleep 0.2; done
  local warm="${WARM:-2000}"
  timeout 300 smtp-source -d -s "$S" -m $warm -l "$SIZE" -f a@bench.client -t sink@bench.local 127.0.0.1:$srv
  sleep 2
  local c0 t0 t1 c1
  c0=$(awk '{print $14+$15}' /proc/$pid/stat); t0=$(date +%s.%N)
  timeout 300 smtp-source -d -s "$S" -m "$M" -l "$SIZE" -f a@bench.client -t sink@bench.local 127.0.0.1:$srv
  t1=$(date +%s.%N)
  for _ in $(seq 1 600); do [ "$(tr '\r' '\n' < "$OUT/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)" -ge $((M+warm)) ] 2>/dev/null && break; sleep 0.1; done
  c1=$(awk '{print $14+$15}' /proc/$pid/stat)
  kill $pid $sink_pid 2>/dev/null; wait $pid $sink_pid 2>/dev/null
  python3 -c "print(f'$label {$M/($t1-$t0):.0f} {($c1-$c0)*10/$M:.3f}')"
}

: > "$OUT/results"
for r in $(seq 1 "$REPS"); do
  if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
  for x in $order; do
    if [ $x = A ]; then run_one "$A" "${ENV_A:-}" A "${CONFIG_A:-}"; else run_one "$B" "${ENV_B:-}" B "${CONFIG_B:-}"; fi | tee -a "$OUT/results"
  done
done
python3 - "$OUT/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for x in "AB":
    r = [float(a) for l, a, c in rows if l == x]; c = [float(c) for l, a, c in rows if l == x]
    if r: print(f"{x}: accept {statistics.median(r):.0f} msg/s ({min(r):.0f}-{max(r):.0f}), CPU {statistics.median(c):.3f} ms/msg ({min(c):.3f}-{max(c):.3f})")
PY
