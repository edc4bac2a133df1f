#include "sink/postgres/kafka_offset_table.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace sluice::warehouse {
namespace {

bool one_row_affected(const PgResult& result) {
  return std::string_view(PQcmdTuples(result.get())) == "1";
}

}  // namespace

KafkaOffsetTable::KafkaOffsetTable(std::string qualified_table, std::string pipeline, bool upsert)
    : table_(std::move(qualified_table)), pipeline_(std::move(pipeline)), upsert_(upsert) {}

void KafkaOffsetTable::create(PgConnection& conn) const {
  conn.exec(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline VARCHAR(256) NOT NULL, topic VARCHAR(256) NOT "
      "NULL, \"partition\" INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY "
      "(pipeline, topic, \"partition\"))",
      table_));
}

std::map<kafka::TopicPartition, kafka::KafkaOffset> KafkaOffsetTable::read(
    PgConnection& conn) const {
  PgResult r = conn.query(
      fmt::format("SELECT topic, \"partition\", next_offset FROM {} WHERE pipeline = $1", table_),
      {pipeline_});
  std::map<kafka::TopicPartition, kafka::KafkaOffset> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out[{PQgetvalue(r.get(), i, 0), std::atoi(PQgetvalue(r.get(), i, 1))}] =
        kafka::KafkaOffset{std::atoll(PQgetvalue(r.get(), i, 2))};
  return out;
}

bool KafkaOffsetTable::write(PgConnection& conn,
                             const std::vector<kafka::PartitionProgress>& progress) const {
  for (const kafka::PartitionProgress& p : progress) {
    std::vector<std::string> params = {pipeline_, p.partition.topic,
                                       std::to_string(p.partition.partition),
                                       std::to_string(p.next.value)};
    PgResult r;
    if (p.expected.stored()) {
      params.push_back(std::to_string(p.expected.value));
      r = conn.query(fmt::format("UPDATE {} SET next_offset = $4 WHERE pipeline = $1 AND topic = "
                                 "$2 AND \"partition\" = $3::int AND next_offset = $5::bigint",
                                 table_),
                     params);
    } else {
      // ON CONFLICT DO NOTHING: a concurrent first writer makes this one affect no row
      // instead of failing on the key.
      r = conn.query(fmt::format("INSERT INTO {} (pipeline, topic, \"partition\", next_offset) "
                                 "VALUES ($1, $2, $3::int, $4::bigint){}",
                                 table_, upsert_ ? " ON CONFLICT DO NOTHING" : ""),
                     params);
    }
    if (!one_row_affected(r)) return false;
  }
  return true;
}

}  // namespace sluice::warehouse
