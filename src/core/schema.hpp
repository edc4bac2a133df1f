#pragma once
// Table schemas as captured from a source. A schema is immutable once published; a
// schema change produces a new TableSchema, so changes decoded under the old one keep
// pointing at it.

#include <memory>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace sluice {

struct Column {
  std::string name;
  LogicalType type = LogicalType::kText;
  // The column type to declare in a PostgreSQL warehouse, e.g. "numeric(12,4)", "text[]".
  std::string warehouse_type;
  bool is_key = false;
  // Part of a PostgreSQL replica identity index that is not the primary key: the old row
  // of a delete or key change is known only by these columns.
  bool is_identity = false;

  bool operator==(const Column&) const = default;
};

struct TableSchema {
  std::string schema;  // source namespace: PostgreSQL schema or MySQL database
  std::string name;
  std::vector<Column> columns;

  std::vector<size_t> key_indexes() const;
  bool has_key() const;
  // The columns that find a changed or deleted row: the replica identity columns when
  // they are not the key, otherwise the key.
  std::vector<size_t> match_indexes() const;
  bool matches_by_key() const;
  // "schema.name", for messages.
  std::string qualified_name() const;
  // Index of the column with this name, or -1.
  int column_index(std::string_view column) const;

  bool operator==(const TableSchema&) const = default;
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

}  // namespace sluice
