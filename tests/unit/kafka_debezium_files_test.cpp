// Data-driven Debezium decoding: every tests/data/debezium/*.test file holds messages as
// Debezium writes them and the change sluice must decode from the last (format in the
// folder's README.md).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "transport/kafka/change_codec.hpp"

namespace sluice::kafka {
namespace {

const std::filesystem::path kDir = std::filesystem::path(SLUICE_TEST_DATA) / "debezium";

struct Message {
  std::string topic;  // TOPIC [PARTITION]@OFFSET, or a bare name
  std::string key;
  std::string value;
};

struct MessageCase {
  std::vector<Message> messages;
  std::vector<std::string> from_beginning;  // partitions as "TOPIC [PARTITION]"
  std::vector<std::string> expected;
};

MessageCase read_case(const std::filesystem::path& path) {
  MessageCase c;
  Message m;
  std::ifstream in(path);
  std::string line;
  enum { kHeader, kValue, kExpect } part = kHeader;
  while (std::getline(in, line)) {
    if (line.starts_with('#')) continue;
    if (part == kValue) {
      if (line == ";") {
        if (!m.value.empty()) m.value.pop_back();  // the last line's newline
        c.messages.push_back(std::exchange(m, {}));
        part = kHeader;
      } else {
        m.value += line + "\n";
      }
    } else if (part == kExpect) {
      if (!line.empty()) c.expected.push_back(line);
    } else if (line.starts_with("topic: ")) {
      m.topic = line.substr(7);
    } else if (line.starts_with("key: ")) {
      m.key = line.substr(5);
    } else if (line.starts_with("from beginning: ")) {
      c.from_beginning.push_back(line.substr(16));
    } else if (line == "value:") {
      part = kValue;
    } else if (line == "expect:") {
      part = kExpect;
    }
  }
  return c;
}

// "TOPIC [P]@O" as a place with partition and offset; anything else as a bare name.
MessagePlace place_of(const std::string& text) {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  size_t open = text.find(" [");
  if (open != std::string::npos &&
      std::sscanf(text.c_str() + open, " [%d]@%ld", &partition, &offset) == 2)
    return {std::string_view(text).substr(0, open), partition, offset};
  return {text.c_str()};
}

void describe_row(const TableSchema& table, const Row& row, std::string_view image,
                  std::vector<std::string>& out) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    std::string value = row.is_null(i) ? "NULL" : std::string(row.text(i));
    out.push_back(fmt::format("{} {} = {}", image, table.columns[i].name, value));
  }
}

// Everything the decoder made of the last message, one fact a line; the messages before it
// are decoded first, in order, by the same decoder.
std::vector<std::string> describe(const MessageCase& c) {
  ChangeDecoder decoder;
  for (const std::string& partition : c.from_beginning) {
    std::string at_start = partition + "@0";
    MessagePlace where = place_of(at_start);
    decoder.reads_from_beginning(std::string(where.topic), where.partition);
  }
  Change change;
  bool decoded = false;
  try {
    for (const Message& m : c.messages) {
      change = Change();
      decoded = decoder.decode(m.key, m.value, place_of(m.topic), change);
    }
  } catch (const FatalError& e) {
    return {std::string("error: ") + e.what()};
  }
  if (!decoded) return {"tombstone"};
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
