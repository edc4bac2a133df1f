#include "source/mysql/binlog_query_event.hpp"

#include "source/mysql/binlog_byte_reader.hpp"

namespace sluice::mysql {

QueryEvent parse_query_event(std::span<const uint8_t> body) {
  detail::ByteReader in(body);
  in.skip(8);  // thread id, execution time
  uint8_t database_length = in.u8();
  in.skip(2);  // error code
  in.skip(in.u16());
  QueryEvent query;
  query.database = in.chars(database_length);
  in.skip(1);
  query.statement = in.chars(in.remaining());
  return query;
}

}  // namespace sluice::mysql
