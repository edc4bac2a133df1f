#include "sink/postgres/redshift_csv_writer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "sink/postgres/s3_staging.hpp"

namespace sluice::warehouse {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps the NUL bytes

std::string quoted(std::string_view value) {
  std::string out;
  append_csv_quoted(out, value);
  return out;
}

TEST(RedshiftCsv, QuotesEveryValueAndDoublesQuotes) {
  EXPECT_EQ(quoted("plain"), "\"plain\"");
  EXPECT_EQ(quoted(""), "\"\"");
  EXPECT_EQ(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(quoted("\""), "\"\"\"\"");
  // Delimiters, line breaks and backslashes need no escape inside quotes.
  EXPECT_EQ(quoted("a,b\tc\nd\r\ne\\f\\N"), "\"a,b\tc\nd\r\ne\\f\\N\"");
  EXPECT_EQ(quoted("Zürich 東京 🎟"), "\"Zürich 東京 🎟\"");
}

TEST(RedshiftCsv, NullIsALoneNulByteAndEmptyStringIsQuoted) {
  TableSchema table;
  table.columns = {{"id", LogicalType::kInt64, "bigint", true},
                   {"note", LogicalType::kText, "text", false},
                   {"other", LogicalType::kText, "text", false},
                   {"raw", LogicalType::kBytes, "bytea", false}};
  RedshiftCsvWriter writer(table);
  writer.begin_row(7, 'U');
  writer.unchanged_marks(nullptr);
  writer.value("42");
  writer.value("");
  writer.null();
  writer.value("\\xdeadbeef");
  writer.end_row();
  EXPECT_EQ(writer.buffer, "7,U,\0,\"42\",\"\",\0,\"deadbeef\"\n"s);
}

TEST(RedshiftCsv, UnchangedMarksAreQuoted) {
  TableSchema table;
  table.columns = {{"id", LogicalType::kInt64, "bigint", true},
                   {"doc", LogicalType::kText, "text", false}};
  Row row;
  row.append("1");
  row.append_unchanged();
  RedshiftCsvWriter writer(table);
  writer.begin_row(1, 'U');
  writer.unchanged_marks(&row);
  writer.value("1");
  writer.null();
  writer.end_row();
  EXPECT_EQ(writer.buffer, "1,U,\"-u\",\"1\",\0\n"s);
}

TEST(RedshiftCsv, TargetRowsHaveNoStagingFields) {
  TableSchema table;
  table.columns = {{"id", LogicalType::kInt64, "bigint", true},
                   {"note", LogicalType::kText, "text", false}};
  RedshiftCsvWriter writer(table);
  writer.begin_row();
  writer.null();
  writer.value("");
  writer.end_row();
  writer.begin_row();
  writer.value("2");
  writer.null();
  writer.end_row();
  EXPECT_EQ(writer.buffer, "\0,\"\"\n\"2\",\0\n"s);
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(RedshiftCsv, GzipRoundTrips) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += std::to_string(i) + ",U,\0,\"x\"\n"s;
  std::string compressed = gzip_compress(data);
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), data.size());
  EXPECT_EQ(gunzip(compressed), data);
  EXPECT_EQ(gunzip(gzip_compress("")), "");
}

}  // namespace
}  // namespace sluice::warehouse
