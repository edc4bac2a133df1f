#pragma once
// The topic format: a Debezium-style JSON envelope per change (docs/kafka.md).
//
//   key:   {"id":"42"}  the primary-key columns, so one key's changes share a partition
//   value: {"before":{..}|null,"after":{..}|null,
//           "source":{"connector":"sluice","db":..,"schema":..,"table":..,"pos":..,
//                     "txId":..,"ts_ms":..},
//           "op":"c|u|d|r|t","ts_ms":..,
//           "sluice":{"columns":[[name,logical type,warehouse type,is key],..],
//                     "unchanged":[names of TOAST columns the change did not carry]}}
//
// Values are JSON strings in canonical text form, null is null. The "sluice" member makes
// a message self-describing: apply builds the table schema from it without the source
// database. Messages written by Debezium (schema-less JSON converter) decode too: their
// typed JSON values become canonical text and the schema is inferred (see DebeziumTypes
// in docs/kafka.md for the limits).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/change.hpp"

namespace sluice::kafka {

// Where a message is, for error messages; formatted only when one is thrown.
struct MessagePlace {
  // A literal place, as tests write it.
  MessagePlace(const char* text) : topic(text) {}  // NOLINT(google-explicit-constructor)
  MessagePlace(std::string_view t, int32_t p, int64_t o) : topic(t), partition(p), offset(o) {}
  std::string str() const;

  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

// The JSON object of the key columns: {"id":"42"}. Uses `after`, or `before` for deletes.
std::string encode_key(const Change& change);

// The envelope for one change; `snapshot`: a row of the initial copy (op "r").
std::string encode_value(const Change& change, std::string_view db, bool snapshot);

// A table's schema on its own: {"schema":..,"table":..,"sluice":{"columns":[..]}}. Capture
// keeps one per table in its position topic, so apply can compile flows before any change
// of a table arrives.
std::string encode_schema(const TableSchema& table);
// Throws FatalError naming `where` when malformed.
TableSchemaPtr decode_schema(std::string_view value, const MessagePlace& where);

// Decodes messages into changes, keeping one TableSchema object per table and column
// list, so the sink's per-schema state (staging tables) is reused across messages.
class ChangeDecoder {
 public:
  // Fills `out` from one message and returns true; false for a tombstone (an empty value,
  // which Debezium writes after a delete for compaction). Throws FatalError naming
  // `where` (topic/partition@offset) on a malformed message. `key` may be empty.
  bool decode(std::string_view key, std::string_view value, const MessagePlace& where, Change& out);

 private:
  TableSchemaPtr schema_for(const std::string& qualified, const std::string& signature,
                            const std::function<TableSchemaPtr()>& build);

  std::map<std::string, std::pair<std::string, TableSchemaPtr>> schemas_;
};

}  // namespace sluice::kafka
