#!/usr/bin/env bash
# MariaDB -> PostgreSQL capture: how fast sluice reads and decodes a binlog against
# mariadb-binlog (the server's own binlog reader) on the same binlog, and the end-to-end
# catch-up rate into PostgreSQL, on throwaway servers in the same run.
#
#   bench/mysql_capture.sh [CHANGES]
#
# CHANGES: inserts in transactions of 1,000 rows, then as many updates (default 400000).
# SLUICE (default build/sluice) and MICRO (default: micro_benchmarks next to it) name the
# binaries; the decode run uses micro_benchmarks' BM_BinlogCapture.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CHANGES=${1:-400000}
INSERTS=$((CHANGES / 2))
MICRO=${MICRO:-$(dirname "$SLUICE")/micro_benchmarks}
MARIADB_PID=""

stop_everything() {
  [ -n "$MARIADB_PID" ] && kill -9 "$MARIADB_PID" 2>/dev/null || true
  stop_all
}
trap stop_everything EXIT

# start_mariadb PORT: a MariaDB with the binlog settings sluice needs, in $BENCH_DIR/mariadb.
start_mariadb() {
  local port=$1 dir=$BENCH_DIR/mariadb
  mkdir -p "$dir/data"
  chmod o+x "$BENCH_DIR"  # mktemp makes it 0700; the server runs as another user
  local user_opt=()
  if [ "$(id -u)" = 0 ]; then chown -R mysql:mysql "$dir"; user_opt=(--user=mysql); fi
  mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db "${user_opt[@]}" >"$dir/install.log" 2>&1
  /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve --log-error="$dir/server.log" --server-id=1 \
    --log-bin="$dir/data/binlog" --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
    --innodb-buffer-pool-size=512M --innodb-log-file-size=256M --max-binlog-size=256M \
    "${user_opt[@]}" >/dev/null 2>&1 &
  MARIADB_PID=$!
  for _ in $(seq 1 100); do
    mariadb-admin -h 127.0.0.1 -P "$port" -u root ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "mariadbd did not start:"; cat "$dir/server.log"; exit 1
}

my() { mariadb -h 127.0.0.1 -P "$my_port" -u root -N -B "$@"; }

my_port=$(free_port); start_mariadb "$my_port"
dst_port=$(free_port); start_pg dst "$dst_port"
psql_at -p "$dst_port" -c "CREATE DATABASE sluice_dst"
my -e "CREATE DATABASE bench; CREATE TABLE bench.items (id BIGINT PRIMARY KEY, customer INT NOT NULL,
  sku VARCHAR(40) NOT NULL, price DECIMAL(12,2) NOT NULL, note VARCHAR(100),
  created_at DATETIME(6) NOT NULL)"

cat > "$BENCH_DIR/pipeline.yaml" <<YAML
name: bench
source: { type: mysql, url: "mysql://root@127.0.0.1:$my_port/bench", tables: [items] }
sink: { type: postgres, url: "postgresql://postgres@127.0.0.1:$dst_port/sluice_dst" }
batch: { max_rows: 50000, max_delay: 500ms }
YAML
"$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" --until-caught-up 2>"$BENCH_DIR/sluice-init.log"

my -e "FLUSH BINARY LOGS"
first_binlog=$(my -e "SHOW MASTER STATUS" | cut -f1)
echo "== loading $CHANGES changes ($INSERTS inserts in transactions of 1000, then $INSERTS updates)"
{
  for ((b = 0; b < INSERTS / 1000; b++)); do
    echo "INSERT INTO items SELECT seq, seq % 5000, CONCAT('SKU-', seq), (seq % 1000) / 7,
      REPEAT('x', 40), '2021-08-15 10:00:00.123456' FROM seq_$((b * 1000 + 1))_to_$((b * 1000 + 1000));"
  done
  for ((b = 0; b < INSERTS / 1000; b++)); do
    echo "UPDATE items SET price = price + 1, note = 'updated' WHERE id BETWEEN $((b * 1000 + 1)) AND $((b * 1000 + 1000));"
  done
} | my bench
binlog_bytes=$(my -e "SHOW BINARY LOGS" | awk -v f="$first_binlog" '$1 >= f { s += $2 } END { print s }')

echo "== decode: mariadb-binlog --read-from-remote-server --verbose"
t0=$(now_s)
mariadb-binlog --read-from-remote-server -h 127.0.0.1 -P "$my_port" -u root --verbose \
  --base64-output=DECODE-ROWS --to-last-log "$first_binlog" >"$BENCH_DIR/mariadb-binlog.out"
t1=$(now_s)
native_decode_s=$(elapsed "$t0" "$t1")
decoded_rows=$(grep -c '^### \(INSERT\|UPDATE\)' "$BENCH_DIR/mariadb-binlog.out")

echo "== decode: sluice's binlog reader (BM_BinlogCapture)"
SLUICE_BENCH_MYSQL_URL="mysql://root@127.0.0.1:$my_port/bench" SLUICE_BENCH_BINLOG_FILE="$first_binlog" \
  "$MICRO" --benchmark_filter=BM_BinlogCapture --benchmark_out="$BENCH_DIR/capture.json" \
  --benchmark_out_format=json >"$BENCH_DIR/capture.log" 2>&1
sluice_decode_ms=$(python3 -c "import json,sys; b=json.load(open(sys.argv[1]))['benchmarks'][0]; print(b['real_time'])" "$BENCH_DIR/capture.json")
sluice_changes=$(python3 -c "import json,sys; b=json.load(open(sys.argv[1]))['benchmarks'][0]; print(int(b['changes']))" "$BENCH_DIR/capture.json")
sluice_decode_s=$(echo "$sluice_decode_ms / 1000" | bc -l)
[ "$sluice_changes" = "$CHANGES" ] || { echo "sluice decoded $sluice_changes changes, expected $CHANGES"; exit 1; }
[ "$decoded_rows" = "$CHANGES" ] || { echo "mariadb-binlog printed $decoded_rows rows, expected $CHANGES"; exit 1; }

echo "== end to end: sluice catch-up into PostgreSQL"
t0=$(now_s)
/usr/bin/time -v "$SLUICE" run -c "$BENCH_DIR/pipeline.yaml" --until-caught-up 2>"$BENCH_DIR/sluice-catchup.log"
t1=$(now_s)
catchup_s=$(elapsed "$t0" "$t1")
catchup_rss=$(peak_rss_mb "$BENCH_DIR/sluice-catchup.log")

src_sum=$(my bench -e "SET SESSION group_concat_max_len = 1073741824;
  SELECT CONCAT(COUNT(*), ' ', MD5(GROUP_CONCAT(id, ':', price, ':', note ORDER BY id SEPARATOR ','))) FROM items")
dst_sum=$(psql_at -p "$dst_port" -d sluice_dst -c "SELECT count(*) || ' ' || md5(string_agg(id || ':' || price || ':' || note, ',' ORDER BY id)) FROM public.items")
[ "$src_sum" = "$dst_sum" ] || { echo "mirror differs: $dst_sum vs $src_sum"; exit 1; }

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); $(my -e 'SELECT VERSION()')"
echo "binlog: $CHANGES row changes, $((binlog_bytes / 1048576)) MiB"
echo "decode: sluice $(printf '%.2f' "$sluice_decode_s") s ($(rate "$CHANGES" "$sluice_decode_s") changes/s), mariadb-binlog --verbose $(printf '%.2f' "$native_decode_s") s ($(rate "$CHANGES" "$native_decode_s") rows/s); ratio sluice/mariadb-binlog = $(ratio "$native_decode_s" "$sluice_decode_s")"
echo "end to end catch-up into PostgreSQL: $(printf '%.2f' "$catchup_s") s ($(rate "$CHANGES" "$catchup_s") changes/s, peak RSS ${catchup_rss} MB)"
