// Data-driven Debezium decoding: every tests/data/debezium/*.test file holds one message as
// Debezium writes it and the change sluice must decode from it (format in the folder's
// README.md).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "transport/kafka/change_codec.hpp"

namespace sluice::kafka {
namespace {

const std::filesystem::path kDir = std::filesystem::path(SLUICE_TEST_DATA) / "debezium";

struct MessageCase {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::string> expected;
};

MessageCase read_case(const std::filesystem::path& path) {
  MessageCase c;
  std::ifstream in(path);
  std::string line;
  enum { kHeader, kValue, kExpect } part = kHeader;
  while (std::getline(in, line)) {
    if (line.starts_with('#')) continue;
    if (part == kValue) {
      if (line == ";") {
        part = kHeader;
      } else {
        c.value += line + "\n";
      }
    } else if (part == kExpect) {
      if (!line.empty()) c.expected.push_back(line);
    } else if (line.starts_with("topic: ")) {
      c.topic = line.substr(7);
    } else if (line.starts_with("key: ")) {
      c.key = line.substr(5);
    } else if (line == "value:") {
      part = kValue;
    } else if (line == "expect:") {
      part = kExpect;
    }
  }
  if (!c.value.empty()) c.value.pop_back();  // the last line's newline
  return c;
}

void describe_row(const TableSchema& table, const Row& row, std::string_view image,
                  std::vector<std::string>& out) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    std::string value = row.is_null(i) ? "NULL" : std::string(row.text(i));
    out.push_back(fmt::format("{} {} = {}", image, table.columns[i].name, value));
  }
}

// Everything the decoder made of the message, one fact a line.
std::vector<std::string> describe(const MessageCase& c) {
  ChangeDecoder decoder;
  Change change;
  try {
    if (!decoder.decode(c.key, c.value, c.topic.c_str(), change)) return {"tombstone"};
  } catch (const FatalError& e) {
    return {std::string("error: ") + e.what()};
  }
  const TableSchema& table = *change.table;
  std::vector<std::string> out = {
      fmt::format("op {}", op_name(change.op)), fmt::format("table {}", table.qualified_name()),
      fmt::format("xid {}", change.xid), fmt::format("commit_time_us {}", change.commit_time_us)};
  for (const Column& column : table.columns)
    out.push_back(fmt::format("column {} {}{}", column.name, column.warehouse_type,
                              column.is_key ? " key" : ""));
  if (change.before.size() > 0) describe_row(table, change.before, "before", out);
  if (change.after.size() > 0) describe_row(table, change.after, "after", out);
  return out;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir))
    if (entry.path().extension() == ".test") names.push_back(entry.path().stem().string());
  std::ranges::sort(names);
  return names;
}

class KafkaDebeziumFile : public ::testing::TestWithParam<std::string> {};

TEST_P(KafkaDebeziumFile, DecodesToTheExpectedChange) {
  MessageCase c = read_case(kDir / (GetParam() + ".test"));
  ASSERT_FALSE(c.expected.empty()) << "no expect: lines";
  std::vector<std::string> actual = describe(c);
  if (c.expected.size() == 1 && c.expected[0].starts_with("error: ")) {
    ASSERT_EQ(actual.size(), 1u);
    EXPECT_NE(actual[0].find(c.expected[0].substr(7)), std::string::npos) << actual[0];
    return;
  }
  EXPECT_EQ(actual, c.expected);
}

INSTANTIATE_TEST_SUITE_P(Data, KafkaDebeziumFile, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sluice::kafka
