#pragma once
// sluice_kafka_offsets: for `sluice apply`, the next Kafka offset of every partition,
// written in the warehouse transaction that applies the rows read before it. The update
// is conditional on the offset the writer last saw, so a process that lost a partition
// to another (a stalled zombie after a rebalance) cannot commit over its new owner.

#include <map>
#include <string>
#include <vector>

#include "pgclient/pg_connection.hpp"
#include "transport/kafka/kafka_offset.hpp"

namespace sluice::warehouse {

class KafkaOffsetTable {
 public:
  // `upsert`: the warehouse has INSERT ... ON CONFLICT (PostgreSQL, not Redshift).
  KafkaOffsetTable(std::string qualified_table, std::string pipeline, bool upsert);

  void create(PgConnection& conn) const;
  std::map<kafka::TopicPartition, kafka::KafkaOffset> read(PgConnection& conn) const;
  // Inside the open transaction; false when a partition's stored offset is not the
  // expected one (the caller must roll back).
  bool write(PgConnection& conn, const std::vector<kafka::PartitionProgress>& progress) const;

 private:
  std::string table_;
  std::string pipeline_;
  bool upsert_;
};

}  // namespace sluice::warehouse
