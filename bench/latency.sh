#!/usr/bin/env bash
# Commit-to-visible latency of the reference scenario: `sluice demo ingest` buys tickets at
# a fixed rate in a PostgreSQL source while `sluice run` replicates into a PostgreSQL
# warehouse; the latency per source transaction comes from sluice's own histogram
# sluice_commit_to_visible_seconds on /metrics, cross-checked per row in the warehouse.
#
#   bench/latency.sh [SECONDS_PER_RATE] [RATES...]      (defaults: 60 s, rates 1000 10000)
#
# The pipeline is the reference pipeline file (examples/sport_events/pipeline.yaml), flow
# included (join, sha256, digit mask), with a PostgreSQL source.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'kill "${sluice_pid:-}" 2>/dev/null || true; stop_all' EXIT

SECONDS_PER_RATE=${1:-60}
shift || true
RATES=("${@:-1000 10000}")
read -r -a RATES <<<"${RATES[*]}"
total_rows=0
for rate in "${RATES[@]}"; do total_rows=$((total_rows + rate * SECONDS_PER_RATE)); done

src_port=$(free_port); start_pg src "$src_port"
dst_port=$(free_port); start_pg dst "$dst_port"
metrics_port=$(free_port)
src_url="postgresql://postgres@127.0.0.1:$src_port/postgres"
dst_url="postgresql://postgres@127.0.0.1:$dst_port/postgres"

echo "== demo init: $((total_rows + 1000)) tickets"
"$SLUICE" demo init --url "$src_url" --tickets $((total_rows + 1000)) --customers 10000

# applied_at: when the row was written in the warehouse (the sink's MERGE leaves extra
# columns to their default), for a per-row cross-check of the histogram.
psql_at -p "$dst_port" -c "CREATE TABLE sport_event_activity (ticket_id int PRIMARY KEY,
  event_id int, sport_type text, start_date date, location text, seat_level text,
  seat_location text, ticket_price int, purchased_by int, name text, email_address char(64),
  phone_number text, created_at timestamp, updated_at timestamp,
  applied_at timestamp DEFAULT clock_timestamp()::timestamp)"

sed -e 's/type: mysql/type: postgres/' \
  "$(dirname "$0")/../examples/sport_events/pipeline.yaml" >"$BENCH_DIR/pipeline.yaml"
echo "observability: { listen: \"127.0.0.1:$metrics_port\" }" >>"$BENCH_DIR/pipeline.yaml"
SOURCE_URL=$src_url WAREHOUSE_URL=$dst_url "$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" \
  2>"$BENCH_DIR/sluice.log" &
sluice_pid=$!

metric() { curl -sf "http://127.0.0.1:$metrics_port/metrics" || true; }
rows_out() { metric | awk '$1 == "sluice_rows_out_total{table=\"sport_event_activity\"}" { print $2 }'; }
until curl -sf "http://127.0.0.1:$metrics_port/status" | grep -q '"state":"streaming"'; do
  kill -0 "$sluice_pid" || { cat "$BENCH_DIR/sluice.log"; exit 1; }
  sleep 0.2
done

# quantiles BEFORE AFTER: p50/p99 (linear within the bucket, as PromQL's histogram_quantile)
# and the bucket holding the maximum, from the difference of two scrapes.
quantiles() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'sluice_commit_to_visible_seconds_bucket\{le="([^"]+)"\} (\S+)', line)
        if m: out[float(m.group(1))] = float(m.group(2))
    return out
before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
bounds = sorted(after)
cum = [after[b] - before.get(b, 0) for b in bounds]
total = cum[-1]
def q(p):
    rank, prev_b, prev_c = p * total, 0.0, 0.0
    for b, c in zip(bounds, cum):
        if c >= rank:
            if b == float("inf"): return f">{prev_b:g}"
            return f"{prev_b + (b - prev_b) * (rank - prev_c) / max(c - prev_c, 1):.3f}"
        prev_b, prev_c = b, c
top = next(b for b, c in zip(bounds, cum) if c == total)
print(f"{int(total)} transactions; p50 {q(0.5)} s, p99 {q(0.99)} s, max <= {top:g} s")
PY
}

results=()
sold=0
for rate in "${RATES[@]}"; do
  echo "== ingest at $rate rows/s for $SECONDS_PER_RATE s"
  metric >"$BENCH_DIR/before.txt"
  start_sold=$sold
  "$SLUICE" demo ingest --url "$src_url" --rate "$rate" --duration "${SECONDS_PER_RATE}s" |
    tee "$BENCH_DIR/ingest-$rate.log"
  sold=$(psql_at -p "$src_port" -c "SELECT count(*) FROM ticket_activity")
  until [ "$(rows_out)" = "$sold" ]; do
    kill -0 "$sluice_pid" || { cat "$BENCH_DIR/sluice.log"; exit 1; }
    sleep 0.2
  done
  metric >"$BENCH_DIR/after.txt"
  histogram=$(quantiles "$BENCH_DIR/before.txt" "$BENCH_DIR/after.txt")
  per_row=$(psql_at -p "$dst_port" -F ' ' -c "
    WITH l AS (SELECT extract(epoch FROM applied_at - created_at) AS s FROM sport_event_activity
               ORDER BY created_at OFFSET $start_sold)
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 3),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s)::numeric, 3),
           round(max(s)::numeric, 3) FROM l" | awk '{ printf "p50 %s s, p99 %s s, max %s s", $1, $2, $3 }')
  results+=("rate $rate/s ($((sold - start_sold)) rows): histogram: $histogram; per row in the warehouse: $per_row")
done

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); PostgreSQL $(psql_at -p "$src_port" -c 'SHOW server_version')"
echo "pipeline: reference pipeline file (flow included) from PostgreSQL, batch max_delay 200ms"
for line in "${results[@]}"; do echo "$line"; done
