#pragma once
// sluice_kafka_offsets: for `sluice apply`, the next offset of every stream part (Kafka
// topic partition, hence the table's name), written in the warehouse transaction that
// applies the rows read before it. The update is conditional on the offset the writer last
// saw, so a process that lost a part to another (a stalled zombie after a rebalance)
// cannot commit over its new owner.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/checkpoint.hpp"

namespace sluice::warehouse {

class StreamOffsetTable {
 public:
  // `upsert`: the warehouse has INSERT ... ON CONFLICT (PostgreSQL, not Redshift).
  StreamOffsetTable(std::string qualified_table, std::string pipeline, bool upsert);

  void create(PgConnection& conn) const;
  std::vector<StreamOffset> read(PgConnection& conn) const;
  // Inside the open transaction, which the caller must roll back on an error: Errc::kFenced
  // when a part's stored offset is not the expected one, or the statement's own.
  Result<void> write(PgConnection& conn, const std::vector<StreamOffset>& offsets) const;

 private:
  Result<PgResult> write_one(PgConnection& conn, const StreamOffset& offset) const;

  std::string table_;
  std::string pipeline_;
  bool upsert_;
};

}  // namespace sluice::warehouse
