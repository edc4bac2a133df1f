#include "sink/postgres/s3_snapshot.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sluice::warehouse {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps the NUL bytes

// COPY text chunks as a source yields them; counts how many were read.
class ChunkReader : public CopyTextReader {
 public:
  explicit ChunkReader(std::vector<std::string> chunks) : chunks_(std::move(chunks)) {}
  std::optional<std::string_view> next_chunk() override {
    if (read_ == chunks_.size()) return std::nullopt;
    return chunks_[read_++];
  }
  size_t read() const { return read_; }

 private:
  std::vector<std::string> chunks_;
  size_t read_ = 0;
};

std::vector<std::string> drain(CopyTextReader& reader) {
  std::vector<std::string> chunks;
  while (std::optional<std::string_view> chunk = reader.next_chunk()) chunks.emplace_back(*chunk);
  return chunks;
}

const std::vector<std::string> kChunks = {"1\ta\n2\tb\n", "3\tc\n", "4\td\n5\te\n"};

TEST(SnapshotHead, ATableEndingBeforeMinRowsIsWhole) {
  ChunkReader source(kChunks);
  SnapshotHead head(source, 6, 1 << 20);
  EXPECT_TRUE(head.whole_table());
  EXPECT_EQ(drain(head), kChunks);
}

TEST(SnapshotHead, StopsReadingAtMinRowsAndYieldsEveryChunkOnce) {
  ChunkReader source(kChunks);
  SnapshotHead head(source, 3, 1 << 20);
  EXPECT_FALSE(head.whole_table());
  EXPECT_EQ(source.read(), 2u);  // 3 rows read ahead, the last chunk left to stream
  EXPECT_EQ(drain(head), kChunks);
}

TEST(SnapshotHead, ExactlyMinRowsIsNotSmall) {
  ChunkReader source(kChunks);
  EXPECT_FALSE(SnapshotHead(source, 5, 1 << 20).whole_table());
}

TEST(SnapshotHead, StopsReadingAtMaxBytes) {
  ChunkReader source(kChunks);
  SnapshotHead head(source, 100, kChunks[0].size());
  EXPECT_FALSE(head.whole_table());
  EXPECT_EQ(source.read(), 1u);
  EXPECT_EQ(drain(head), kChunks);
}

TableSchema sample_table() {
  TableSchema table;
  table.schema = "public";
  table.name = "orders";
  table.columns = {{"id", LogicalType::kInt64, "bigint", true},
                   {"note", LogicalType::kText, "text", false},
                   {"raw", LogicalType::kBytes, "bytea", false}};
  return table;
}

Row row_of(std::string_view id, std::optional<std::string_view> note, std::string_view raw) {
  Row row;
  row.append(id);
  if (note)
    row.append(*note);
  else
    row.append_null();
  row.append(raw);
  return row;
}

TEST(SnapshotCsvPart, HoldsOnlyTheTargetColumns) {
  TableSchema table = sample_table();
  SnapshotCsvPart part(table, {});
  part.add(row_of("1", "say \"hi\",\tthen\nleave", "\\x00ff"));
  part.add(row_of("2", "", "\\x"));
  part.add(row_of("3", std::nullopt, "\\x01"));
  EXPECT_EQ(part.csv(),
            "\"1\",\"say \"\"hi\"\",\tthen\nleave\",\"00ff\"\n"
            "\"2\",\"\",\"\"\n"
            "\"3\",\0,\"01\"\n"s);
  EXPECT_EQ(part.rows(), 3u);
  part.clear();
  EXPECT_EQ(part.csv(), "");
  EXPECT_EQ(part.rows(), 0u);
}

// A part is full from the row that reaches either limit on.
TEST(SnapshotCsvPart, IsFullAtEitherLimit) {
  TableSchema table = sample_table();
  const size_t row_csv_bytes = std::string_view("\"1\",\"a\",\"\"\n").size();
  for (SnapshotPartLimits limits :
       {SnapshotPartLimits{.max_rows = 2, .max_bytes = 1 << 20},
        SnapshotPartLimits{.max_rows = 100, .max_bytes = 2 * row_csv_bytes}}) {
    SnapshotCsvPart part(table, limits);
    part.add(row_of("1", "a", "\\x"));
    EXPECT_FALSE(part.full()) << limits.max_rows;
    part.add(row_of("1", "a", "\\x"));
    EXPECT_TRUE(part.full()) << limits.max_rows;
  }
}

TEST(SnapshotCsvPart, RefusesARowWithTheWrongFieldCount) {
  TableSchema table = sample_table();
  SnapshotCsvPart part(table, {});
  Row short_row;
  short_row.append("1");
  try {
    part.add(short_row);
    FAIL() << "no error";
  } catch (const FatalError& e) {
    EXPECT_STREQ(e.what(), "snapshot of public.orders: a row has 1 fields for 3 columns");
  }
}

TEST(CopyManifest, ListsEveryPartAsMandatory) {
  EXPECT_EQ(copy_manifest_json({"s3://b/p/1.csv.gz", "s3://b/p/2.csv.gz"}),
            R"({"entries":[{"mandatory":true,"url":"s3://b/p/1.csv.gz"},)"
            R"({"mandatory":true,"url":"s3://b/p/2.csv.gz"}]})");
}

}  // namespace
}  // namespace sluice::warehouse
