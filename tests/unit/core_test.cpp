#include <gtest/gtest.h>

#include <string>

#include "core/byte_order.hpp"
#include "core/civil_date.hpp"
#include "core/error.hpp"
#include "core/json_escape.hpp"
#include "core/position.hpp"
#include "core/row.hpp"

namespace sluice {
namespace {

TEST(Row, KeepsNullUnchangedAndValuesApart) {
  Row row;
  row.append("a\tb");
  row.append_null();
  row.append_unchanged();
  row.append("");
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row.text(0), "a\tb");
  EXPECT_TRUE(row.is_null(1));
  EXPECT_TRUE(row.is_unchanged(2));
  EXPECT_EQ(row.state(3), CellState::kValue);
  EXPECT_EQ(row.text(3), "");
  EXPECT_TRUE(row.has_unchanged());
}

TEST(Row, PiecewiseValues) {
  Row row;
  row.begin_value();
  row.append_text("12");
  row.append_char('.');
  row.append_text("5");
  row.append("x");
  EXPECT_EQ(row.text(0), "12.5");
  EXPECT_EQ(row.text(1), "x");
}

TEST(Position, LsnRoundTrips) {
  Lsn lsn = parse_lsn("16/B374D848");
  EXPECT_EQ(lsn.value, (0x16ull << 32) | 0xB374D848ull);
  EXPECT_EQ(to_string(lsn), "16/B374D848");
  EXPECT_EQ(std::get<Lsn>(parse_position(to_string(Position{lsn}))), lsn);
  EXPECT_THROW(parse_lsn("16"), ConfigError);
  EXPECT_THROW(parse_lsn("x/1"), ConfigError);
}

TEST(Position, BinlogRoundTrips) {
  BinlogPosition pos{"mysql-bin.000003", 4711, "0-1-42"};
  Position parsed = parse_position(to_string(Position{pos}));
  EXPECT_EQ(std::get<BinlogPosition>(parsed), pos);
  EXPECT_THROW(parse_binlog_position("nofile"), ConfigError);
}

TEST(JsonEscape, EscapesAsPostgresJsonOutputDoes) {
  std::string out;
  append_json_escaped("q\"b\\ \b\f\n\r\t \x01\x1f \xc3\xbc /", out);
  EXPECT_EQ(out, "q\\\"b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f \xc3\xbc /");
}

TEST(CivilDate, RoundTripsAroundTheEpochAndLeapDays) {
  for (int64_t days : {-719468, -1, 0, 1, 11016, 19417, 2932896}) {
    CivilDate date = civil_from_days(days);
    EXPECT_EQ(days_from_civil(date.year, date.month, date.day), days) << days;
  }
  CivilDate leap = civil_from_days(11016);  // 2000-02-29
  EXPECT_EQ(leap.year, 2000);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
  EXPECT_EQ(floor_div(-1, 86400), -1);
}

TEST(ByteOrder, ReadsEitherOrderAtEveryWidth) {
  const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xff};
  EXPECT_EQ(load_be(bytes, 1), 0x01u);
  EXPECT_EQ(load_be(bytes, 3), 0x010203u);
  EXPECT_EQ(load_be(bytes, 8), 0x01020304050607ffu);
  EXPECT_EQ(load_le(bytes, 1), 0x01u);
  EXPECT_EQ(load_le(bytes, 3), 0x030201u);
  EXPECT_EQ(load_le(bytes, 8), 0xff07060504030201u);
  EXPECT_EQ(load_be(bytes, 0), 0u);
}

}  // namespace
}  // namespace sluice
