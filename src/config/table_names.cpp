#include "config/table_names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"

namespace sluice {
namespace {

// Redshift folds identifiers to lower case, quoted or not (unless the cluster sets
// enable_case_sensitive_identifier), so Users and users are one table there.
std::string comparable(std::string name, SinkType sink) {
  if (sink == SinkType::kRedshift)
    std::ranges::transform(name, name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

WarehouseNames::WarehouseNames(const PipelineConfig& config) : config_(config) {}

std::string WarehouseNames::of(std::string_view schema, std::string_view name) const {
  auto mapped = config_.source.warehouse_names.find(fmt::format("{}.{}", schema, name));
  if (mapped != config_.source.warehouse_names.end()) return mapped->second;
  return std::string(name);
}

void WarehouseNames::check_distinct(const std::vector<TableSchemaPtr>& tables) const {
  if (!config_.flows.empty()) return;
  std::map<std::string, const TableSchema*> taken;  // comparable warehouse name -> source
  for (const TableSchemaPtr& table : tables) {
    std::string name = of(*table);
    auto [it, added] = taken.emplace(comparable(name, config_.sink.type), table.get());
    if (added) continue;
    throw ConfigError(
        fmt::format("source tables {} and {} would both land in warehouse table {}.{}; give one "
                    "another name in source.tables, e.g. `- {}: {}_{}`",
                    it->second->qualified_name(), table->qualified_name(), config_.sink.schema,
                    name, table->qualified_name(), table->schema, table->name));
  }
}

}  // namespace sluice
