#pragma once
// The warehouse table a source table lands in: its bare name in the sink schema, or the
// name source.tables maps it to. Sources have namespaces (PostgreSQL schemas, MySQL
// databases) and the sink schema has none, so public.users and auth.users would both be
// <sink schema>.users: their snapshots would truncate each other and their changes share
// one key space. Such a pair stops the start until one is mapped.

#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/schema.hpp"

namespace sluice {

class WarehouseNames {
 public:
  explicit WarehouseNames(const PipelineConfig& config);

  // The warehouse table name of source table `schema`.`name`.
  std::string of(std::string_view schema, std::string_view name) const;
  std::string of(const TableSchema& table) const { return of(table.schema, table.name); }

  // Mirror mode: throws ConfigError naming both source tables when two of `tables` would
  // land in one warehouse table (compared without case where the warehouse folds it:
  // Redshift). Flows write only their own tables, named after the flows.
  void check_distinct(const std::vector<TableSchemaPtr>& tables) const;

 private:
  const PipelineConfig& config_;
};

}  // namespace sluice
