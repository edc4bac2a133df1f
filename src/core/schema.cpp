#include "core/schema.hpp"

#include <algorithm>

namespace sluice {

std::vector<size_t> TableSchema::key_indexes() const {
  std::vector<size_t> keys;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].is_key) keys.push_back(i);
  return keys;
}

std::vector<size_t> TableSchema::match_indexes() const {
  std::vector<size_t> identity;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].is_identity) identity.push_back(i);
  return identity.empty() ? key_indexes() : identity;
}

// match_indexes() == key_indexes(), without building either.
bool TableSchema::matches_by_key() const {
  if (std::ranges::none_of(columns, &Column::is_identity)) return true;
  return std::ranges::all_of(columns, [](const Column& c) { return c.is_identity == c.is_key; });
}

bool TableSchema::has_key() const {
  return std::ranges::any_of(columns, [](const Column& c) { return c.is_key; });
}

std::string TableSchema::qualified_name() const {
  return schema.empty() ? name : schema + "." + name;
}

int TableSchema::column_index(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return static_cast<int>(i);
  return -1;
}

}  // namespace sluice
