// The value building blocks under the flow evaluator: exact decimals, calendar math,
// packed rows and the scratch arena.
#include <gtest/gtest.h>

#include "transform/datetime.hpp"
#include "transform/decimal.hpp"
#include "transform/packed_row.hpp"
#include "transform/scratch_arena.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

std::string text_of(const std::optional<Decimal>& d) {
  if (!d) return "overflow";
  char buf[kMaxDecimalText];
  return std::string(buf, format_decimal(*d, buf));
}

Decimal dec(std::string_view s) {
  return *parse_decimal(s);
}

TEST(TransformValues, DecimalParsingAndFormatting) {
  EXPECT_EQ(text_of(parse_decimal(" -12.50 ")), "-12.50");
  EXPECT_EQ(text_of(parse_decimal("+.5")), "0.5");
  EXPECT_EQ(text_of(parse_decimal("1.5e3")), "1500");
  EXPECT_EQ(text_of(parse_decimal("15e-3")), "0.015");
  EXPECT_EQ(text_of(parse_decimal("-0.001")), "-0.001");
  EXPECT_EQ(text_of(parse_decimal("12345678901234567890123456789012345678")),
            "12345678901234567890123456789012345678");
  EXPECT_FALSE(parse_decimal("123456789012345678901234567890123456789"));
  EXPECT_FALSE(parse_decimal("1.2.3"));
  EXPECT_FALSE(parse_decimal("abc"));
  EXPECT_FALSE(parse_decimal(""));
}

TEST(TransformValues, DecimalArithmeticFollowsPostgres) {
  EXPECT_EQ(text_of(decimal_add(dec("1.25"), dec("2"))), "3.25");
  EXPECT_EQ(text_of(decimal_sub(dec("1"), dec("2.005"))), "-1.005");
  EXPECT_EQ(text_of(decimal_mul(dec("1.5"), dec("-2.25"))), "-3.375");
  EXPECT_EQ(text_of(decimal_div(dec("1"), dec("3"))), "0.33333333333333333333");
  EXPECT_EQ(text_of(decimal_div(dec("10"), dec("4"))), "2.5000000000000000");
  EXPECT_EQ(text_of(decimal_div(dec("100000"), dec("3"))), "33333.333333333333");
  EXPECT_EQ(text_of(decimal_div(dec("2"), dec("3"))), "0.66666666666666666667");
  EXPECT_EQ(text_of(decimal_mod(dec("-7.5"), dec("2"))), "-1.5");
  EXPECT_EQ(text_of(decimal_round(dec("2.5"), 0)), "3");
  EXPECT_EQ(text_of(decimal_round(dec("-2.5"), 0)), "-3");
  EXPECT_EQ(text_of(decimal_round(dec("1.005"), 2)), "1.01");
  EXPECT_EQ(text_of(decimal_mul(dec("99999999999999999999"), dec("99999999999999999999"))),
            "overflow");
  EXPECT_EQ(decimal_compare(dec("1.50"), dec("1.5")), 0);
  EXPECT_LT(decimal_compare(dec("-2"), dec("1.5")), 0);
  EXPECT_EQ(decimal_integer_digits(dec("123.45")), 3);
  EXPECT_EQ(decimal_to_int64(dec("-1.5")), -2);
  EXPECT_EQ(text_of(decimal_from_double(0.1)), "0.1");
}

std::string date_text(int64_t days) {
  char buf[kMaxTimestampText];
  return std::string(buf, format_date(days, buf));
}

std::string ts_text(int64_t micros, bool zone = false) {
  char buf[kMaxTimestampText];
  return std::string(buf, format_timestamp(micros, zone, buf));
}

TEST(TransformValues, CalendarRoundTrips) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(date_text(*parse_date("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("2021-13-01"));
  EXPECT_FALSE(parse_date("2021-1-01"));
  EXPECT_EQ(date_text(*parse_date("1969-12-31")), "1969-12-31");
  EXPECT_EQ(date_text(*parse_date("0001-01-01")), "0001-01-01");
  EXPECT_EQ(ts_text(*parse_timestamp("1969-12-31 23:59:59.5", false)), "1969-12-31 23:59:59.5");
  EXPECT_EQ(ts_text(*parse_timestamp("2021-08-15 10:00:00.000001", false)),
            "2021-08-15 10:00:00.000001");
  EXPECT_EQ(ts_text(*parse_timestamp("2021-08-15 10:00:00-05:30", true), true),
            "2021-08-15 15:30:00+00");
  EXPECT_EQ(ts_text(*parse_timestamp("2021-08-15 10:00:00-05:30", false)), "2021-08-15 10:00:00");
  EXPECT_EQ(ts_text(*parse_timestamp("2021-08-15T10:00", true), true), "2021-08-15 10:00:00+00");
  EXPECT_FALSE(parse_timestamp("2021-08-15 25:00:00", false));
  EXPECT_FALSE(parse_timestamp("2021-08-15 10:00:00 garbage", false));
}

TEST(TransformValues, TruncateAndExtractBeforeTheEpoch) {
  int64_t t = *parse_timestamp("1969-12-31 23:30:00", false);
  EXPECT_EQ(ts_text(truncate_timestamp(TimeUnit::kHour, t)), "1969-12-31 23:00:00");
  EXPECT_EQ(ts_text(truncate_timestamp(TimeUnit::kWeek, t)), "1969-12-29 00:00:00");
  EXPECT_EQ(ts_text(truncate_timestamp(TimeUnit::kDecade, t)), "1960-01-01 00:00:00");
  char buf[kMaxTimestampText];
  EXPECT_EQ(std::string(buf, extract_field(TimeUnit::kEpoch, t, buf)), "-1800.000000");
  EXPECT_EQ(std::string(buf, extract_field(TimeUnit::kDow, t, buf)), "3");
  EXPECT_EQ(std::string(buf, extract_field(TimeUnit::kCentury, t, buf)), "20");
  int64_t jan1 = *parse_timestamp("2021-01-01 00:00:00", false);
  EXPECT_EQ(std::string(buf, extract_field(TimeUnit::kWeek, jan1, buf)), "53");
  EXPECT_EQ(parse_time_unit("Months"), TimeUnit::kMonth);
  EXPECT_FALSE(parse_time_unit("fortnight"));
}

TEST(TransformValues, PackedRowsKeepStatesAndFillUnchanged) {
  Row row = testing::make_row({"1", std::nullopt, "", "tail"});
  PackedRow packed = PackedRow::pack(row);
  ASSERT_EQ(packed.size(), 4u);
  EXPECT_EQ(packed.text(0), "1");
  EXPECT_TRUE(packed.is_null(1));
  EXPECT_EQ(packed.state(2), CellState::kValue);
  EXPECT_EQ(packed.text(2), "");
  EXPECT_EQ(packed.text(3), "tail");
  Row update;
  update.append("1");
  update.append("now set");
  update.append_unchanged();
  update.append_unchanged();
  PackedRow next = PackedRow::pack(update, &packed);
  EXPECT_EQ(next.text(1), "now set");
  EXPECT_EQ(next.state(2), CellState::kValue);
  EXPECT_EQ(next.text(3), "tail");
  PackedRow orphan = PackedRow::pack(update);
  EXPECT_EQ(orphan.state(3), CellState::kUnchanged);
  Row back;
  next.to_row(back);
  EXPECT_EQ(back, testing::make_row({"1", "now set", "", "tail"}));
  EXPECT_EQ(next.heap_bytes(), 4u + 4 * 5 + 1 + 7 + 4);
}

TEST(TransformValues, ArenaPointersSurviveNewBlocks) {
  ScratchArena arena;
  std::string_view first = arena.copy("first");
  std::string big(ScratchArena::kBlockSize * 2, 'x');
  std::string_view large = arena.copy(big);
  std::string_view after = arena.copy("after");
  EXPECT_EQ(first, "first");
  EXPECT_EQ(large.size(), big.size());
  EXPECT_EQ(after, "after");
  arena.reset();
  EXPECT_EQ(arena.copy("again"), "again");
}

// The flow state stores a row's block as it is; a block cut short or altered on disk
// reads as no row, which the state reports as damage.
TEST(TransformValues, PackedRowsRoundTripThroughTheirBytesAndRefuseDamage) {
  Row row;
  row.append("1315");
  row.append_null();
  row.append("Teresa");
  PackedRow packed = PackedRow::pack(row);
  PackedRow back = PackedRow::from_bytes(packed.bytes());
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.size(), 3u);
  EXPECT_EQ(back.text(0), "1315");
  EXPECT_TRUE(back.is_null(1));
  EXPECT_EQ(back.text(2), "Teresa");
  std::string bytes(packed.bytes());
  EXPECT_TRUE(PackedRow::from_bytes(bytes.substr(0, bytes.size() - 1)).empty());
  EXPECT_TRUE(PackedRow::from_bytes(bytes + "x").empty());
  EXPECT_TRUE(PackedRow::from_bytes("").empty());
  bytes[4 + 3 * 4] = 7;  // the first cell's state
  EXPECT_TRUE(PackedRow::from_bytes(bytes).empty());
}

}  // namespace
}  // namespace sluice::transform
