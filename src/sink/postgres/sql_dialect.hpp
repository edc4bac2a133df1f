#pragma once
// The SQL a warehouse speaks. PostgreSQL gets COPY into staging and one MERGE; Redshift
// (no COPY FROM STDIN, no ON CONFLICT, no DISTINCT ON, a MERGE without conditional
// clauses, and a TRUNCATE that commits) gets INSERT-loaded staging and delete-then-insert.
// Statements are built once per table, never per row, and without a connection, so a
// test can check every statement a dialect can emit.

#include <memory>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/schema.hpp"

namespace sluice::warehouse {

// "name" with embedded quotes doubled: valid in PostgreSQL and Redshift alike.
std::string quote_identifier(std::string_view name);

class SqlDialect {
 public:
  virtual ~SqlDialect() = default;
  static std::unique_ptr<SqlDialect> make(SinkType type);

  // The column type to declare for a column whose PostgreSQL type is `warehouse_type`.
  virtual std::string column_type(const Column& column) const = 0;
  // Statements that create the table if missing (columns are added separately).
  std::string create_table(const std::string& target, const TableSchema& table) const;
  std::string add_column(const std::string& target, const Column& column) const;

  // Staging: sluice_seq, sluice_op, sluice_unchanged, sluice_fill_seq, then the table's
  // columns.
  virtual std::string create_staging(const std::string& staging,
                                     const TableSchema& table) const = 0;
  // True: load staging with COPY FROM STDIN. False: with multi-row INSERT ... VALUES.
  virtual bool copy_in() const = 0;
  // Fills the unchanged cells of staged rows that name a sluice_fill_seq from the target
  // row found by the key of that staged (delete) row: the row's old key. Runs before
  // merge(), which no longer sees those cells as unchanged.
  std::string fill_from_moved_rows(const std::string& target, const std::string& staging,
                                   const TableSchema& table) const;
  // Applies the staged changes (last change per key wins) to the target.
  virtual std::vector<std::string> merge(const std::string& target, const std::string& staging,
                                         const TableSchema& table) const = 0;
  // Empties staging inside the open transaction.
  virtual std::string clear_staging(const std::string& staging) const = 0;
  // Drops staging and whatever the merge made next to it.
  virtual std::vector<std::string> drop_staging(const std::string& staging) const = 0;
  // Removes every row of the target inside the open transaction.
  virtual std::string truncate(const std::string& target) const = 0;
  // Writes the checkpoint row; parameters $1 pipeline, $2 position, $3 source commit
  // time as Unix seconds (or NULL).
  virtual std::vector<std::string> write_checkpoint(const std::string& checkpoint_table) const = 0;
  std::string create_checkpoint_table(const std::string& checkpoint_table) const;
  std::string create_dead_letter_table(const std::string& dead_letter_table) const;
};

}  // namespace sluice::warehouse
