#!/usr/bin/env bash
# Restart of a flow pipeline after kill -9: the reference flow (a join of ticket_activity,
# the driving table, with ticket, sport_event and 100,000 customers) from a PostgreSQL
# source into a PostgreSQL warehouse. For each size N of the driving table: snapshot,
# stream under load (pgbench updating random driving rows at 1,000 per second), kill -9,
# restart, and report the time from the restart until a change made at that moment is
# visible in the warehouse, and the restarted process's peak RSS (and how long the first
# run took to reach streaming: snapshot and destination build).
#
#   bench/flow_restart.sh [DRIVING_ROWS...]      (default: 2000000 10000000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'kill -9 "${sluice_pid:-}" "${load_pid:-}" 2>/dev/null || true; stop_all' EXIT

SIZES=("${@:-2000000 10000000}")
read -r -a SIZES <<<"${SIZES[*]}"
CUSTOMERS=100000
LOAD_RATE=1000

reference_flow_servers

start_sluice() {  # start_sluice LOG: sluice run under /usr/bin/time -v (peak RSS in LOG.time)
  SOURCE_URL=$src_url WAREHOUSE_URL=$dst_url /usr/bin/time -v -o "$1.time" \
    "$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" 2>"$1" &
  sluice_pid=$!
}

wait_streaming() {
  until curl -sf "http://127.0.0.1:$metrics_port/status" | grep -q '"state":"streaming"'; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail -5 "$1"; exit 1; }
    sleep 0.1
  done
}

# The sluice process under /usr/bin/time: kill -9 must hit it, not time.
sluice_child() { pgrep -P "$sluice_pid" -x sluice; }

results=()
for n in "${SIZES[@]}"; do
  echo "== $n driving rows, $CUSTOMERS customers"
  SOURCE_URL=$src_url WAREHOUSE_URL=$dst_url "$SLUICE" reset -c "$BENCH_DIR/pipeline.yaml" \
    >/dev/null 2>&1 || true
  psql_at -p "$dst_port" -c "SET client_min_messages TO warning; DROP TABLE IF EXISTS sport_event_activity"
  "$SLUICE" demo init --url "$src_url" --tickets "$n" --customers "$CUSTOMERS" >/dev/null
  psql_at -p "$src_port" -c "INSERT INTO ticket_activity
    SELECT ticket_id, 1 + (ticket_id::bigint * 7919) % $CUSTOMERS, now(), now() FROM ticket"

  first_started=$(now_s)
  start_sluice "$BENCH_DIR/first.log"
  wait_streaming "$BENCH_DIR/first.log"
  first_run=$(elapsed "$first_started" "$(now_s)")
  echo "UPDATE ticket_activity SET updated_at = now() WHERE ticket_id = 1 + (random() * ($n - 2))::int;" \
    >"$BENCH_DIR/load.sql"
  as_postgres "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$src_port" -U postgres -f "$BENCH_DIR/load.sql" \
    -R "$LOAD_RATE" -T 3600 postgres >/dev/null 2>&1 &
  load_pid=$!
  sleep 5
  kill -9 "$(sluice_child)"
  wait "$sluice_pid" 2>/dev/null || true

  # The marker: a driving row the load never touches (the last ticket) gets a new time.
  marker="1999-12-31 23:59:$((RANDOM % 60))"
  started=$(now_s)
  start_sluice "$BENCH_DIR/restart.log"
  psql_at -p "$src_port" -c "UPDATE ticket_activity SET updated_at = '$marker' WHERE ticket_id = $n"
  until [ "$(psql_at -p "$dst_port" -c "SELECT count(*) FROM sport_event_activity
                WHERE ticket_id = $n AND updated_at = '$marker'" 2>/dev/null)" = 1 ]; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail -5 "$BENCH_DIR/restart.log"; exit 1; }
    sleep 0.05
  done
  visible=$(elapsed "$started" "$(now_s)")
  kill "$load_pid" 2>/dev/null || true
  kill -TERM "$(sluice_child)"
  wait "$sluice_pid" 2>/dev/null || true
  rss=$(peak_rss_mb "$BENCH_DIR/restart.log.time")
  line=$(printf '%s driving rows: first run to streaming %.0f s; restart to first visible change %.1f s, peak RSS %s MB' \
    "$n" "$first_run" "$visible" "$rss")
  echo "$line"
  results+=("$line")
done

echo "== results ($(nproc) cores, $(date -u +%Y-%m-%d))"
printf '%s\n' "${results[@]}"
