#pragma once
// Maps a PostgreSQL column type (oid and typmod, as pgoutput's Relation message and the
// catalog give them) to sluice's logical type and the type a warehouse table declares.

#include <cstdint>
#include <string>

#include "core/types.hpp"

namespace sluice::pg {

struct ColumnType {
  LogicalType logical;
  std::string warehouse_type;
};

// Built-in types keep their exact declaration (numeric(12,4), varchar(20), text[]);
// enums, domains and other user types land as text, which keeps their values exact
// without requiring the type to exist in the warehouse.
ColumnType column_type(uint32_t type_oid, int32_t typmod);

}  // namespace sluice::pg
