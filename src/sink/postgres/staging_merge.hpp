#pragma once
// One destination table's staging: changes are encoded into a temporary table by COPY,
// folded to the last change per key, and merged into the destination with one MERGE.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/change.hpp"
#include "pgclient/pg_connection.hpp"

namespace sluice {

class StagingMerge {
 public:
  StagingMerge(PgConnection& conn, TableSchemaPtr table, const std::string& sink_schema, int id);

  const TableSchemaPtr& table() const { return table_; }

  // Queues one change of this table; it must stay alive until flush().
  void add(const Change& change);
  bool empty() const { return pending_.empty(); }
  // Encodes the queued changes, COPYs them into staging and merges them; the staging
  // table is emptied by the commit (ON COMMIT DELETE ROWS) or by the next flush.
  void flush();
  // The transaction committed or rolled back: staging is empty again.
  void on_transaction_end();

 private:
  void encode_change(const Change& change);
  void encode(char op, const Row& row, const Row& key_source);
  const Row& fill_unchanged(const Change& change);
  bool key_moved(const Change& change) const;
  std::string key_of(const Row& row) const;
  std::string build_merge_sql();

  PgConnection& conn_;
  TableSchemaPtr table_;
  std::string target_;
  std::string staging_name_;
  std::string copy_sql_;
  std::string merge_sql_;
  std::vector<size_t> key_indexes_;
  std::vector<const Change*> pending_;
  std::string buffer_;
  uint64_t seq_ = 0;
  bool staging_dirty_ = false;
  // An update may omit unchanged TOAST values. When an earlier change of the same flush
  // carried them, they are filled from it here (the warehouse does not have them yet);
  // otherwise the MERGE keeps the warehouse's value. Only flushes that contain such an
  // update pay for tracking the newest image per key.
  bool has_unchanged_ = false;
  std::unordered_map<std::string, Row> latest_images_;
};

}  // namespace sluice
