#!/usr/bin/env bash
# Scale-out through Kafka against the single-process pipeline: the same changes applied by
# `sluice run`, and by `sluice capture` (source -> Kafka) then `sluice apply` (Kafka ->
# warehouse) through librdkafka's mock cluster (three in-memory brokers on loopback,
# started through ctypes: no Kafka installation needed). The mock keeps everything in
# memory and does no replication, so the Kafka legs are an upper bound for a real cluster.
#
#   bench/kafka.sh [CHANGES] [PARTITIONS]
#
# CHANGES: inserts in transactions of 1,000 rows, then as many updates (default 200000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CHANGES=${1:-200000}
PARTITIONS=${2:-6}
INSERTS=$((CHANGES / 2))
MOCK_PID=
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; stop_all; }
trap cleanup EXIT

python3 -u - >"$BENCH_DIR/mock.out" 2>&1 <<'PY' &
import ctypes, sys, time
rk = ctypes.CDLL("librdkafka.so.1")
rk.rd_kafka_conf_new.restype = ctypes.c_void_p
rk.rd_kafka_new.restype = ctypes.c_void_p
rk.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
rk.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
rk.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
rk.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
rk.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
rk.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                 ctypes.c_char_p, ctypes.c_size_t]
err = ctypes.create_string_buffer(512)
conf = rk.rd_kafka_conf_new()
rk.rd_kafka_conf_set(conf, b"log_level", b"0", err, 512)
handle = rk.rd_kafka_new(0, conf, err, 512)
cluster = rk.rd_kafka_mock_cluster_new(handle, 3)
print("BROKERS " + rk.rd_kafka_mock_cluster_bootstraps(cluster).decode())
while True:
    time.sleep(3600)
PY
MOCK_PID=$!
until grep -q '^BROKERS ' "$BENCH_DIR/mock.out"; do sleep 0.1; done
BROKERS=$(sed -n 's/^BROKERS //p' "$BENCH_DIR/mock.out")
echo "== mock cluster at $BROKERS"

src_port=$(free_port); start_pg src "$src_port"
dst_port=$(free_port); start_pg dst "$dst_port"
psql_at -p "$dst_port" -c "CREATE DATABASE run_dst" -c "CREATE DATABASE kafka_dst"
psql_at -p "$src_port" -c "CREATE TABLE items (id bigint PRIMARY KEY, customer int NOT NULL,
  sku text NOT NULL, price numeric(12,2) NOT NULL, note text,
  created_at timestamptz NOT NULL DEFAULT now())"

cat > "$BENCH_DIR/run.yaml" <<YAML
name: bench_run
source: { type: postgres, url: "postgresql://postgres@127.0.0.1:$src_port/postgres", tables: [items] }
sink: { type: postgres, url: "postgresql://postgres@127.0.0.1:$dst_port/run_dst" }
batch: { max_rows: 50000, max_delay: 500ms }
YAML
cat > "$BENCH_DIR/kafka.yaml" <<YAML
name: bench_kafka
source: { type: postgres, url: "postgresql://postgres@127.0.0.1:$src_port/postgres", tables: [items] }
sink: { type: postgres, url: "postgresql://postgres@127.0.0.1:$dst_port/kafka_dst" }
batch: { max_rows: 50000, max_delay: 500ms }
transport: { type: kafka, brokers: "$BROKERS", partitions: $PARTITIONS }
YAML
"$SLUICE" run -c "$BENCH_DIR/run.yaml" --until-caught-up 2>"$BENCH_DIR/run-init.log"
"$SLUICE" capture -c "$BENCH_DIR/kafka.yaml" --until-caught-up 2>"$BENCH_DIR/capture-init.log"

load_items_changes "$src_port" "$INSERTS"

timed() { local t0; t0=$(now_s); "$@"; elapsed "$t0" "$(now_s)"; }

echo "== sluice run (single process)"
run_s=$(timed "$SLUICE" run -c "$BENCH_DIR/run.yaml" --until-caught-up 2>"$BENCH_DIR/run.log")
echo "== sluice capture (source -> kafka)"
capture_s=$(timed "$SLUICE" capture -c "$BENCH_DIR/kafka.yaml" --until-caught-up \
  2>"$BENCH_DIR/capture.log")
echo "== sluice apply (kafka -> warehouse, one process)"
apply_s=$(timed "$SLUICE" apply -c "$BENCH_DIR/kafka.yaml" --until-caught-up \
  2>"$BENCH_DIR/apply.log")

# Apply's own figure without process start and group join: first assignment to the end.
apply_stream_s=$(python3 - "$BENCH_DIR/apply.log" <<'PY'
import datetime, sys
stamps = [l[:23] for l in open(sys.argv[1]) if "apply: assigned" in l or "apply caught up" in l]
t = [datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f") for s in stamps]
print((t[-1] - t[0]).total_seconds())
PY
)

checksum="SELECT count(*) || ' ' || md5(string_agg(id || ':' || price || ':' || note, ',' ORDER BY id)) FROM items"
src_sum=$(psql_at -p "$src_port" -c "$checksum")
run_sum=$(psql_at -p "$dst_port" -d run_dst -c "$checksum")
kafka_sum=$(psql_at -p "$dst_port" -d kafka_dst -c "$checksum")
[ "$src_sum" = "$run_sum" ] || { echo "run result differs: $run_sum vs $src_sum"; exit 1; }
[ "$src_sum" = "$kafka_sum" ] || { echo "kafka result differs: $kafka_sum vs $src_sum"; exit 1; }

echo
echo "| path | seconds | changes/s |"
echo "|---|---|---|"
printf '| sluice run (one process) | %.2f | %s |\n' "$run_s" "$(rate "$CHANGES" "$run_s")"
printf '| sluice capture (source -> Kafka) | %.2f | %s |\n' "$capture_s" "$(rate "$CHANGES" "$capture_s")"
printf '| sluice apply (Kafka -> warehouse) | %.2f | %s |\n' "$apply_s" "$(rate "$CHANGES" "$apply_s")"
printf '| sluice apply, from its assignment on | %.2f | %s |\n' "$apply_stream_s" \
  "$(rate "$CHANGES" "$apply_stream_s")"
echo "(process start, connection and group join included; results equal. The mock does not"
echo " implement CreateTopics: topics get its auto-create default of 4 partitions, not $PARTITIONS)"
