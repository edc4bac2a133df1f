#pragma once
// Decodes WRITE/UPDATE/DELETE rows events into row images whose cells hold PostgreSQL's
// canonical text (what PostgreSQL prints and COPY text format reads, not yet escaped).
// docs/mysql-types.md lists the text form of every MySQL type; docs/protocols.md the bytes.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/row.hpp"
#include "source/mysql/binlog_byte_reader.hpp"
#include "source/mysql/binlog_table_map.hpp"
#include "source/mysql/mysql_type_mapping.hpp"

namespace sluice::mysql {

namespace detail {

// How to read and print one column, worked out once per table map.
struct ColumnPlan {
  ColumnType type = ColumnType::kNull;  // the real type (ENUM, SET rather than STRING)
  uint16_t max_length = 0;
  uint8_t precision = 0;
  uint8_t scale = 0;
  uint8_t fsp = 0;
  uint8_t pack_length = 0;
  uint8_t bit_width = 0;
  bool is_unsigned = false;
  TextEncoding encoding = TextEncoding::kUtf8;
  // latin1 and kConverted text; reused for every value of the column.
  std::unique_ptr<Utf8Converter> converter;
  std::vector<std::string> value_names;  // ENUM and SET, UTF-8
  std::string name;                      // for messages
};

}  // namespace detail

enum class RowsEventKind : uint8_t { kWrite, kUpdate, kDelete };

struct RowsEventHeader {
  TableMapId table_id;
  uint16_t flags = 0;
  RowsEventKind kind = RowsEventKind::kWrite;
  // The last rows event of its statement (STMT_END_F).
  bool statement_end() const { return (flags & 1) != 0; }
};

// Rows events v1 (types 23-25, the only ones MariaDB writes) and v2 (MySQL, 30-32).
bool is_rows_event(uint8_t event_type);

// Reads the post-header, so the caller can find the table map by table id. `body` is the
// event after its 19-byte common header, without the checksum.
RowsEventHeader parse_rows_event_header(uint8_t event_type, std::span<const uint8_t> body);

// Decodes the rows events of one table, as described by one TABLE_MAP event. Build one
// per table map and keep it while the table id stays mapped: the per-column decoding
// plan is worked out once, and the row buffers are reused from row to row.
class RowsDecoder {
 public:
  // `columns` is empty or has one entry per TABLE_MAP column, in table order; it fills in
  // what the binlog metadata lacks (names, signedness, charsets, ENUM/SET names).
  RowsDecoder(TableMap map, std::vector<ColumnInfo> columns);

  const TableMap& table_map() const { return map_; }

  // Starts on one rows event. `body` must stay valid until next_row() returns false.
  RowsEventHeader begin(uint8_t event_type, std::span<const uint8_t> body);

  // Decodes the next row of the event into before() and/or after(); false when none is
  // left. WRITE fills after(), DELETE before(), UPDATE both. A column the event did not
  // include (binlog_row_image=MINIMAL or NOBLOB) is CellState::kUnchanged. Throws
  // FatalError naming the table and column on malformed data.
  bool next_row();

  RowsEventKind kind() const { return kind_; }
  const Row& before() const { return before_; }
  const Row& after() const { return after_; }

 private:
  void read_image(std::span<const uint8_t> present, Row& row);
  void read_value(const detail::ColumnPlan& column, Row& row);

  TableMap map_;
  std::vector<detail::ColumnPlan> plan_;
  RowsEventKind kind_ = RowsEventKind::kWrite;
  detail::ByteReader in_{std::span<const uint8_t>{}};
  std::span<const uint8_t> before_present_;
  std::span<const uint8_t> after_present_;
  Row before_;
  Row after_;
  std::string scratch_;
};

}  // namespace sluice::mysql
