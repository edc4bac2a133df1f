# Shared helpers for the benchmark scripts: throwaway PostgreSQL servers on loopback.
# Sourced, not run. Servers live under $BENCH_DIR and are stopped on exit.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/sluice-bench.XXXXXX)}
# Flow state of the pipelines a bench runs lives with the rest of the run, not in ~/.local.
export XDG_STATE_HOME="$BENCH_DIR/state"
SLUICE=${SLUICE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/sluice}
declare -a BENCH_SERVERS=()

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# start_pg NAME PORT [extra postgres -c settings...]
start_pg() {
  local name=$1 port=$2
  shift 2
  local dir=$BENCH_DIR/$name
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$BENCH_DIR" "$dir"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
  opts+=" -c full_page_writes=off -c shared_buffers=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min"
  opts+=" -c max_replication_slots=10 -c max_wal_senders=10 -c wal_level=logical"
  for setting in "$@"; do opts+=" -c $setting"; done
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -o "$opts" -w start >/dev/null
  BENCH_SERVERS+=("$dir/data")
}

stop_all() {
  for data in "${BENCH_SERVERS[@]}"; do as_postgres "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$BENCH_DIR"
}

psql_at() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -At "$@"; }

now_s() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

# peak_rss_mb FILE: the "Maximum resident set size" of a /usr/bin/time -v report, in MB.
peak_rss_mb() { awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }' "$1"; }

# load_items_changes PORT INSERTS: INSERTS rows into `items` in transactions of 1,000,
# then as many updates, committed as they go.
load_items_changes() {
  local port=$1 inserts=$2
  echo "== loading $((inserts * 2)) changes ($inserts inserts in transactions of 1000, then $inserts updates)"
  psql_at -p "$port" <<SQL
DO \$\$
BEGIN
  FOR batch IN 0..($inserts / 1000 - 1) LOOP
    INSERT INTO items (id, customer, sku, price, note)
    SELECT g, g % 5000, 'SKU-' || g, (g % 1000) / 7.0, repeat('x', 40)
    FROM generate_series(batch * 1000 + 1, batch * 1000 + 1000) g;
    COMMIT;
  END LOOP;
  FOR batch IN 0..($inserts / 1000 - 1) LOOP
    UPDATE items SET price = price + 1, note = 'updated'
    WHERE id BETWEEN batch * 1000 + 1 AND batch * 1000 + 1000;
    COMMIT;
  END LOOP;
END
\$\$;
SQL
}

# reference_flow_servers: a PostgreSQL source and warehouse ($src_port, $dst_port, $src_url,
# $dst_url) and $BENCH_DIR/pipeline.yaml, the example reference flow from that source with
# /status and /metrics on $metrics_port.
reference_flow_servers() {
  src_port=$(free_port); start_pg src "$src_port"
  dst_port=$(free_port); start_pg dst "$dst_port"
  metrics_port=$(free_port)
  src_url="postgresql://postgres@127.0.0.1:$src_port/postgres"
  dst_url="postgresql://postgres@127.0.0.1:$dst_port/postgres"
  sed -e 's/type: mysql/type: postgres/' \
    "$(dirname "${BASH_SOURCE[0]}")/../examples/sport_events/pipeline.yaml" >"$BENCH_DIR/pipeline.yaml"
  echo "observability: { listen: \"127.0.0.1:$metrics_port\" }" >>"$BENCH_DIR/pipeline.yaml"
}
