#!/usr/bin/env bash
# Steady-state apply rate of the reference flow (ticket_activity joined with ticket,
# sport_event and customer, SHA-256 and a digit mask) from a PostgreSQL source into a
# PostgreSQL warehouse. For each sluice binary given: snapshot N driving rows, stop, let a
# backlog of changes build up in the source (transactions of 100 driving-row updates and
# one customer rename, which fans out to that customer's activities), then time
# `sluice run --until-caught-up` from the moment it streams until it has applied them all.
#
#   bench/flow_throughput.sh [SLUICE_BINARY...]     (default: build/sluice)
#   DRIVING_ROWS=1000000 TRANSACTIONS=3000 bench/flow_throughput.sh build/sluice /old/sluice
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'kill -9 "${sluice_pid:-}" 2>/dev/null || true; stop_all' EXIT

BINARIES=("${@:-$SLUICE}")
N=${DRIVING_ROWS:-1000000}
CUSTOMERS=100000
TRANSACTIONS=${TRANSACTIONS:-3000}
ROWS_PER_TRANSACTION=100

reference_flow_servers

cat >"$BENCH_DIR/backlog.sql" <<SQL
BEGIN;
UPDATE ticket_activity SET updated_at = now()
  WHERE ticket_id IN (SELECT 1 + (random() * ($N - 2))::int FROM generate_series(1, $ROWS_PER_TRANSACTION));
UPDATE customer SET name = name || '.' WHERE customer_id = 1 + (random() * ($CUSTOMERS - 2))::int;
COMMIT;
SQL

run_sluice() {  # run_sluice BINARY LOG [PREFIX...]: sluice run --until-caught-up in the background
  local binary=$1 log=$2
  shift 2
  SOURCE_URL=$src_url WAREHOUSE_URL=$dst_url "$@" "$binary" run --until-caught-up --no-progress \
    -c "$BENCH_DIR/pipeline.yaml" 2>"$log" &
  sluice_pid=$!
}

results=()
for binary in "${BINARIES[@]}"; do
  echo "== $binary: $N driving rows, $CUSTOMERS customers"
  SOURCE_URL=$src_url WAREHOUSE_URL=$dst_url "$binary" reset -c "$BENCH_DIR/pipeline.yaml" \
    >/dev/null 2>&1 || true
  rm -rf "$XDG_STATE_HOME"
  psql_at -p "$dst_port" -c "SET client_min_messages TO warning; DROP TABLE IF EXISTS sport_event_activity"
  "$binary" demo init --url "$src_url" --tickets "$N" --customers "$CUSTOMERS" >/dev/null
  psql_at -p "$src_port" -c "INSERT INTO ticket_activity
    SELECT ticket_id, 1 + (ticket_id::bigint * 7919) % $CUSTOMERS, now(), now() FROM ticket"
  run_sluice "$binary" "$BENCH_DIR/snapshot.log"
  wait "$sluice_pid" || { tail -5 "$BENCH_DIR/snapshot.log"; exit 1; }

  as_postgres "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$src_port" -U postgres -f "$BENCH_DIR/backlog.sql" \
    -c 2 -t $((TRANSACTIONS / 2)) postgres >/dev/null
  # PERF_DIR=<folder>: the backlog run is recorded with perf (the profile says where the time goes).
  if [ -n "${PERF_DIR:-}" ]; then
    run_sluice "$binary" "$BENCH_DIR/backlog.log" perf record -F 499 -g \
      -o "$PERF_DIR/$(basename "$binary").perf.data"
  else
    run_sluice "$binary" "$BENCH_DIR/backlog.log"
  fi
  until curl -sf "http://127.0.0.1:$metrics_port/status" | grep -q '"state":"streaming"'; do
    kill -0 "$sluice_pid" 2>/dev/null || break
    sleep 0.05
  done
  started=$(now_s)
  wait "$sluice_pid" || { tail -5 "$BENCH_DIR/backlog.log"; exit 1; }
  seconds=$(elapsed "$started" "$(now_s)")
  driving=$((TRANSACTIONS * ROWS_PER_TRANSACTION))
  line=$(printf '%s: %s transactions (%s driving-row updates, %s customer renames) applied in %.1f s: %s driving rows/s' \
    "$binary" "$TRANSACTIONS" "$driving" "$TRANSACTIONS" "$seconds" "$(rate "$driving" "$seconds")")
  echo "$line"
  results+=("$line")
done

echo "== results ($(nproc) cores, $(date -u +%Y-%m-%d), N=$N)"
printf '%s\n' "${results[@]}"
