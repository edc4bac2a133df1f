#pragma once
// One destination table's staging: changes are loaded into a temporary table (COPY, or
// multi-row INSERT where the warehouse has no COPY FROM STDIN, or for large flushes to
// Redshift COPY from S3), folded to the last change per key, and applied to the
// destination with the dialect's merge statements.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/change.hpp"
#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/postgres/s3_staging.hpp"
#include "sink/postgres/sql_dialect.hpp"

namespace sluice::warehouse {

class StagingMerge {
 public:
  // `target`: the quoted destination, schema.table. `s3`, when not null, loads flushes
  // of at least s3->min_rows() changes.
  StagingMerge(PgConnection& conn, const SqlDialect& dialect, TableSchemaPtr table,
               std::string target, int id, S3Staging* s3 = nullptr);

  // Queues one change of this table; it must stay alive until flush().
  void add(const Change& change);
  bool empty() const { return pending_.empty(); }
  // Loads the queued changes into staging (created by the first flush) and merges them
  // into the destination. The statements return their error: the merge's touch rows
  // other transactions may hold (a deadlock, a serialization failure, a refused row), and
  // a load through S3 depends on S3 (refused, unreachable). Loading by COPY or INSERT
  // into the session's own staging throws.
  Result<void> flush();
  // The transaction committed or rolled back: staging is empty again.
  void on_transaction_end();
  // True when changes of `table` fit this staging: the same columns and keys.
  bool serves(const TableSchema& table) const { return *table_ == table; }
  // Drops the staging table (the source table changed); nothing may be queued.
  Result<void> drop();

 private:
  // The newest image of a row in this flush. `fill_seq`: when the image still has
  // unchanged cells and the row's key moved in this flush, the seq of the staged delete
  // whose key names the warehouse row to take them from (0: the row's own key).
  struct Image {
    Row row;
    uint64_t fill_seq = 0;
  };
  template <typename Writer>
  void encode_pending(Writer& writer);
  template <typename Writer>
  void encode_change(const Change& change, Writer& writer);
  // Returns the staged row's seq.
  template <typename Writer>
  uint64_t encode(char op, const Row& row, Writer& writer, uint64_t fill_seq = 0);
  const Image& fill_unchanged(const Change& change, const std::string& origin, uint64_t moved_from);
  bool key_moved(const Change& change) const;
  std::string key_of(const Row& row) const;
  void load_by_copy();
  void load_by_insert();
  Result<void> load_by_s3();
  Result<void> prepare_staging();
  void forget_pending();

  PgConnection& conn_;
  const SqlDialect& dialect_;
  TableSchemaPtr table_;
  std::string target_;
  S3Staging* s3_;
  std::string staging_name_;
  std::string staging_columns_;
  std::string copy_sql_;
  std::string insert_prefix_;
  std::vector<std::string> merge_sql_;
  std::string fill_moved_sql_;
  // The columns that find a row: the key, or the replica identity when it differs.
  std::vector<size_t> match_indexes_;
  std::vector<const Change*> pending_;
  uint64_t seq_ = 0;
  bool staging_created_ = false;
  bool staging_dirty_ = false;
  // An update may omit unchanged TOAST values. When an earlier change of the same flush
  // carried them, they are filled from it here (the warehouse does not have them yet);
  // otherwise the merge keeps the warehouse's value, from the old key's row when the key
  // moved. Only flushes that contain such an update pay for tracking the newest image
  // per key.
  bool has_unchanged_ = false;
  bool has_moved_unchanged_ = false;  // a staged row names a fill_seq
  std::unordered_map<std::string, Image> latest_images_;
};

}  // namespace sluice::warehouse
