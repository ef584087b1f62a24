# Sourced by bench/compare.sh (uses its helpers and variables: start_server, one_run, record, PORT, ...).
# Issue 17: relay rate to the sink alone, then with a black hole holding BH_MESSAGES messages of a second destination.
# Postfix routes blackhole.bench.local by transport_maps; Postbote (no transport table) runs without relayhost and
# gets address literals: the sink as [127.0.0.1], the black hole as [$BH_ADDRESS], both on the sink's port.
rcpt_for() { # server kind(sink|hole)
  if [ "$1" = postbote ]; then [ "$2" = sink ] && echo "sink@[127.0.0.1]" || echo "hole@[$BH_ADDRESS]"
  else [ "$2" = sink ] && echo "$RCPT" || echo "hole@blackhole.$DOMAIN"; fi
}
run_blackhole() {
  python3 "$TOOLS/blackhole.py" "$BH_ADDRESS" "$SINK_PORT" --seconds 3600 > "$WORK/blackhole.out" 2>&1 &
  local bh_pid=$!
  local i; for i in $(seq 1 50); do grep -q '^ready' "$WORK/blackhole.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$WORK/blackhole.out" || { log "black hole did not start: $(tail -2 "$WORK/blackhole.out")"; kill "$bh_pid"; return; }
  PB_DIRECT=1
  local server
  for server in $SERVERS; do start_server "$server" 1200 || log "$server: skipped black hole (did not start)"; done
  for server in $SERVERS; do # warm up on the sink route (not measured), then the figure alone
    started "$server" || continue
    log "$server: black hole warm-up: $(one_run "$server" 20 4096 "$BH_RELAY_MESSAGES" "$(rcpt_for "$server" sink)")"
  done
  declare -A alone=() held=()
  for server in $(order_for 1); do
    started "$server" || continue
    local out; out=$(one_run "$server" 20 4096 "$BH_RELAY_MESSAGES" "$(rcpt_for "$server" sink)")
    [ -n "$out" ] && alone[$server]=$(echo "$out" | awk '{print $2}')
    log "$server: relay to the sink alone: $out"
  done
  for server in $SERVERS; do # BH_MESSAGES for the black hole: accepted, then held there
    started "$server" || continue
    timeout "$RUN_TIMEOUT" smtp-source -d -s 10 -m "$BH_MESSAGES" -l 4096 -f "$SENDER" -t "$(rcpt_for "$server" hole)" \
      -M bench.client -S "black hole" "127.0.0.1:${PORT[$server]}" > "$WORK/source-bh.out" 2>&1 \
      || log "$server: smtp-source to the black hole failed: $(tail -2 "$WORK/source-bh.out")"
  done
  sleep 2 # let both schedulers open what they will to the black hole
  log "black hole: $(tail -1 "$WORK/blackhole.out")"
  for server in $(order_for 2); do
    started "$server" || continue
    local out; out=$(one_run "$server" 20 4096 "$BH_RELAY_MESSAGES" "$(rcpt_for "$server" sink)")
    [ -n "$out" ] && held[$server]=$(echo "$out" | awk '{print $2}')
    log "$server: relay to the sink beside the black hole: $out; black hole: $(tail -1 "$WORK/blackhole.out")"
  done
  for server in $SERVERS; do
    record "$server" "relay msg/s to the sink alone, 20 sess, 4 KiB" "${alone[$server]:-failed}"
    record "$server" "relay msg/s beside a black hole holding $BH_MESSAGES msgs" "${held[$server]:-failed}"
    [ -n "${alone[$server]:-}" ] && [ -n "${held[$server]:-}" ] && record "$server" "black hole: relay rate kept (target >= 0.90)" \
      "$(python3 -c "print(f'{${held[$server]}/${alone[$server]}:.2f}')")"
    "stop_$server"
  done
  PB_DIRECT=0
  kill "$bh_pid" 2>/dev/null; wait "$bh_pid" 2>/dev/null
}
