#include "transport/kafka/change_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json_escape.hpp"

namespace sluice::kafka {
namespace {

using nlohmann::json;

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  append_json_escaped(text, out);
  out += '"';
}

void append_row(std::string& out, const TableSchema& table, const Row& row) {
  if (row.empty()) {
    out += "null";
    return;
  }
  out += '{';
  for (size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, table.columns[i].name);
    out += ':';
    if (row.state(i) == CellState::kValue)
      append_json_string(out, row.text(i));
    else
      out += "null";
  }
  out += '}';
}

char op_code(const Change& change, bool snapshot) {
  if (snapshot) return 'r';
  switch (change.op) {
    case Op::kInsert:
      return 'c';
    case Op::kUpdate:
      return 'u';
    case Op::kDelete:
      return 'd';
    case Op::kTruncate:
      return 't';
  }
  return 'c';
}

void append_sluice_member(std::string& out, const TableSchema& table, const Row& after) {
  out += R"("sluice":{"columns":[)";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    if (i > 0) out += ',';
    out += '[';
    append_json_string(out, c.name);
    out += ',';
    append_json_string(out, logical_type_name(c.type));
    out += ',';
    append_json_string(out, c.warehouse_type);
    out += c.is_key ? ",true]" : ",false]";
  }
  out += "]";
  if (after.has_unchanged()) {
    out += R"(,"unchanged":[)";
    bool first = true;
    for (size_t i = 0; i < after.size(); ++i) {
      if (!after.is_unchanged(i)) continue;
      if (!first) out += ',';
      first = false;
      append_json_string(out, table.columns[i].name);
    }
    out += ']';
  }
  out += '}';
}

constexpr std::array kLogicalTypes = {
    LogicalType::kBool,      LogicalType::kInt16,       LogicalType::kInt32,   LogicalType::kInt64,
    LogicalType::kFloat32,   LogicalType::kFloat64,     LogicalType::kNumeric, LogicalType::kText,
    LogicalType::kBytes,     LogicalType::kJson,        LogicalType::kDate,    LogicalType::kTime,
    LogicalType::kTimestamp, LogicalType::kTimestampTz, LogicalType::kUuid,    LogicalType::kOther};

[[noreturn]] void malformed(const MessagePlace& where, std::string_view what) {
  throw FatalError(fmt::format("kafka message {}: {}", where.str(), what));
}

LogicalType parse_logical_type(const std::string& name, const MessagePlace& where) {
  for (LogicalType t : kLogicalTypes)
    if (logical_type_name(t) == name) return t;
  malformed(where, fmt::format("unknown column type '{}'", name));
}

const json& member(const json& object, const char* name, const MessagePlace& where) {
  auto it = object.find(name);
  if (it == object.end()) malformed(where, fmt::format("the envelope has no \"{}\"", name));
  return *it;
}

std::string text_member(const json& object, const char* name, const MessagePlace& where) {
  const json& value = member(object, name, where);
  if (!value.is_string()) malformed(where, fmt::format("\"{}\" must be a string", name));
  return value.get<std::string>();
}

// The member as a string, or "" when absent.
std::string optional_text(const json& object, const char* name, const MessagePlace& where) {
  return object.contains(name) ? text_member(object, name, where) : std::string();
}

std::vector<std::string> text_list(const json& object, const char* name,
                                   const MessagePlace& where) {
  const json& list = member(object, name, where);
  if (!list.is_array() || !std::ranges::all_of(list, &json::is_string))
    malformed(where, fmt::format("\"{}\" must be an array of strings", name));
  return list.get<std::vector<std::string>>();
}

// A ts_ms member in microseconds. JSON allows any number; an int64 of microseconds holds
// only integral milliseconds within about 292,000 years of 1970.
int64_t milliseconds_as_us(const json& ms, const MessagePlace& where) {
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000;
  if (ms.is_number_unsigned()) {
    if (ms.get<uint64_t>() <= uint64_t{kLimit}) return ms.get<int64_t>() * 1000;
  } else if (ms.is_number_integer()) {
    int64_t value = ms.get<int64_t>();
    if (value >= -kLimit && value <= kLimit) return value * 1000;
  }
  malformed(where, fmt::format("\"ts_ms\" must be an integer of milliseconds, got {}", ms.dump()));
}

// Canonical text of a typed JSON value (Debezium's schema-less converter).
std::string canonical_text(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>() ? "t" : "f";
    case json::value_t::number_integer:
      return std::to_string(value.get<int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(value.get<uint64_t>());
    default:
      return value.dump();
  }
}

Column inferred_column(const std::string& name, const json& sample, bool is_key) {
  Column c{name, LogicalType::kText, "text", is_key};
  switch (sample.type()) {
    case json::value_t::boolean:
      c.type = LogicalType::kBool;
      c.warehouse_type = "boolean";
      break;
    case json::value_t::number_unsigned:
      // An unsigned 64-bit value (MySQL BIGINT UNSIGNED) beyond bigint's range.
      if (sample.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        c.type = LogicalType::kNumeric;
        c.warehouse_type = "numeric";
        break;
      }
      [[fallthrough]];
    case json::value_t::number_integer:
      c.type = LogicalType::kInt64;
      c.warehouse_type = "bigint";
      break;
    case json::value_t::number_float:
      c.type = LogicalType::kFloat64;
      c.warehouse_type = "double precision";
      break;
    case json::value_t::object:
    case json::value_t::array:
      c.type = LogicalType::kJson;
      c.warehouse_type = "jsonb";
      break;
    default:
      break;
  }
  return c;
}

// Debezium with the schema-enabled JSON converter wraps everything in {schema, payload}.
const json& unwrap(const json& document) {
  if (document.is_object() && document.contains("payload") && document.contains("schema"))
    return document["payload"];
  return document;
}

Op parse_op(const std::string& op, const MessagePlace& where, bool& snapshot) {
  snapshot = op == "r";
  if (op == "c" || op == "r") return Op::kInsert;
  if (op == "u") return Op::kUpdate;
  if (op == "d") return Op::kDelete;
  if (op == "t") return Op::kTruncate;
  malformed(where, fmt::format("unknown op '{}' (expected c, u, d, r or t)", op));
}

TableSchemaPtr sluice_schema(const json& meta, std::string schema, std::string table,
                             const MessagePlace& where) {
  auto out = std::make_shared<TableSchema>();
  out->schema = std::move(schema);
  out->name = std::move(table);
  const json& columns = member(meta, "columns", where);
  if (!columns.is_array()) malformed(where, "\"sluice.columns\" must be an array");
  for (const json& c : columns) {
    if (!c.is_array() || c.size() != 4 || !c[0].is_string() || !c[1].is_string() ||
        !c[2].is_string() || !c[3].is_boolean())
      malformed(where, "a column must be [name, type, warehouse type, is key]");
    out->columns.push_back({c[0].get<std::string>(),
                            parse_logical_type(c[1].get<std::string>(), where),
                            c[2].get<std::string>(), c[3].get<bool>()});
  }
  if (!out->has_key()) malformed(where, "the column list names no key column");
  return out;
}

// Column names and key names, in order; a Debezium table's schema is rebuilt when they
// change (an added column), not when a value's JSON type does.
std::string debezium_signature(const json& image, const json& key) {
  std::string out;
  for (const auto& [name, value] : image.items()) out += name + ",";
  out += "|";
  for (const auto& [name, value] : key.items()) out += name + ",";
  return out;
}

TableSchemaPtr debezium_schema(const json& after, const json& before, const json& key,
                               std::string schema, std::string table) {
  auto out = std::make_shared<TableSchema>();
  out->schema = std::move(schema);
  out->name = std::move(table);
  const json& image = after.is_object() ? after : before;
  for (const auto& [name, value] : image.items()) {
    const json* sample = &value;
    if (value.is_null() && before.is_object() && before.contains(name)) sample = &before[name];
    out->columns.push_back(inferred_column(name, *sample, key.contains(name)));
  }
  return out;
}

void fill_row(const json& image, const TableSchema& table,
              const std::vector<std::string>& unchanged, const MessagePlace& where, Row& row) {
  row.clear();
  if (image.is_null()) return;
  if (!image.is_object()) malformed(where, "\"before\"/\"after\" must be an object or null");
  row.reserve(table.columns.size());
  for (const Column& c : table.columns) {
    auto it = image.find(c.name);
    if (std::find(unchanged.begin(), unchanged.end(), c.name) != unchanged.end())
      row.append_unchanged();
    else if (it == image.end() || it->is_null())
      row.append_null();
    else
      row.append(canonical_text(*it));
  }
}

json parse_json(std::string_view text, const MessagePlace& where, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // The byte, not e.what(): that quotes the input, which may hold personal data.
    malformed(where, fmt::format("{} is not valid JSON (error at byte {})", what, e.byte));
  } catch (const json::out_of_range&) {
    // A number beyond a double's range (1e400) parses as JSON but has no value here.
    malformed(where, fmt::format("{} holds a number out of range", what));
  }
}

}  // namespace

std::string MessagePlace::str() const {
  if (partition < 0) return std::string(topic);
  return fmt::format("{} [{}]@{}", topic, partition, offset);
}

std::string encode_key(const Change& change) {
  const Row& row = change.op == Op::kDelete || change.after.empty() ? change.before : change.after;
  std::string out = "{";
  const TableSchema& table = *change.table;
  for (size_t k : table.key_indexes()) {
    if (out.size() > 1) out += ',';
    append_json_string(out, table.columns[k].name);
    out += ':';
    if (k < row.size() && row.state(k) == CellState::kValue)
      append_json_string(out, row.text(k));
    else
      out += "null";
  }
  return out + "}";
}

std::string encode_value(const Change& change, std::string_view db, bool snapshot) {
  const TableSchema& table = *change.table;
  std::string out;
  out.reserve(256 + 2 * (change.after.size() + change.before.size()) * 16);
  out += R"({"before":)";
  append_row(out, table, change.before);
  out += R"(,"after":)";
  append_row(out, table, change.after);
  int64_t ts_ms = change.commit_time_us / 1000;
  out += R"(,"source":{"connector":"sluice","db":)";
  append_json_string(out, db);
  out += R"(,"schema":)";
  append_json_string(out, table.schema);
  out += R"(,"table":)";
  append_json_string(out, table.name);
  out += fmt::format(R"(,"pos":{},"txId":{},"ts_ms":{},"snapshot":{}}},"op":"{}","ts_ms":{},)",
                     change.source_offset.value, change.xid, ts_ms, snapshot ? "true" : "false",
                     op_code(change, snapshot), ts_ms);
  append_sluice_member(out, table, change.after);
  return out + "}";
}

std::string encode_schema(const TableSchema& table) {
  std::string out = R"({"schema":)";
  append_json_string(out, table.schema);
  out += R"(,"table":)";
  append_json_string(out, table.name);
  out += ',';
  append_sluice_member(out, table, Row());
  return out + "}";
}

TableSchemaPtr decode_schema(std::string_view value, const MessagePlace& where) {
  json document = parse_json(value, where, "the schema record");
  if (!document.is_object()) malformed(where, "a schema record must be a JSON object");
  const json& meta = member(document, "sluice", where);
  if (!meta.is_object()) malformed(where, "\"sluice\" must be an object");
  return sluice_schema(meta, text_member(document, "schema", where),
                       text_member(document, "table", where), where);
}

TableSchemaPtr ChangeDecoder::schema_for(const std::string& qualified, const std::string& signature,
                                         const std::function<TableSchemaPtr()>& build) {
  auto it = schemas_.find(qualified);
  if (it != schemas_.end() && it->second.first == signature) return it->second.second;
  TableSchemaPtr schema = build();
  schemas_[qualified] = {signature, schema};
  return schema;
}

void ChangeDecoder::learn_topic(const std::string& topic, TableSchemaPtr table) {
  topic_tables_[topic] = std::move(table);
}

void ChangeDecoder::reads_from_beginning(const std::string& topic, int32_t partition) {
  from_beginning_.emplace(topic, partition);
}

// Deletes feed the check of the tombstone after them; the rest only keep the table of the
// topic. The common case, the topic's known table, costs one lookup and no allocation.
void ChangeDecoder::remember(const MessagePlace& where, const Change& change,
                             std::string_view key) {
  auto it = topic_tables_.find(where.topic);
  if (it == topic_tables_.end())
    topic_tables_.emplace(std::string(where.topic), change.table);
  else if (it->second && it->second != change.table)
    it->second =
        it->second->qualified_name() == change.table->qualified_name() ? change.table : nullptr;
  if (change.op == Op::kDelete)
    last_delete_[{std::string(where.topic), where.partition}] = {where.offset, std::string(key)};
}

bool ChangeDecoder::decode_tombstone(std::string_view key, const MessagePlace& where, Change& out) {
  PartitionName partition{std::string(where.topic), where.partition};
  auto last = last_delete_.find(partition);
  if (last != last_delete_.end() && last->second.offset + 1 == where.offset &&
      last->second.key == key)
    return false;
  auto table = topic_tables_.find(where.topic);
  if (table != topic_tables_.end() && !table->second)
    throw FatalError(fmt::format(
        "kafka: {}: a tombstone on a topic holding several tables cannot say which table "
        "it deletes from: do not compact a shared topic (transport.topic_per_table: false)",
        where.str()));
  if (table == topic_tables_.end()) {
    if (from_beginning_.contains(partition)) return false;
    throw FatalError(fmt::format(
        "kafka: {}: a tombstone whose delete compaction removed, read before any message "
        "naming the topic's table, so sluice cannot tell which table to delete from (capture "
        "records the tables of its own topics; this happens on other producers' topics): apply "
        "the topic from its beginning, or keep its delete.retention.ms above apply's lag",
        where.str()));
  }
  if (key.empty()) malformed(where, "a tombstone without a key");
  json key_json = parse_json(key, where, "the key");
  const json& fields = unwrap(key_json);
  if (!fields.is_object() || fields.empty())
    malformed(where, "the key must be a JSON object of the primary-key columns");
  out.op = Op::kDelete;
  out.table = table->second;
  out.after.clear();
  fill_row(fields, *out.table, {}, where, out.before);
  for (size_t k : out.table->key_indexes())
    if (out.before.is_null(k))
      malformed(where, fmt::format("the key has no column {}", out.table->columns[k].name));
  out.commit_time_us = 0;
  out.xid = 0;
  out.source_offset = {};
  return true;
}

bool ChangeDecoder::decode(std::string_view key, std::string_view value, const MessagePlace& where,
                           Change& out) {
  if (value.empty()) return decode_tombstone(key, where, out);
  json document = parse_json(value, where, "the value");
  if (document.is_null()) return false;
  const json& envelope = unwrap(document);
  if (!envelope.is_object()) malformed(where, "the value must be a JSON object (an envelope)");
  bool snapshot = false;
  out.op = parse_op(text_member(envelope, "op", where), where, snapshot);
  const json& source = member(envelope, "source", where);
  if (!source.is_object()) malformed(where, "\"source\" must be an object");
  std::string table = text_member(source, "table", where);
  // Debezium's MySQL connector names the database "db" and has no schema.
  std::string schema = source.contains("schema") && source["schema"].is_string()
                           ? source["schema"].get<std::string>()
                           : optional_text(source, "db", where);
  const json null_image;
  const json& after = envelope.contains("after") ? envelope["after"] : null_image;
  const json& before = envelope.contains("before") ? envelope["before"] : null_image;
  std::vector<std::string> unchanged;
  auto meta = envelope.find("sluice");
  if (meta != envelope.end()) {
    if (!meta->is_object()) malformed(where, "\"sluice\" must be an object");
    std::string signature = member(*meta, "columns", where).dump();
    out.table = schema_for(schema + "." + table, signature,
                           [&] { return sluice_schema(*meta, schema, table, where); });
    if (meta->contains("unchanged")) unchanged = text_list(*meta, "unchanged", where);
  } else if (out.op != Op::kTruncate) {
    if (key.empty())
      malformed(where, "no message key: the table needs a primary key to be applied");
    json key_json = parse_json(key, where, "the key");
    const json& key_fields = unwrap(key_json);
    if (!key_fields.is_object() || key_fields.empty())
      malformed(where, "the key must be a JSON object of the primary-key columns");
    const json& image = after.is_object() ? after : before;
    if (!image.is_object()) malformed(where, "neither \"after\" nor \"before\" holds a row");
    out.table = schema_for(schema + "." + table, debezium_signature(image, key_fields), [&] {
      return debezium_schema(after, before, key_fields, schema, table);
    });
  } else {
    auto it = schemas_.find(schema + "." + table);
    if (it == schemas_.end()) return false;  // nothing of the table seen yet: nothing to empty
    out.table = it->second.second;
  }
  fill_row(after, *out.table, unchanged, where, out.after);
  fill_row(before, *out.table, {}, where, out.before);
  if ((out.op == Op::kInsert || out.op == Op::kUpdate) && out.after.empty())
    malformed(where, "an insert or update without \"after\"");
  if (out.op == Op::kDelete && out.before.empty()) malformed(where, "a delete without \"before\"");
  const json& source_ts =
      source.contains("ts_ms") ? source["ts_ms"] : envelope.value("ts_ms", json());
  out.commit_time_us = source_ts.is_number() ? milliseconds_as_us(source_ts, where) : 0;
  out.xid = source.value("txId", json()).is_number_unsigned() ? source["txId"].get<uint64_t>() : 0;
  out.source_offset = SourceOffset{
      source.value("pos", json()).is_number_unsigned() ? source["pos"].get<uint64_t>() : 0};
  remember(where, out, key);
  return true;
}

}  // namespace sluice::kafka
