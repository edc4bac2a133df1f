#pragma once
// The initial copy: connections that all see the same committed state, the binlog
// position that state ends at, and the table rows in COPY text format, with values in
// the canonical text the binlog decoder produces (docs/mysql-types.md).

#include <memory>
#include <vector>

#include "core/position.hpp"
#include "mysqlclient/mysql_connection.hpp"
#include "source/mysql/mysql_catalog.hpp"
#include "source/source.hpp"

namespace sluice::mysql {

struct ConsistentSnapshot {
  std::vector<std::unique_ptr<MySqlConnection>> connections;  // each inside its snapshot
  BinlogPosition position;  // the binlog position right after the snapshot's state
};

// Opens `count` connections whose transactions share one snapshot: FLUSH TABLES WITH READ
// LOCK stops commits for a moment, each connection starts WITH CONSISTENT SNAPSHOT, SHOW
// MASTER STATUS names the position, UNLOCK TABLES lets writers go on
// (docs/design-notes.md says why this and not MariaDB's binlog_snapshot_* variables).
ConsistentSnapshot open_consistent_snapshot(const MySqlUrl& url, size_t count);

// SHOW MASTER STATUS as a position, with the server's GTID position where it has one.
// Throws ConfigError when binary logging is off.
BinlogPosition read_master_status(MySqlConnection& conn);

// MariaDB: starts a consistent-snapshot transaction on `conn` and returns the binlog
// position it matches (the binlog_snapshot_file/position status variables, set under the
// commit lock, so no table lock is needed). Throws ConfigError without binary logging.
BinlogPosition start_snapshot_transaction(MySqlConnection& conn);

// A plain connection for copying the current rows (no position needed).
std::unique_ptr<MySqlConnection> open_copy_connection(const MySqlUrl& url);

// Streams the table's rows from `conn` (inside its snapshot) into `consumer`, logging
// rows and rate as it goes.
void copy_table(MySqlConnection& conn, const TableDefinition& definition,
                const TableSchemaPtr& schema, SnapshotConsumer& consumer);

}  // namespace sluice::mysql
