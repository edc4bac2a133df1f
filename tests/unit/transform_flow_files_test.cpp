// Data-driven flow tests: every tests/data/flows/*.test file holds cases that declare
// source tables, one flow, a snapshot and a stream of changes, and what the flow must give:
// the destination changes of a step, the warehouse rows at the end, or the error at start.
// The format is in tests/data/flows/README.md; each file is a test of its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "state/state_store.hpp"
#include "transform/flow_runtime.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

const std::filesystem::path kDir = std::filesystem::path(SLUICE_TEST_DATA) / "flows";
constexpr int64_t kCommitTimeUs = 1'629'021'600'000'000;  // 2021-08-15 10:00:00 UTC
constexpr std::string_view kArrow = "=> ";

// A line the format does not allow; ends the file's run.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

// "a | NULL | UNCHANGED"; an empty text is a row without cells (an image the source did
// not send).
Row parse_row(std::string_view cells) {
  Row row;
  if (trim(cells).empty()) return row;
  for (const std::string& c : split(cells, "|")) {
    if (c == "NULL") {
      row.append_null();
    } else if (c == "UNCHANGED") {
      row.append_unchanged();
    } else {
      row.append(c);
    }
  }
  return row;
}

std::string format_row(const Row& row) {
  std::vector<std::string> cells;
  for (size_t i = 0; i < row.size(); ++i)
    cells.push_back(row.is_unchanged(i) ? "UNCHANGED"
                    : row.is_null(i)    ? "NULL"
                                        : std::string(row.text(i)));
  return join(cells, " | ");
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
  if (it == kTypes.end()) throw Malformed("unknown column type " + name);
  return it->second;
}

TableSchemaPtr parse_table(std::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) throw Malformed("table without ':'");
  std::vector<Column> columns;
  for (const std::string& c : split(spec.substr(colon + 1), ",")) {
    std::vector<std::string> words = split(c, " ");
    if (words.size() < 2 || words.size() > 3 || (words.size() == 3 && words[2] != "key"))
      throw Malformed("a column is `name type [key]`, not `" + c + "`");
    LogicalType type = parse_type(words[1]);
    columns.push_back(
        Column{words[0], type, default_warehouse_type(expr_type_of(type)), words.size() == 3});
  }
  return testing::make_table(trim(spec.substr(0, colon)), std::move(columns));
}

void parse_operations(const std::string& value, FlowConfig& flow) {
  flow.insert = flow.update = flow.remove = false;
  for (const std::string& op : split(value, ",")) {
    if (op == "insert") {
      flow.insert = true;
    } else if (op == "update") {
      flow.update = true;
    } else if (op == "delete") {
      flow.remove = true;
    } else {
      throw Malformed("unknown operation " + op);
    }
  }
}

FlowConfig parse_flow(std::string_view spec) {
  FlowConfig flow;
  std::vector<std::string> words = split(spec, " ");
  flow.name = words.at(0);
  for (size_t i = 1; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    std::string name = words[i].substr(0, eq);
    std::string value = eq == std::string::npos ? "" : words[i].substr(eq + 1);
    if (name == "key") {
      flow.key = split(value, ",");
    } else if (name == "operations") {
      parse_operations(value, flow);
    } else if (name == "on_error" && value == "fail") {
      flow.on_error = OnError::kFail;
    } else if (name == "on_error" && value == "skip") {
      flow.on_error = OnError::kSkip;
    } else if (name == "on_error" && value == "dead_letter") {
      flow.on_error = OnError::kDeadLetter;
    } else {
      throw Malformed("unknown flow option " + words[i]);
    }
  }
  return flow;
}

// "name: column warehouse_type [key], ...", as `expect schema` writes it.
std::string describe_schema(const TableSchema& table) {
  std::vector<std::string> columns;
  for (const Column& c : table.columns)
    columns.push_back(c.name + " " + c.warehouse_type + (c.is_key ? " key" : ""));
  return table.name + ": " + join(columns, ", ");
}

// One case: its tables, flow and runtime, the output of its last step, and the warehouse
// as the sink would leave it.
struct Case {
  std::string name;
  int line = 0;
  std::vector<TableSchemaPtr> tables;
  FlowConfig flow;
  std::unique_ptr<FlowRuntime> runtime;
  std::optional<std::string> compile_error;
  bool snapshot_emitted = false;
  bool state_trails = false;  // `state trails the warehouse`
  int64_t commit_time_us = kCommitTimeUs;
  std::vector<std::string> output;  // of the step on output_line, in `=>` notation
  int output_line = 0;
  bool output_from_snapshot = false;
  std::vector<std::string> arrows;  // the `=>` lines after that step
  int arrows_line = 0;
  std::vector<std::string> expected_rows;
  int expect_line = 0;
  std::map<std::string, std::string> warehouse;
  int dead_letters = 0;
  int assertions = 0;
  // Counters of the runtimes a store-backed case replaced.
  uint64_t skipped_before = 0;
  uint64_t dead_before = 0;
};

// Where a case keeps its flow state. On disk, the runtime is built again from the store
// after every step, so each step reads what the previous ones committed.
enum class StateMode { kMemory, kStore };

class FlowFile {
 public:
  FlowFile(const std::string& stem, StateMode mode)
      : file_(stem + ".test"), in_(kDir / file_), mode_(mode) {}
  ~FlowFile() {
    store_.reset();
    if (!store_dir_.empty()) static_cast<void>(state::StateStore::destroy(store_dir_));
  }

  // Runs every case; returns how many ran.
  int run() {
    if (!in_) {
      ADD_FAILURE() << "cannot read " << file_;
      return 0;
    }
    std::string line;
    try {
      while (std::getline(in_, line)) {
        ++line_;
        std::string text = trim(line);
        if (!text.empty() && !text.starts_with("#")) read(text);
      }
      finish_case();
    } catch (const std::exception& e) {  // Malformed, or a snapshot row the runtime refused
      ADD_FAILURE() << where(line_) << ": " << e.what();
    }
    return cases_;
  }

 private:
  std::string where(int line) const {
    return file_ + ":" + std::to_string(line) + (case_ ? " (case " + case_->name + ")" : "");
  }

  void read(const std::string& text) {
    if (text.starts_with("case ")) {
      finish_case();
      case_.emplace();
      case_->name = trim(text.substr(5));
      case_->line = line_;
      case_->tables = file_tables_;
      ++cases_;
    } else if (case_ && case_->expect_line != 0) {
      case_->expected_rows.push_back(text);
    } else if (text.starts_with("env ")) {
      size_t eq = text.find('=');
      if (eq == std::string::npos) throw Malformed("env is `env NAME=VALUE`");
      ::setenv(text.substr(4, eq - 4).c_str(), text.substr(eq + 1).c_str(), 1);
    } else if (!case_ && text.starts_with("table ")) {
      file_tables_.push_back(parse_table(text.substr(6)));
    } else if (!case_) {
      throw Malformed("unknown directive before the first case: " + text);
    } else if (text.starts_with(kArrow)) {
      arrow(text.substr(kArrow.size()));
    } else {
      settle_output();
      directive(text);
    }
  }

  void directive(const std::string& text) {
    if (text.starts_with("table ")) {
      table(parse_table(text.substr(6)));
    } else if (text.starts_with("flow ")) {
      compile(text.substr(5));
    } else if (text.starts_with("expect error: ")) {
      expect_equal(case_->compile_error.value_or("(the flow compiled)"), text.substr(14));
      case_->compile_error.reset();
    } else if (text.starts_with("expect tables: ")) {
      expect_equal(join(runtime().tables(), ", "), text.substr(15));
    } else if (text.starts_with("expect schema ")) {
      expect_equal(describe_schema(*runtime().output_schema()), text.substr(14));
    } else if (text.starts_with("expect counters: ")) {
      expect_equal(counters(), text.substr(17));
    } else if (text == "expect") {
      flush_snapshot();
      case_->expect_line = line_;
    } else if (text.starts_with("snapshot ")) {
      snapshot(text.substr(9));
    } else if (text.starts_with("commit_time_us ")) {
      case_->commit_time_us = std::stoll(text.substr(15));
    } else if (text == "state trails the warehouse") {
      case_->state_trails = true;
      runtime().set_state_may_trail_warehouse(true);
    } else {
      change(text);
    }
  }

  // A table before the flow is one it may read; after it, a new definition of a table
  // arriving in the stream (a schema change), used by the steps that follow.
  void table(TableSchemaPtr t) {
    auto same_name = [&](const TableSchemaPtr& known) { return known->name == t->name; };
    auto known = std::ranges::find_if(case_->tables, same_name);
    if (case_->runtime && known != case_->tables.end()) {
      *known = std::move(t);
    } else {
      case_->tables.push_back(std::move(t));
    }
  }

  void compile(std::string_view spec) {
    case_->flow = parse_flow(spec);
    case_->flow.sql_line = line_ + 1;
    std::string line;
    while (std::getline(in_, line)) {
      ++line_;
      if (trim(line) == ";") break;
      case_->flow.sql += line + "\n";
    }
    try {
      open_store();
      case_->runtime = make_runtime();
    } catch (const ConfigError& e) {
      case_->compile_error = e.what();
    }
  }

  void open_store() {
    if (mode_ != StateMode::kStore) return;
    store_.reset();
    store_dir_ = std::filesystem::temp_directory_path() /
                 ("sluice_flow_files_" + std::to_string(::getpid()));
    ASSERT_TRUE(state::StateStore::destroy(store_dir_).ok());
    auto opened = state::StateStore::open({.dir = store_dir_, .cache_bytes = size_t{8} << 20});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(opened).value();
  }

  std::unique_ptr<FlowRuntime> make_runtime() const {
    auto runtime =
        std::make_unique<FlowRuntime>(case_->flow, case_->tables, FlowStorage{store_.get(), "F"});
    runtime->set_state_may_trail_warehouse(case_->state_trails);
    return runtime;
  }

  // The step's state changes go to disk, and the next step starts from there.
  void commit_step() {
    if (mode_ != StateMode::kStore || !case_->runtime) return;
    state::StateBatch batch;
    case_->runtime->stage(batch);
    Result<void> committed = store_->commit(batch, {"test", "", std::to_string(line_)});
    ASSERT_TRUE(committed.ok()) << committed.error().message();
    auto skipped = case_->runtime->skipped_rows();
    auto dead = case_->runtime->dead_letter_rows();
    case_->runtime = make_runtime();
    case_->skipped_before += skipped;
    case_->dead_before += dead;
  }

  FlowRuntime& runtime() const {
    if (!case_->runtime) throw Malformed("a step before the flow compiled");
    return *case_->runtime;
  }

  void expect_equal(const std::string& actual, const std::string& expected) {
    EXPECT_EQ(actual, expected) << where(line_);
    ++case_->assertions;
  }

  std::string counters() const {
    std::vector<std::string> rows;
    for (size_t n : runtime().state_rows()) rows.push_back(std::to_string(n));
    return "skipped=" + std::to_string(case_->skipped_before + runtime().skipped_rows()) +
           " dead_letters=" + std::to_string(case_->dead_before + runtime().dead_letter_rows()) +
           " state_rows=" + join(rows, ",");
  }

  TableSchemaPtr find_table(const std::string& name) const {
    for (const TableSchemaPtr& t : case_->tables)
      if (t->name == name) return t;
    throw Malformed("unknown table " + name);
  }

  // "TABLE: cells" -> the table and the cells.
  std::pair<TableSchemaPtr, std::string> table_and_cells(std::string_view spec) const {
    size_t colon = spec.find(':');
    std::string cells = colon == std::string_view::npos ? "" : trim(spec.substr(colon + 1));
    return {find_table(trim(spec.substr(0, colon))), cells};
  }

  void snapshot(std::string_view spec) {
    if (case_->snapshot_emitted) throw Malformed("snapshot rows after the snapshot was emitted");
    auto [table, cells] = table_and_cells(spec);
    runtime().load_row(table, parse_row(cells));
    case_->output_line = line_;
    case_->output_from_snapshot = true;
  }

  // The destination rows of the snapshot, emitted once before the first change.
  void flush_snapshot() {
    if (!case_->runtime || case_->snapshot_emitted) return;
    case_->snapshot_emitted = true;
    commit_step();
    ChangeBatch out;
    runtime().emit_all(out);
    check_invariants(out, Change{});
    record(out);
  }

  void change(const std::string& text) {
    size_t space = text.find(' ');
    std::string verb = text.substr(0, space);
    if (verb != "insert" && verb != "update" && verb != "delete" && verb != "truncate")
      throw Malformed("unknown directive: " + text);
    flush_snapshot();
    auto [table, cells] = table_and_cells(text.substr(space + 1));
    Change c;
    c.table = table;
    c.commit_time_us = case_->commit_time_us;
    c.xid = static_cast<uint64_t>(line_);
    c.source_offset = SourceOffset{static_cast<uint64_t>(line_) * 100};
    if (verb == "insert") {
      c.op = Op::kInsert;
      c.after = parse_row(cells);
    } else if (verb == "update") {
      std::vector<std::string> images = split(cells, "->");
      if (images.size() != 2) throw Malformed("an update is `OLD -> NEW`");
      c.op = Op::kUpdate;
      c.before = parse_row(images[0]);
      c.after = parse_row(images[1]);
    } else if (verb == "delete") {
      c.op = Op::kDelete;
      c.before = parse_row(cells);
    } else {
      c.op = Op::kTruncate;
    }
    ChangeBatch out;
    try {
      runtime().apply(c, out);
    } catch (const FatalError& e) {
      case_->output = {std::string("error: ") + e.what()};
      case_->output_line = line_;
      case_->output_from_snapshot = false;
      if (mode_ == StateMode::kStore) case_->runtime->discard();
      return;
    }
    check_invariants(out, c);
    record(out);
    commit_step();
  }

  // What holds for every destination change, whatever the case says.
  void check_invariants(const ChangeBatch& out, const Change& source) const {
    for (const Change& c : out.changes) {
      EXPECT_EQ(c.table, runtime().output_schema()) << where(line_);
      EXPECT_EQ(c.xid, source.xid) << where(line_);
      EXPECT_EQ(c.commit_time_us, source.commit_time_us) << where(line_);
      EXPECT_EQ(c.source_offset, source.source_offset) << where(line_);
      EXPECT_FALSE(c.after.has_unchanged()) << where(line_);
    }
    for (const DeadLetter& d : out.dead_letters) {
      EXPECT_EQ(d.flow, case_->flow.name) << where(line_);
      EXPECT_EQ(d.source_position, "") << where(line_);  // the pipeline adds it
    }
  }

  // Keeps the output for the `=>` lines and applies it to the warehouse.
  void record(const ChangeBatch& out) {
    case_->output.clear();
    case_->output_line = line_;
    case_->output_from_snapshot = false;
    for (const Change& c : out.changes) {
      std::string op(op_name(c.op));
      if (c.op == Op::kTruncate) {
        case_->output.push_back(op);
        case_->warehouse.clear();
        continue;
      }
      const Row& image = c.op == Op::kDelete ? c.before : c.after;
      std::string key;
      for (size_t k : c.table->key_indexes()) key += std::string(image.text(k)) + "|";
      case_->output.push_back(op + ": " + format_row(image));
      if (c.op == Op::kDelete) {
        case_->warehouse.erase(key);
      } else {
        case_->warehouse[key] = format_row(c.after);
      }
    }
    for (const DeadLetter& d : out.dead_letters) {
      std::string row = "dead letter: " + d.error + " " + d.row_json;
      case_->output.push_back(row);
      case_->warehouse["~dead letter " + std::to_string(++case_->dead_letters)] = row;
    }
    if (case_->output.empty()) case_->output.push_back("nothing");
  }

  void arrow(const std::string& expected) {
    if (case_->output_line == 0) throw Malformed("`=>` without a step before it");
    if (case_->output_from_snapshot) flush_snapshot();
    if (case_->arrows.empty()) case_->arrows_line = line_;
    case_->arrows.push_back(expected);
  }

  // Compares the last step's output with its `=>` lines; an error nobody expected fails.
  void settle_output() {
    if (!case_->arrows.empty()) {
      EXPECT_EQ(case_->output, case_->arrows) << where(case_->arrows_line);
      ++case_->assertions;
    } else if (!case_->output.empty() && case_->output[0].starts_with("error: ")) {
      ADD_FAILURE() << where(case_->output_line) << ": unexpected " << case_->output[0];
    }
    case_->arrows.clear();
    case_->output.clear();
  }

  void finish_case() {
    if (!case_) return;
    if (case_->expect_line == 0) settle_output();
    if (case_->compile_error)
      ADD_FAILURE() << where(case_->line) << ": unexpected compile error " << *case_->compile_error;
    if (case_->expect_line != 0) {
      std::vector<std::string> rows;
      for (const auto& [key, row] : case_->warehouse) rows.push_back(row);
      EXPECT_EQ(rows, case_->expected_rows) << where(case_->expect_line);
      ++case_->assertions;
    }
    if (case_->assertions == 0) ADD_FAILURE() << where(case_->line) << ": the case checks nothing";
    case_.reset();
  }

  std::string file_;
  std::ifstream in_;
  int line_ = 0;
  int cases_ = 0;
  std::vector<TableSchemaPtr> file_tables_;
  std::optional<Case> case_;
  StateMode mode_;
  std::filesystem::path store_dir_;
  std::unique_ptr<state::StateStore> store_;
};

std::vector<std::string> flow_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir))
    if (entry.path().extension() == ".test") names.push_back(entry.path().stem().string());
  std::ranges::sort(names);
  return names;
}

class TransformFlowFile : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformFlowFile, EveryCaseGivesItsExpectedChangesAndRows) {
  EXPECT_GT(FlowFile(GetParam(), StateMode::kMemory).run(), 0)
      << GetParam() << ".test holds no case";
}

TEST_P(TransformFlowFile, TheSameWithTheStateOnDiskBetweenSteps) {
  EXPECT_GT(FlowFile(GetParam(), StateMode::kStore).run(), 0)
      << GetParam() << ".test holds no case";
}

INSTANTIATE_TEST_SUITE_P(Data, TransformFlowFile, ::testing::ValuesIn(flow_files()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sluice::transform
