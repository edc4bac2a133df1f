#pragma once
// The MySQL/MariaDB source: a consistent snapshot of the captured tables, then the binlog
// from the snapshot's position, read as a replica and decoded into changes.
// mysql_source.cpp reads the binlog; mysql_snapshot.cpp takes the snapshot and
// mysql_schema_tracking.cpp follows DDL and TABLE_MAP events.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "config/pipeline_config.hpp"
#include "source/mysql/binlog_ddl.hpp"
#include "source/mysql/binlog_row_decoder.hpp"
#include "source/mysql/binlog_stream.hpp"
#include "source/mysql/gtid_set.hpp"
#include "source/mysql/mysql_catalog.hpp"
#include "source/source.hpp"

namespace sluice::mysql {

class MySqlSource : public Source {
 public:
  MySqlSource(const PipelineConfig& config, bool until_caught_up);

  Position start(const std::optional<Position>& resume, SnapshotConsumer& consumer) override;
  std::vector<TableSchemaPtr> tables() const override;
  ReadStatus read(ChangeBatch& batch, const ReadLimits& limits) override;
  // The binlog is kept by the server for its retention time whatever a replica has read,
  // so there is nothing to release.
  void acknowledge(const Position&) override {}

 private:
  struct CapturedTable {
    TableDefinition definition;   // information_schema, refreshed after DDL
    TableSchemaPtr schema;        // what changes carry now
    std::string last_ddl;         // for messages
    uint64_t estimated_rows = 0;  // at start, for snapshot progress
    // Set when the table's snapshot is later than the stream's start: transactions that
    // begin before it are in the copy already.
    std::optional<BinlogPosition> copied_up_to;
  };
  // A table id of the current binlog, mapped by TABLE_MAP.
  struct MappedTable {
    CapturedTable* table = nullptr;  // null: not captured
    std::vector<uint8_t> map_body;   // to notice a re-sent, identical map
    std::unique_ptr<RowsDecoder> decoder;
    TableSchemaPtr schema;
  };

  BinlogPosition prepare_resume(const Position& resume);
  // MariaDB after a failover: the checkpoint's file and offset name nothing on a promoted
  // replica, its GTIDs name the same transactions everywhere.
  BinlogPosition prepare_gtid_resume(MySqlConnection& conn, const BinlogPosition& checkpoint);
  BinlogPosition take_snapshot(SnapshotConsumer& consumer);
  BinlogPosition take_locked_snapshot(SnapshotConsumer& consumer, size_t connections);
  BinlogPosition take_per_table_snapshots(SnapshotConsumer& consumer, size_t connections);
  // Tells the consumer every table's estimated size before a copy.
  void expect_rows(SnapshotConsumer& consumer) const;
  // Runs `copy` for every captured table on `connections` threads.
  void for_each_table_in_parallel(size_t connections,
                                  const std::function<void(size_t worker, CapturedTable&)>& copy);
  void set_gtids(const std::string& gtid_set);
  bool in_copy(const CapturedTable& table) const;
  void open_stream(const BinlogPosition& from);
  // Each returns true when the batch must go to the sink now.
  bool on_event(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits);
  bool on_rows(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits);
  bool on_query(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits);
  bool on_commit(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits);
  bool on_transaction_control(const BinlogEvent& event, std::string_view statement,
                              ChangeBatch& batch, const ReadLimits& limits);
  bool on_xa_statement(const BinlogEvent& event, std::string_view statement, ChangeBatch& batch,
                       const ReadLimits& limits);
  bool on_xa_prepare(const BinlogEvent& event, ChangeBatch& batch, const ReadLimits& limits);
  void begin_transaction(const BinlogEvent& event, ChangeBatch& batch);
  // Appends a prepared XA transaction's rows, those of tables whose copy lacks them.
  void release_xa(std::vector<Change>& rows, ChangeBatch& batch);
  // Where the rows of the transaction being read go: the batch, or the XA's own list.
  std::vector<Change>& transaction_rows(ChangeBatch& batch);
  void start_group();
  // Drops the group's rows from the `mark`th on (ROLLBACK, ROLLBACK TO).
  void undo_rows_since(uint64_t mark, std::string_view statement, ChangeBatch& batch,
                       const ReadLimits& limits);
  void on_table_map(const BinlogEvent& event);
  void on_gtid(const BinlogEvent& event);
  void on_ddl(const std::string& statement, const std::string& database, ChangeBatch& batch);
  void on_rename(const DdlStatement& rename, const std::string& statement);
  // information_schema's definition of `table` after `statement` changed it.
  void reread_definition(CapturedTable& table, const std::string& statement);
  TableSchemaPtr schema_for_map(CapturedTable& table, const TableMap& map,
                                std::vector<ColumnInfo>& columns);
  void publish(CapturedTable& table, TableSchemaPtr schema);
  bool caught_up() const;
  ReadStatus caught_up_status() const;

  const PipelineConfig& config_;
  bool until_caught_up_;
  MySqlUrl url_;
  std::map<std::string, CapturedTable> tables_;  // by database.table
  CollationCharsets collation_charsets_;
  std::unordered_map<TableMapId, MappedTable> table_ids_;
  std::unique_ptr<BinlogStream> stream_;
  BinlogFlavor flavor_ = BinlogFlavor::kMariaDb;
  BinlogPosition read_position_;    // just past the last event read
  BinlogPosition commit_position_;  // just past the last transaction boundary
  BinlogPosition caught_up_target_;
  BinlogPosition transaction_start_;  // where the current transaction's first event is
  GtidSet gtids_;                     // every transaction up to the one being read
  // Resumed by GTID: the stream names its file and offset only in its first ROTATE, so
  // catching up is measured in GTIDs.
  bool resumed_by_gtid_ = false;
  bool in_transaction_ = false;
  bool standalone_ = false;  // the MariaDB GTID said no XID/COMMIT follows (DDL)
  bool warned_statement_format_ = false;
  // An XA transaction's rows are held from its start until its XA COMMIT, which may come
  // after other transactions, or dropped at its XA ROLLBACK. While one is prepared, the
  // warehouse does not commit (its transaction stays open), so the checkpoint stays before
  // the XA's rows and a restart reads them again.
  std::optional<std::vector<Change>> xa_rows_;              // the XA being read
  std::map<std::string, std::vector<Change>> prepared_xa_;  // by XID as the server prints it
  // The binlog group being read: its rows so far, those of them already passed to the
  // sink in a mid-transaction batch (which a ROLLBACK can no longer take back), and its
  // SAVEPOINTs with the row count at each.
  using Savepoint = std::pair<std::string, uint64_t>;
  uint64_t group_rows_ = 0;
  uint64_t group_rows_passed_ = 0;
  std::vector<Savepoint> savepoints_;
  int64_t transaction_time_us_ = 0;
  uint64_t transaction_xid_ = 0;
};

// True when binlog position `a` is at or after `b` (file names compare by their number).
bool at_or_past(const BinlogPosition& a, const BinlogPosition& b);

// The replica id sluice uses: source.server_id, or one derived from the pipeline name.
uint32_t replica_server_id(const PipelineConfig& config);

}  // namespace sluice::mysql
