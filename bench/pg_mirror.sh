#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL mirror: sluice against PostgreSQL's own logical replication
# (publication/subscription) and against a COPY pipe, same data, same machine, same run.
#
#   bench/pg_mirror.sh [CHANGES] [SNAPSHOT_ROWS] [BIG_TXN_ROWS]
#
# CHANGES: inserts in transactions of 1,000 rows, then as many updates (default 200000)
# SNAPSHOT_ROWS: rows for the snapshot comparison (default 1000000)
# BIG_TXN_ROWS: rows in one source transaction for the memory check (default 0: skip)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap stop_all EXIT

CHANGES=${1:-200000}
SNAPSHOT_ROWS=${2:-1000000}
BIG_TXN_ROWS=${3:-0}
INSERTS=$((CHANGES / 2))

src_port=$(free_port); start_pg src "$src_port"
dst_port=$(free_port); start_pg dst "$dst_port"
psql_at -p "$dst_port" -c "CREATE DATABASE sluice_dst" -c "CREATE DATABASE native_dst"
table_ddl="CREATE TABLE items (id bigint PRIMARY KEY, customer int NOT NULL, sku text NOT NULL,
  price numeric(12,2) NOT NULL, note text, created_at timestamptz NOT NULL DEFAULT now())"
psql_at -p "$src_port" -c "$table_ddl" -c "CREATE PUBLICATION native_pub FOR TABLE items"
psql_at -p "$dst_port" -d native_dst -c "$table_ddl"
psql_at -p "$dst_port" -d native_dst -c "CREATE SUBSCRIPTION native_sub
  CONNECTION 'host=127.0.0.1 port=$src_port user=postgres dbname=postgres'
  PUBLICATION native_pub WITH (copy_data = false, enabled = false)"

cat > "$BENCH_DIR/pipeline.yaml" <<YAML
name: bench
source: { type: postgres, url: "postgresql://postgres@127.0.0.1:$src_port/postgres", tables: [items] }
sink: { type: postgres, url: "postgresql://postgres@127.0.0.1:$dst_port/sluice_dst" }
batch: { max_rows: 50000, max_delay: 500ms }
YAML
"$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" --until-caught-up 2>"$BENCH_DIR/sluice-init.log"

load_items_changes "$src_port" "$INSERTS"
target_lsn=$(psql_at -p "$src_port" -c "SELECT pg_current_wal_lsn()")

echo "== sluice catch-up"
t0=$(now_s)
/usr/bin/time -v "$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" --until-caught-up \
  2>"$BENCH_DIR/sluice-catchup.log"
t1=$(now_s)
sluice_s=$(elapsed "$t0" "$t1")
sluice_rss=$(peak_rss_mb "$BENCH_DIR/sluice-catchup.log")

echo "== native logical replication catch-up"
t0=$(now_s)
psql_at -p "$dst_port" -d native_dst -c "ALTER SUBSCRIPTION native_sub ENABLE"
until [ "$(psql_at -p "$src_port" -c "SELECT confirmed_flush_lsn >= '$target_lsn'
  FROM pg_replication_slots WHERE slot_name = 'native_sub'")" = t ]; do sleep 0.05; done
t1=$(now_s)
native_s=$(elapsed "$t0" "$t1")

checksum="SELECT count(*) || ' ' || md5(string_agg(id || ':' || price || ':' || note, ',' ORDER BY id)) FROM items"
src_sum=$(psql_at -p "$src_port" -c "$checksum")
sluice_sum=$(psql_at -p "$dst_port" -d sluice_dst -c "$checksum")
native_sum=$(psql_at -p "$dst_port" -d native_dst -c "$checksum")
[ "$src_sum" = "$sluice_sum" ] || { echo "sluice result differs: $sluice_sum vs $src_sum"; exit 1; }
[ "$src_sum" = "$native_sum" ] || { echo "native result differs: $native_sum vs $src_sum"; exit 1; }

echo "== snapshot of $SNAPSHOT_ROWS rows: sluice against COPY TO | COPY FROM"
psql_at -p "$src_port" -c "CREATE TABLE snap (LIKE items INCLUDING ALL)" \
  -c "INSERT INTO snap (id, customer, sku, price, note) SELECT g, g % 5000, 'SKU-' || g, (g % 1000) / 7.0, repeat('x', 40) FROM generate_series(1, $SNAPSHOT_ROWS) g" \
  -c "VACUUM ANALYZE snap"
psql_at -p "$dst_port" -c "CREATE DATABASE pipe_dst" -c "CREATE DATABASE snap_dst"
psql_at -p "$dst_port" -d pipe_dst -c "$(echo "$table_ddl" | sed 's/TABLE items/TABLE snap/')"
t0=$(now_s)
psql_at -p "$src_port" -c "COPY snap TO STDOUT" | psql_at -p "$dst_port" -d pipe_dst -c "COPY snap FROM STDIN"
t1=$(now_s)
pipe_s=$(elapsed "$t0" "$t1")
cat > "$BENCH_DIR/snapshot.yaml" <<YAML
name: bench_snapshot
source: { type: postgres, url: "postgresql://postgres@127.0.0.1:$src_port/postgres", tables: [snap] }
sink: { type: postgres, url: "postgresql://postgres@127.0.0.1:$dst_port/snap_dst" }
YAML
t0=$(now_s)
"$SLUICE" run -c "$BENCH_DIR/snapshot.yaml" --until-caught-up 2>"$BENCH_DIR/sluice-snapshot.log"
t1=$(now_s)
snap_s=$(elapsed "$t0" "$t1")

big_line="big transaction: skipped (pass BIG_TXN_ROWS as the third argument)"
if [ "$BIG_TXN_ROWS" -gt 0 ]; then
  echo "== one transaction of $BIG_TXN_ROWS rows"
  psql_at -p "$src_port" -c "INSERT INTO items (id, customer, sku, price, note)
    SELECT g, g % 5000, 'SKU-' || g, 1, 'big' FROM generate_series(10000001, 10000000 + $BIG_TXN_ROWS) g"
  t0=$(now_s)
  /usr/bin/time -v "$SLUICE" --log-level debug run -c "$BENCH_DIR/pipeline.yaml" --until-caught-up \
    2>"$BENCH_DIR/sluice-big.log"
  t1=$(now_s)
  big_s=$(elapsed "$t0" "$t1")
  big_count=$(psql_at -p "$dst_port" -d sluice_dst -c "SELECT count(*) FROM items WHERE note = 'big'")
  if [ "$big_count" != "$BIG_TXN_ROWS" ]; then
    echo "big transaction: $big_count rows landed; sluice log:"
    tail -30 "$BENCH_DIR/sluice-big.log"
    exit 1
  fi
  big_line="big transaction: $BIG_TXN_ROWS rows in one source transaction applied in $(printf '%.1f' "$big_s") s, sluice peak RSS $(peak_rss_mb "$BENCH_DIR/sluice-big.log") MB"
fi

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); PostgreSQL $(psql_at -p "$src_port" -c 'SHOW server_version')"
echo "catch-up of $CHANGES changes: sluice $(printf '%.2f' "$sluice_s") s ($(rate "$CHANGES" "$sluice_s")/s, peak RSS ${sluice_rss} MB), native logical replication $(printf '%.2f' "$native_s") s ($(rate "$CHANGES" "$native_s")/s); ratio sluice/native = $(ratio "$native_s" "$sluice_s")"
echo "snapshot of $SNAPSHOT_ROWS rows: sluice $(printf '%.2f' "$snap_s") s ($(rate "$SNAPSHOT_ROWS" "$snap_s") rows/s), COPY pipe $(printf '%.2f' "$pipe_s") s ($(rate "$SNAPSHOT_ROWS" "$pipe_s") rows/s); ratio sluice/pipe = $(ratio "$pipe_s" "$snap_s")"
echo "$big_line"
