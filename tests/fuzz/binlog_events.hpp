#pragma once
// Plain binlog events as the MySQL source consumes them, shared by the binlog fuzz
// targets: TABLE_MAP builds the table's RowsDecoder, rows events are decoded against it,
// QUERY events go through the statement checks. Throws what the decoders throw.

#include <memory>
#include <string>
#include <vector>

#include "row_touch.hpp"
#include "source/mysql/binlog_ddl.hpp"
#include "source/mysql/binlog_query_event.hpp"
#include "source/mysql/binlog_row_decoder.hpp"

namespace sluice::fuzz {

class PlainEvents {
 public:
  // `schema` is empty or the information_schema columns, fitted to each TABLE_MAP.
  PlainEvents(mysql::BinlogFlavor flavor, std::vector<mysql::ColumnInfo> schema)
      : flavor_(flavor), schema_(std::move(schema)) {}

  void on_event(uint8_t type, std::span<const uint8_t> body) {
    constexpr uint8_t kQueryEvent = 2;
    constexpr uint8_t kTableMapEvent = 19;
    if (type == kTableMapEvent) {
      mysql::TableMap map = mysql::parse_table_map(body, flavor_);
      // The source passes either no columns or one per TABLE_MAP column.
      std::vector<mysql::ColumnInfo> columns = schema_;
      if (!columns.empty()) columns.resize(map.columns.size());
      decoder_ = std::make_unique<mysql::RowsDecoder>(std::move(map), std::move(columns));
    } else if (type == kQueryEvent) {
      mysql::QueryEvent query = mysql::parse_query_event(body);
      if (!mysql::is_transaction_control(query.statement))
        (void)mysql::parse_ddl(query.statement, query.database);
    } else if (mysql::is_rows_event(type)) {
      mysql::RowsEventHeader header = mysql::parse_rows_event_header(type, body);
      if (!decoder_ || header.table_id != decoder_->table_map().table_id) return;
      decoder_->begin(type, body);
      while (decoder_->next_row()) {
        touch(decoder_->before());
        touch(decoder_->after());
      }
    }
  }

 private:
  mysql::BinlogFlavor flavor_;
  std::vector<mysql::ColumnInfo> schema_;
  std::unique_ptr<mysql::RowsDecoder> decoder_;
};

}  // namespace sluice::fuzz
