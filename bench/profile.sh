#!/usr/bin/env bash
# Profiles Postbote under smtp-source load with perf (DOTNET_PerfMapEnabled=1 for JIT symbols).
#   bench/profile.sh [sessions] [messages] [size] [defer]   (defer=1: Queue:DeferDelivery, accept path only)
# Prints CPU ms/msg and the top symbols; leaves perf.data and the report in $OUT (default /tmp/pbprof).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; ROOT="$(cd "$HERE/.." && pwd)"
S="${1:-20}"; M="${2:-4000}"; SIZE="${3:-4096}"; DEFER="${4:-0}"
OUT="${OUT:-/tmp/pbprof}"; mkdir -p "$OUT"
PB_BIN="${PB_BIN:-$OUT/bin}"
[ -f "$PB_BIN/postbote.dll" ] || dotnet build "$ROOT/src/Postbote" -c Release -o "$PB_BIN" > "$OUT/build.log" 2>&1 || { echo "build failed"; exit 1; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SINK=$(port); SRV=$(port)
smtp-sink -u postfix -c -m 1024 127.0.0.1:$SINK 1024 > "$OUT/sink.out" 2>&1 & SINK_PID=$!
rm -rf "$OUT/data"; mkdir -p "$OUT/data"
cat > "$OUT/config.json" <<JSON
{"Hostname":"bench-postbote.bench.local","DataDirectory":"$OUT/data","Domains":["postbote.invalid"],
 "Listeners":[{"Name":"mx","Endpoint":"127.0.0.1:$SRV","Role":"Mx"}],"TrustedNetworks":["127.0.0.0/8"],
 "Limits":{"ConnectionsPerClient":2000},"Queue":{"DeferDelivery":$([ "$DEFER" = 1 ] && echo true || echo false)},
 "Relayhost":{"Host":"127.0.0.1","Port":$SINK,"Tls":"None"}}
JSON
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$PB_BIN/postbote.dll" serve --config "$OUT/config.json" > "$OUT/server.log" 2>&1 & PID=$!
trap 'kill $PID $SINK_PID 2>/dev/null; wait $PID $SINK_PID 2>/dev/null' EXIT
for i in $(seq 1 100); do python3 -c "import socket;socket.create_connection(('127.0.0.1',$SRV),1)" 2>/dev/null && break; sleep 0.2; done
# warm-up (JIT, tiering), not profiled
timeout 120 smtp-source -d -s "$S" -m 1000 -l "$SIZE" -f a@bench.client -t sink@bench.local 127.0.0.1:$SRV
sleep 3
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
c0=$(cpu); t0=$(date +%s.%N); echo "load $(cut -d' ' -f1 /proc/loadavg)"
perf record -F 499 -g -p $PID -o "$OUT/perf.data" -- sleep 600 > /dev/null 2>&1 & PERF=$!
timeout 300 smtp-source -d -s "$S" -m "$M" -l "$SIZE" -f a@bench.client -t sink@bench.local 127.0.0.1:$SRV
t1=$(date +%s.%N)
if [ "$DEFER" != 1 ]; then
  for i in $(seq 1 600); do [ "$(tr '\r' '\n' < "$OUT/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)" -ge $((M+1000)) ] 2>/dev/null && break; sleep 0.1; done
fi
t2=$(date +%s.%N); c1=$(cpu); kill -INT $PERF; wait $PERF
python3 -c "print(f'accept {$M/($t1-$t0):.0f} msg/s, drained {$M/($t2-$t0):.0f} msg/s, CPU {($c1-$c0)*10/$M:.3f} ms/msg (clock ticks 100/s)')"
echo "load $(cut -d' ' -f1 /proc/loadavg)"
perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep -E '^\s+[0-9.]+%' | head -${TOP:-40} | tee "$OUT/report.txt"
