#pragma once
// Copies one table inside the slot's exported snapshot, so the copy shows exactly the
// rows committed before the slot's consistent point (an empty name: the current rows).

#include <string>

#include "source/source.hpp"

namespace sluice::pg {

void copy_table_in_snapshot(const std::string& url, const std::string& snapshot_name,
                            const TableSchemaPtr& table, SnapshotConsumer& consumer);

}  // namespace sluice::pg
