#!/usr/bin/env bash
# Captures the pgoutput fixtures in this folder from a throwaway PostgreSQL 15 server:
# initdb in a temporary directory, a free local port, one transaction per fixture, each
# read back with pg_logical_slot_get_binary_changes (proto_version 2, as sluice asks for)
# and written as one message per line in hex. Run it from anywhere; it rewrites the
# *.hex files next to it. Needs the PostgreSQL 15 server binaries.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sluice-pgoutput-XXXXXX)
as_server_user=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  as_server_user=(runuser -u postgres --)
fi

port=55432
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

stop() { "${as_server_user[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null || true; rm -rf "$work"; }
trap stop EXIT

"${as_server_user[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >"$work/initdb.log"
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
wal_level = logical
timezone = 'UTC'
track_commit_timestamp = on
EOF
"${as_server_user[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null

sql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

sql >/dev/null <<'EOF'
CREATE TABLE orders (id integer PRIMARY KEY, amount numeric(12,4), note text);
-- EXTERNAL: a long note is moved out of line uncompressed, so an update that leaves it
-- alone sends it as unchanged ('u').
ALTER TABLE orders ALTER COLUMN note SET STORAGE EXTERNAL;
CREATE TABLE typed (id bigint PRIMARY KEY, amount numeric(20,6), payload bytea, label text,
                    at timestamptz, missing text);
CREATE TABLE accounts (id integer PRIMARY KEY, code text NOT NULL, v text);
CREATE UNIQUE INDEX accounts_code ON accounts (code);
ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_code;
CREATE TABLE audit (id integer PRIMARY KEY, note text);
ALTER TABLE audit REPLICA IDENTITY FULL;
CREATE TABLE events (x text);
ALTER TABLE events REPLICA IDENTITY FULL;
CREATE PUBLICATION sluice_fixtures FOR ALL TABLES;
SELECT FROM pg_create_logical_replication_slot('sluice_fixtures', 'pgoutput');
EOF

# Runs one transaction and writes the messages it decodes to FILE.hex (or discards them
# when FILE is -), headed by what ran and the transaction's xid and commit time.
capture() {
  local file=$1 statements=$2
  sql -c "$statements"
  local rows
  rows=$(sql -A -t -F ' ' -c "SELECT xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes(
      'sluice_fixtures', NULL, NULL, 'proto_version', '2', 'publication_names', 'sluice_fixtures')")
  [ "$file" = - ] && return
  local xid
  xid=$(head -n1 <<<"$rows" | cut -d' ' -f1)
  {
    echo "# Captured by capture.sh from PostgreSQL $(sql -A -t -c 'SHOW server_version'): one pgoutput message a line, in hex."
    echo "# $(printf '%s' "$statements" | tr -s '\n ' '  ')"
    echo "# xid $xid, committed $(sql -A -t -c "SELECT pg_xact_commit_timestamp('$xid'::xid)")"
    cut -d' ' -f2 <<<"$rows"
  } >"$out/$file.hex"
}

capture orders_insert "INSERT INTO orders VALUES (1, -12.5, NULL)"
capture orders_update_key "UPDATE orders SET id = 2, amount = 3 WHERE id = 1"
capture - "INSERT INTO orders VALUES (3, 1, repeat('long note ', 400))"
capture orders_update_unchanged_toast "UPDATE orders SET amount = 2 WHERE id = 3"
capture orders_delete "DELETE FROM orders WHERE id = 2"
capture orders_truncate "TRUNCATE orders, typed"
capture typed_insert "INSERT INTO typed VALUES
  (9000000000, -12345678901234.567890, '\\x00ff0a27', 'Jürgen Größe, 東京 ✓', '2021-08-15 10:00:00.25+02', NULL),
  (1, NULL, NULL, NULL, NULL, NULL)"
capture - "INSERT INTO accounts VALUES (1, 'A-1', 'first')"
capture accounts_update_identity_index "UPDATE accounts SET code = 'A-2' WHERE id = 1"
capture - "INSERT INTO audit VALUES (1, 'before')"
capture audit_update_identity_full "UPDATE audit SET note = 'after' WHERE id = 1"
capture events_insert_without_key "INSERT INTO events VALUES ('no key')"
capture orders_insert_after_drop_column "ALTER TABLE orders DROP COLUMN note; INSERT INTO orders VALUES (4, 5)"
