#include "transport/kafka/topic_layout.hpp"

namespace sluice::kafka {
namespace {

// librdkafka subscription regexes are POSIX extended.
std::string regex_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

TopicLayout::TopicLayout(const PipelineConfig& config)
    : name_(config.name),
      prefix_(config.transport.prefix(config.name)),
      per_table_(config.transport.topic_per_table),
      explicit_topics_(config.transport.topics) {}

std::string TopicLayout::topic_for(const TableSchema& table) const {
  if (!per_table_) return prefix_;
  return prefix_ + "." + (table.schema.empty() ? "" : table.schema + ".") + table.name;
}

std::vector<std::string> TopicLayout::apply_topics() const {
  if (!explicit_topics_.empty()) return explicit_topics_;
  if (!per_table_) return {prefix_};
  // Exactly two more dot-separated parts: schema and table, never <prefix>.offsets.
  return {"^" + regex_escape(prefix_) + "\\.[^.]+\\.[^.]+$"};
}

int32_t partition_for(std::string_view key, int partitions) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<int32_t>(hash % static_cast<uint64_t>(partitions));
}

}  // namespace sluice::kafka
