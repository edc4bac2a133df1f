#pragma once
// The TABLE_MAP event: which table a table id stands for, and how each of its columns
// is encoded in the rows events that follow. References: MariaDB KB "Table_map_event",
// MySQL libs/mysql/binlog/event/rows_event.h (optional metadata), docs/protocols.md.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.hpp"

namespace sluice::mysql {

// The number a TABLE_MAP event gives a table for the rows events after it (48 bits on the
// wire); the server may give the same table another number later.
using TableMapId = Id<struct TableMapIdTag, uint64_t>;

// Column type codes as the binlog writes them (MySQL's enum_field_types).
enum class ColumnType : uint8_t {
  kDecimal = 0,  // pre-5.0 DECIMAL, never written by a supported server
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,  // pre-5.6.4 TIMESTAMP: 4 bytes LE unix seconds
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,      // pre-5.6.4 TIME: 3 bytes LE HHMMSS
  kDatetime = 12,  // pre-5.6.4 DATETIME: 8 bytes LE YYYYMMDDhhmmss
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDatetime2 = 18,
  kTime2 = 19,
  kJson = 245,
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

// The one point where MySQL and MariaDB write the same event differently: MariaDB counts
// YEAR as a numeric column in the SIGNEDNESS metadata, MySQL does not.
enum class BinlogFlavor : uint8_t { kMariaDb, kMySql };

struct TableMapColumn {
  ColumnType type = ColumnType::kNull;  // as listed in the event's type array
  // What the value really is: for STRING the type packed into its metadata (ENUM, SET
  // or STRING), otherwise the same as `type`.
  ColumnType real_type = ColumnType::kNull;
  uint16_t max_length = 0;  // VARCHAR, VAR_STRING, STRING: maximum length in bytes
  uint8_t precision = 0;    // NEWDECIMAL
  uint8_t scale = 0;        // NEWDECIMAL
  uint8_t fsp = 0;          // TIME2, DATETIME2, TIMESTAMP2: fractional-second digits
  // Bytes of the value (ENUM, SET, FLOAT, DOUBLE) or of its length prefix (BLOB, TEXT,
  // GEOMETRY, JSON).
  uint8_t pack_length = 0;
  uint8_t bit_width = 0;  // BIT: declared number of bits
  bool nullable = false;

  // Optional metadata, present with binlog_row_metadata=FULL (MINIMAL gives signedness,
  // charsets, value names and geometry types; names and keys need FULL).
  std::optional<bool> is_unsigned;        // numeric columns
  std::optional<uint32_t> collation;      // character, ENUM and SET columns
  std::string name;                       // empty when not logged
  std::vector<std::string> value_names;   // ENUM and SET, in declaration order
  std::optional<uint32_t> geometry_type;  // 0 geometry, 1 point, 2 linestring, ...
};

struct TableMap {
  TableMapId table_id;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<TableMapColumn> columns;
  // Primary key column indexes, when logged (SIMPLE_PRIMARY_KEY or PRIMARY_KEY_WITH_PREFIX).
  std::vector<size_t> primary_key;
};

// Parses a TABLE_MAP event body: everything after the 19-byte common header, without the
// trailing checksum. Throws FatalError, naming the table when known, on malformed input.
TableMap parse_table_map(std::span<const uint8_t> body, BinlogFlavor flavor);

// Column kinds the optional metadata counts separately (docs/protocols.md, table map).
bool is_numeric_column(const TableMapColumn& column, BinlogFlavor flavor);
bool is_character_column(const TableMapColumn& column);
bool is_enum_or_set_column(const TableMapColumn& column);

// The type's name as SQL spells it, for messages ("DECIMAL", "VARCHAR", ...).
std::string_view column_type_name(ColumnType type);

}  // namespace sluice::mysql
