#!/usr/bin/env bash
# The reference scenario end to end on this machine: MariaDB (the source, row binlog) and
# PostgreSQL (the warehouse) on loopback ports, fake ticket sales, the sluice pipeline of
# examples/sport_events/pipeline.yaml, and an administrator's update that shows up in the
# warehouse within moments, with no duplicate.
#
#   scripts/quickstart.sh          set up and run (leaves everything running)
#   scripts/quickstart.sh stop     stop every process and delete the folder
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
state=${SLUICE_QUICKSTART_DIR:-/tmp/sluice-quickstart}
pg_bin=/usr/lib/postgresql/15/bin
sluice=$repo/build/sluice

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
warehouse() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d dev "$@"; }

stop_all() {
  for pid_file in "$state"/*.pid; do
    [ -f "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  sleep 1
  if [ -d "$state/pg" ]; then as_postgres "$pg_bin/pg_ctl" -D "$state/pg" -m fast stop >/dev/null 2>&1 || true; fi
  if [ -f "$state/mariadb.pid" ]; then kill -9 "$(cat "$state/mariadb.pid")" 2>/dev/null || true; fi
  rm -rf "$state"
}

if [ "${1:-}" = stop ]; then
  stop_all
  echo "stopped; $state removed"
  exit 0
fi
if [ -d "$state" ]; then
  echo "quickstart is already running in $state: run 'scripts/quickstart.sh stop' first" >&2
  exit 2
fi

# The first port from $1 upwards that nothing listens on.
free_port_from() {
  local port=$1
  while ss -Htln "sport = :$port" | grep -q .; do port=$((port + 1)); done
  echo "$port"
}
mysql_port=${SLUICE_QUICKSTART_MYSQL_PORT:-$(free_port_from 13306)}
pg_port=${SLUICE_QUICKSTART_PG_PORT:-$(free_port_from 15432)}
trap 'echo "quickstart failed; logs are in $state; scripts/quickstart.sh stop cleans up" >&2' ERR

started=$(date +%s)
say "installing what is missing and building sluice"
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target sluice -j "$(nproc)"
built=$(date +%s)

say "starting MariaDB on 127.0.0.1:$mysql_port and PostgreSQL on 127.0.0.1:$pg_port in $state"
mkdir -p "$state"
chmod 755 "$state"
mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$state/mariadb" \
  --auth-root-authentication-method=normal >"$state/mariadb-install.log" 2>&1
mariadbd --no-defaults --user="$(id -un)" --datadir="$state/mariadb" --port="$mysql_port" \
  --bind-address=127.0.0.1 --socket="$state/mariadb.sock" --pid-file="$state/mariadb.pid" \
  --log-bin="$state/mariadb/binlog" --server-id=1 --binlog-format=ROW --binlog-row-image=FULL \
  --binlog-row-metadata=FULL --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
  --skip-name-resolve >"$state/mariadb.log" 2>&1 &
mkdir -p "$state/pg"
[ "$(id -u)" = 0 ] && chown postgres "$state/pg"
as_postgres "$pg_bin/initdb" -D "$state/pg" -A trust -U postgres >"$state/initdb.log"
as_postgres "$pg_bin/pg_ctl" -D "$state/pg" -l "$state/pg/server.log" -w -o \
  "-p $pg_port -k $state/pg -c listen_addresses=127.0.0.1" start >/dev/null
for _ in $(seq 1 100); do
  mariadb --no-defaults -S "$state/mariadb.sock" -u root -e "SELECT 1" >/dev/null 2>&1 && break
  sleep 0.2
done
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mariadb --no-defaults -S "$state/mariadb.sock" -u root <<SQL
CREATE DATABASE sports;
CREATE USER 'sluice'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION CLIENT ON *.* TO 'sluice'@'127.0.0.1';
CREATE USER 'demo'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL ON sports.* TO 'demo'@'127.0.0.1';
SQL
as_postgres psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE dev"
cat >"$state/env" <<ENV
export SOURCE_URL=mysql://sluice:$password@127.0.0.1:$mysql_port/sports
export DEMO_URL=mysql://demo:$password@127.0.0.1:$mysql_port/sports
export WAREHOUSE_URL=postgresql://postgres@127.0.0.1:$pg_port/dev
ENV
chmod 600 "$state/env"
# shellcheck source=/dev/null
source "$state/env"

say "creating the source tables and fake data (sluice demo init)"
"$sluice" demo init --url "$DEMO_URL" --events 100 --tickets 10000 --customers 1000 --seed 7

say "starting a trickle of purchases (sluice demo ingest --rate 5) and the pipeline"
nohup "$sluice" demo ingest --url "$DEMO_URL" --rate 5 >"$state/ingest.log" 2>&1 &
echo $! >"$state/ingest.pid"
pipeline_started=$(date +%s.%N)
XDG_STATE_HOME="$state/flow-state" nohup "$sluice" run -c examples/sport_events/pipeline.yaml >"$state/sluice.log" 2>&1 &
echo $! >"$state/sluice.pid"

# The trickle sells 5 tickets a second: wait for the first rows, then for ten.
for _ in $(seq 1 600); do
  rows=$(warehouse -At -c "SELECT count(*) FROM sport_event_activity" 2>/dev/null || echo 0)
  [ "${rows:-0}" -gt 0 ] && break
  sleep 0.1
done
first_rows=$(echo "$(date +%s.%N) - $pipeline_started" | bc -l)
for _ in $(seq 1 50); do
  [ "$(warehouse -At -c "SELECT count(*) FROM sport_event_activity")" -ge 10 ] && break
  sleep 0.1
done
ticket=$(warehouse -At -c "SELECT min(ticket_id) FROM sport_event_activity")
say "the warehouse: SELECT * FROM sport_event_activity ORDER BY ticket_id LIMIT 10"
warehouse -c "SELECT * FROM sport_event_activity ORDER BY ticket_id LIMIT 10"
printf 'first rows visible %.1f s after the pipeline started\n' "$first_rows"

before=$(warehouse -At -c "SELECT purchased_by FROM sport_event_activity WHERE ticket_id = $ticket")
say "an administrator reassigns ticket $ticket (sluice demo upsert)"
"$sluice" demo upsert --url "$DEMO_URL" --ticket-id "$ticket"
changed_at=$(date +%s.%N)
for _ in $(seq 1 300); do
  now=$(warehouse -At -c "SELECT purchased_by FROM sport_event_activity WHERE ticket_id = $ticket")
  [ "$now" != "$before" ] && break
  sleep 0.02
done
visible=$(echo "$(date +%s.%N) - $changed_at" | bc -l)
warehouse -c "SELECT * FROM sport_event_activity WHERE ticket_id = $ticket"
copies=$(warehouse -At -c "SELECT count(*) FROM sport_event_activity WHERE ticket_id = $ticket")
printf 'purchased_by %s -> %s; the change was visible in the warehouse after %.2f s; rows for ticket %s: %s\n' \
  "$before" "$now" "$visible" "$ticket" "$copies"
printf 'build %d s, everything after the build %d s\n' "$((built - started))" "$(($(date +%s) - built))"

cat <<TEXT

Everything keeps running:
  warehouse:  psql -h 127.0.0.1 -p $pg_port -U postgres dev
  source:     mariadb -h 127.0.0.1 -P $mysql_port -u demo -p sports   (password in $state/env)
  pipeline:   tail -f $state/sluice.log
              (source $state/env; build/sluice status -c examples/sport_events/pipeline.yaml)
  more sales: source $state/env; build/sluice demo ingest --url "\$DEMO_URL" --rate 1000 --duration 30s
  stop all:   scripts/quickstart.sh stop
TEXT
