// Data-driven flow tests: every tests/data/flows/*.test file declares source tables, one
// flow, a snapshot and a stream of changes, and the warehouse rows expected afterwards
// (or the error expected at start). Adding a case is adding a file.
//
//   table NAME: col type [key], ...       types: bool int32 int64 numeric float64 text
//                                         date timestamp timestamptz uuid
//   flow NAME key=a,b [operations=insert,update,delete] [on_error=fail|skip|dead_letter]
//   SQL lines, ended by a line holding only ";"
//   expect error: MESSAGE                 the flow must fail to compile with MESSAGE
//   snapshot TABLE: v | v | ...           loaded before emit_all (NULL is a null cell)
//   insert TABLE: v | ...   update TABLE: old | ... -> new | ...   delete TABLE: v | ...
//   truncate TABLE
//   expect                                then one warehouse row per line, in key order
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "transform/flow_runtime.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
  std::vector<std::string> parts;
  for (size_t at = s.find(sep);; at = s.find(sep)) {
    parts.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + sep.size());
  }
  return parts;
}

Row parse_row(std::string_view cells) {
  Row row;
  for (const std::string& c : split(cells, "|")) {
    if (c == "NULL") {
      row.append_null();
    } else {
      row.append(c);
    }
  }
  return row;
}

std::string format_row(const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += " | ";
    out += row.is_null(i) ? "NULL" : std::string(row.text(i));
  }
  return out;
}

LogicalType parse_type(const std::string& name) {
  static const std::map<std::string, LogicalType> kTypes = {
      {"bool", LogicalType::kBool},
      {"int32", LogicalType::kInt32},
      {"int64", LogicalType::kInt64},
      {"numeric", LogicalType::kNumeric},
      {"float64", LogicalType::kFloat64},
      {"text", LogicalType::kText},
      {"date", LogicalType::kDate},
      {"timestamp", LogicalType::kTimestamp},
      {"timestamptz", LogicalType::kTimestampTz},
      {"uuid", LogicalType::kUuid}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) throw std::runtime_error("unknown column type " + name);
  return it->second;
}

TableSchemaPtr parse_table(std::string_view spec) {
  size_t colon = spec.find(':');
  std::vector<Column> columns;
  for (const std::string& c : split(spec.substr(colon + 1), ",")) {
    std::vector<std::string> words = split(c, " ");
    LogicalType type = parse_type(words.at(1));
    columns.push_back(Column{words[0], type, default_warehouse_type(expr_type_of(type)),
                             words.size() > 2 && words[2] == "key"});
  }
  return testing::make_table(trim(spec.substr(0, colon)), std::move(columns));
}

void parse_flow_options(std::string_view spec, FlowConfig& flow) {
  std::vector<std::string> words = split(spec, " ");
  flow.name = words.at(0);
  for (size_t i = 1; i < words.size(); ++i) {
    auto [name, value] =
        std::pair{words[i].substr(0, words[i].find('=')), words[i].substr(words[i].find('=') + 1)};
    if (name == "key") flow.key = split(value, ",");
    if (name == "operations") {
      flow.insert = value.find("insert") != std::string::npos;
      flow.update = value.find("update") != std::string::npos;
      flow.remove = value.find("delete") != std::string::npos;
    }
    if (name == "on_error")
      flow.on_error = value == "skip"   ? OnError::kSkip
                      : value == "fail" ? OnError::kFail
                                        : OnError::kDeadLetter;
  }
}

class FlowFile {
 public:
  explicit FlowFile(const std::filesystem::path& path) : in_(path) {}

  // Runs the file; returns the warehouse rows, or "error: ..." lines.
  void run(std::vector<std::string>& actual, std::vector<std::string>& expected) {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_number_;
      std::string text = trim(line);
      if (text.empty() || text.starts_with("#")) continue;
      if (expecting_) {
        expected.push_back(text);
      } else {
        step(text, actual, expected);
      }
    }
    flush_snapshot();
    if (runtime_) {
      for (const auto& [key, row] : warehouse_) actual.push_back(row);
    }
  }

 private:
  void step(const std::string& text, std::vector<std::string>& actual,
            std::vector<std::string>& expected) {
    if (text.starts_with("table ")) {
      tables_.push_back(parse_table(text.substr(6)));
    } else if (text.starts_with("flow ")) {
      parse_flow_options(text.substr(5), flow_);
      flow_.sql_line = line_number_ + 1;
      read_sql();
      compile(actual);
    } else if (text.starts_with("expect error:")) {
      expected.push_back("error: " + trim(text.substr(13)));
    } else if (text == "expect") {
      expecting_ = true;
    } else if (text.starts_with("snapshot ")) {
      auto [table, cells] = table_and_cells(text.substr(9));
      runtime_->load_row(*table, parse_row(cells));
    } else {
      flush_snapshot();
      change(text);
    }
  }

  void read_sql() {
    std::string line;
    while (std::getline(in_, line) && trim(line) != ";") {
      ++line_number_;
      flow_.sql += line + "\n";
    }
    ++line_number_;
  }

  void compile(std::vector<std::string>& actual) {
    try {
      runtime_ = std::make_unique<FlowRuntime>(flow_, tables_);
    } catch (const ConfigError& e) {
      actual.push_back(std::string("error: ") + e.what());
    }
  }

  std::pair<TableSchemaPtr, std::string> table_and_cells(std::string_view spec) {
    size_t colon = spec.find(':');
    std::string name = trim(spec.substr(0, colon));
    for (const TableSchemaPtr& t : tables_)
      if (t->name == name)
        return {t, colon == std::string_view::npos ? "" : trim(spec.substr(colon + 1))};
    throw std::runtime_error("unknown table " + name);
  }

  void flush_snapshot() {
    if (!runtime_ || snapshot_done_) return;
    snapshot_done_ = true;
    ChangeBatch out;
    runtime_->emit_all(out);
    apply_output(out);
  }

  void change(const std::string& text) {
    size_t space = text.find(' ');
    std::string verb = text.substr(0, space);
    auto [table, cells] = table_and_cells(text.substr(space + 1));
    Change c;
    c.table = table;
    c.commit_time_us = 1'629'021'600'000'000 + line_number_ * 1'000'000;
    if (verb == "insert") {
      c.op = Op::kInsert;
      c.after = parse_row(cells);
    } else if (verb == "update") {
      c.op = Op::kUpdate;
      std::vector<std::string> images = split(cells, "->");
      c.before = parse_row(images.at(0));
      c.after = parse_row(images.at(1));
    } else if (verb == "delete") {
      c.op = Op::kDelete;
      c.before = parse_row(cells);
    } else if (verb == "truncate") {
      c.op = Op::kTruncate;
    } else {
      throw std::runtime_error("unknown step: " + text);
    }
    ChangeBatch out;
    runtime_->apply(c, out);
    apply_output(out);
  }

  void apply_output(const ChangeBatch& out) {
    for (const Change& c : out.changes) {
      const Row& image = c.op == Op::kDelete ? c.before : c.after;
      std::string key;
      for (size_t k : c.table->key_indexes()) key += std::string(image.text(k)) + "|";
      if (c.op == Op::kTruncate) warehouse_.clear();
      if (c.op == Op::kDelete) warehouse_.erase(key);
      if (c.op == Op::kInsert || c.op == Op::kUpdate) warehouse_[key] = format_row(c.after);
    }
    for (const DeadLetter& d : out.dead_letters)
      warehouse_["~dead letter " + std::to_string(++dead_letters_)] =
          "dead letter: " + d.error + " " + d.row_json;
  }

  std::ifstream in_;
  int line_number_ = 0;
  std::vector<TableSchemaPtr> tables_;
  FlowConfig flow_;
  std::unique_ptr<FlowRuntime> runtime_;
  std::map<std::string, std::string> warehouse_;
  bool snapshot_done_ = false;
  bool expecting_ = false;
  int dead_letters_ = 0;
};

TEST(TransformFlowFiles, EveryFileMatchesItsExpectedRows) {
  std::filesystem::path dir = std::filesystem::path(SLUICE_TEST_DATA) / "flows";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    std::vector<std::string> actual, expected;
    FlowFile(entry.path()).run(actual, expected);
    EXPECT_EQ(actual, expected);
  }
  EXPECT_GE(files, 4);
}

}  // namespace
}  // namespace sluice::transform
