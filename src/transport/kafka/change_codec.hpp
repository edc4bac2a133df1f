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
#include <set>
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
//
// Tombstones (an empty value, written after a delete so that compaction can drop the key)
// usually follow the delete of their key and carry nothing new. Once compaction has
// removed that delete, the tombstone is all that is left of it, and it decodes as the
// delete of its key.
class ChangeDecoder {
 public:
  // Fills `out` from one message and returns true; false for a message that carries no
  // change (a tombstone right after the delete of its key). Throws FatalError naming
  // `where` (topic/partition@offset) on a malformed message. `key` may be empty.
  bool decode(std::string_view key, std::string_view value, const MessagePlace& where, Change& out);

  // The table a topic holds, before any message of it is read (capture records every
  // table's schema), so that a tombstone read first can be applied.
  void learn_topic(const std::string& topic, TableSchemaPtr table);
  // Nothing of this partition was applied before: a tombstone on it before its table is
  // known deletes a row that cannot be in the warehouse.
  void reads_from_beginning(const std::string& topic, int32_t partition);

 private:
  TableSchemaPtr schema_for(const std::string& qualified, const std::string& signature,
                            const std::function<TableSchemaPtr()>& build);
  bool decode_tombstone(std::string_view key, const MessagePlace& where, Change& out);
  void remember(const MessagePlace& where, const Change& change, std::string_view key);

  using PartitionName = std::pair<std::string, int32_t>;

  std::map<std::string, std::pair<std::string, TableSchemaPtr>> schemas_;
  // Per topic, its table; null once two tables were seen in it (one topic for all).
  std::map<std::string, TableSchemaPtr, std::less<>> topic_tables_;
  // Per partition, the key of its last message when that was a delete.
  struct LastDelete {
    int64_t offset;
    std::string key;
  };
  std::map<PartitionName, LastDelete> last_delete_;
  std::set<PartitionName> from_beginning_;
};

}  // namespace sluice::kafka
