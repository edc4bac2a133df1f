#include "pipeline/endpoints.hpp"

#include "core/error.hpp"
#include "sink/postgres/sink_admin.hpp"
#include "source/mysql/mysql_admin.hpp"
#include "source/postgres/pg_admin.hpp"

namespace sluice {
namespace {

constexpr SourceDriver kSources[] = {
    {SourceType::kPostgres, pg::make_source, pg::check_source,
     // The slot itself records what it has confirmed.
     [](const PipelineConfig& config, const std::optional<Position>&) {
       return pg::source_status(config);
     },
     false, pg::reset_source, "slot, publication and checkpoint removed"},
    {SourceType::kMysql, mysql::make_source, mysql::check_source, mysql::source_status, true,
     mysql::reset_source, "checkpoint removed"},
};

// Redshift is a PostgreSQL sink with its own dialect (sink/postgres/sql_dialect.hpp).
constexpr SinkDriver kSinks[] = {
    {SinkType::kPostgres, warehouse::make_sink, warehouse::check_sink, warehouse::sink_status},
    {SinkType::kRedshift, warehouse::make_sink, warehouse::check_sink, warehouse::sink_status},
};

}  // namespace

const SourceDriver& source_driver(SourceType type) {
  for (const SourceDriver& driver : kSources)
    if (driver.type == type) return driver;
  throw ConfigError("unknown source.type");
}

const SinkDriver& sink_driver(SinkType type) {
  for (const SinkDriver& driver : kSinks)
    if (driver.type == type) return driver;
  throw ConfigError("unknown sink.type");
}

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up) {
  return source_driver(config.source.type).make(config, until_caught_up);
}

std::unique_ptr<Sink> make_sink(const PipelineConfig& config) {
  return sink_driver(config.sink.type).make(config);
}

}  // namespace sluice
