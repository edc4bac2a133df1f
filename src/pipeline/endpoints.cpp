#include "pipeline/endpoints.hpp"

#include "core/error.hpp"
#include "sink/postgres/postgres_sink.hpp"
#include "source/mysql/mysql_source.hpp"
#include "source/postgres/postgres_source.hpp"

namespace sluice {

std::unique_ptr<Source> make_source(const PipelineConfig& config, bool until_caught_up) {
  switch (config.source.type) {
    case SourceType::kPostgres:
      return std::make_unique<pg::PostgresSource>(config, until_caught_up);
    case SourceType::kMysql:
      return std::make_unique<mysql::MySqlSource>(config, until_caught_up);
  }
  throw ConfigError(config.file + ": unknown source.type");
}

std::unique_ptr<Sink> make_sink(const PipelineConfig& config) {
  switch (config.sink.type) {
    case SinkType::kPostgres:
    case SinkType::kRedshift:
      return std::make_unique<PostgresSink>(config);
  }
  throw ConfigError(config.file + ": unknown sink.type");
}

}  // namespace sluice
