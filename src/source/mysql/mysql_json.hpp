#pragma once
// MySQL 8's binary JSON (the JSON column type, binlog type 245) to JSON text. Reference:
// MySQL sql-common/json_binary.h. MariaDB has no binary JSON: its JSON is LONGTEXT.

#include <cstdint>
#include <span>
#include <string>

namespace sluice::mysql {

// Appends the JSON text of one binary JSON document to `out`, spaced the way both MySQL
// and PostgreSQL's jsonb print it ({"a": 1, "b": [true, null]}). An empty document is
// JSON null. DECIMAL inside JSON prints as a number; DATE, TIME, DATETIME and TIMESTAMP
// as strings in MySQL's style; other opaque values as MySQL's "base64:typeN:..." string.
// Throws FatalError on malformed input.
void append_json_text(std::span<const uint8_t> binary, std::string& out);

}  // namespace sluice::mysql
