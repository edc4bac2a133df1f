#include "sink/postgres/stream_offset_table.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace sluice::warehouse {
namespace {

bool one_row_affected(const PgResult& result) {
  return std::string_view(PQcmdTuples(result.get())) == "1";
}

}  // namespace

StreamOffsetTable::StreamOffsetTable(std::string qualified_table, std::string pipeline, bool upsert)
    : table_(std::move(qualified_table)), pipeline_(std::move(pipeline)), upsert_(upsert) {}

void StreamOffsetTable::create(PgConnection& conn) const {
  conn.exec(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline VARCHAR(256) NOT NULL, topic VARCHAR(256) NOT "
      "NULL, \"partition\" INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY "
      "(pipeline, topic, \"partition\"))",
      table_));
}

std::vector<StreamOffset> StreamOffsetTable::read(PgConnection& conn) const {
  PgResult r = conn.query(
      fmt::format("SELECT topic, \"partition\", next_offset FROM {} WHERE pipeline = $1", table_),
      {pipeline_});
  std::vector<StreamOffset> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({.part = {PQgetvalue(r.get(), i, 0), std::atoi(PQgetvalue(r.get(), i, 1))},
                   .next = std::atoll(PQgetvalue(r.get(), i, 2))});
  return out;
}

Result<void> StreamOffsetTable::write(PgConnection& conn,
                                      const std::vector<StreamOffset>& offsets) const {
  for (const StreamOffset& offset : offsets) {
    Result<PgResult> written = write_one(conn, offset);
    if (!written) return written.error();
    if (!one_row_affected(written.value()))
      return Error(Errc::kFenced,
                   "sink: another apply process has taken over a partition of this batch");
  }
  return {};
}

Result<PgResult> StreamOffsetTable::write_one(PgConnection& conn,
                                              const StreamOffset& offset) const {
  std::vector<std::string> params = {pipeline_, offset.part.stream,
                                     std::to_string(offset.part.part), std::to_string(offset.next)};
  if (offset.expected) {
    params.push_back(std::to_string(*offset.expected));
    return conn.try_query(fmt::format("UPDATE {} SET next_offset = $4 WHERE pipeline = $1 AND "
                                      "topic = $2 AND \"partition\" = $3::int AND next_offset = "
                                      "$5::bigint",
                                      table_),
                          params);
  }
  // ON CONFLICT DO NOTHING: a concurrent first writer makes this one affect no row instead
  // of failing on the key.
  return conn.try_query(fmt::format("INSERT INTO {} (pipeline, topic, \"partition\", "
                                    "next_offset) VALUES ($1, $2, $3::int, $4::bigint){}",
                                    table_, upsert_ ? " ON CONFLICT DO NOTHING" : ""),
                        params);
}

}  // namespace sluice::warehouse
