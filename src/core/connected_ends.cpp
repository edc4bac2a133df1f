#include "core/connected_ends.hpp"

#include <mutex>
#include <set>
#include <string>

namespace sluice {
namespace {

std::mutex ends_mutex;

std::set<std::string, std::less<>>& connected_ends() {
  static std::set<std::string, std::less<>> ends;
  return ends;
}

}  // namespace

void note_connected(std::string_view end) {
  std::lock_guard lock(ends_mutex);
  if (!connected_ends().contains(end)) connected_ends().emplace(end);
}

bool was_connected(std::string_view end) {
  std::lock_guard lock(ends_mutex);
  return connected_ends().contains(end);
}

}  // namespace sluice
