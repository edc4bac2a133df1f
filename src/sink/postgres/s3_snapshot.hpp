#pragma once
// A Redshift snapshot through S3. The table's COPY text is read ahead to tell a small
// table, which INSERT loads faster than a COPY's fixed cost of about a second, from a
// large one, whose rows are cut into CSV parts of the target's columns, uploaded one at a
// time (so a table holds one part in memory), and loaded by one COPY of their manifest,
// which Redshift spreads over its slices.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "copytext/copy_text_reader.hpp"
#include "core/row.hpp"
#include "core/schema.hpp"
#include "sink/postgres/redshift_csv_writer.hpp"
#include "sink/postgres/s3_staging.hpp"

namespace sluice::warehouse {

// A part is cut at whichever limit comes first. 64 MB of CSV gzips to roughly 10-20 MB,
// inside Redshift's advice of 1 MB to 1 GB per compressed file, and bounds what a table
// holds in memory (the part and its gzip copy) while tables load in parallel. The row
// limit cuts narrow tables into more files than the byte limit alone would, so the COPY
// has more files to share between slices.
// https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-use-multiple-files.html
struct SnapshotPartLimits {
  size_t max_rows = 500'000;
  size_t max_bytes = size_t{64} << 20;
};

// Reads `rows` ahead, keeping copies of its chunks, until the table ends or the copies
// hold `min_rows` rows or `max_bytes`; then yields them and continues with `rows`.
class SnapshotHead : public CopyTextReader {
 public:
  SnapshotHead(CopyTextReader& rows, size_t min_rows, size_t max_bytes);
  // The table ended within the head: fewer than min_rows rows and max_bytes.
  bool whole_table() const { return ended_; }
  std::optional<std::string_view> next_chunk() override;

 private:
  CopyTextReader& rows_;
  std::deque<std::string> chunks_;
  std::string current_;  // the chunk yielded last, alive until the next call
  bool ended_ = false;
};

// One part's CSV: each row's values in the target's column order.
class SnapshotCsvPart {
 public:
  SnapshotCsvPart(const TableSchema& table, SnapshotPartLimits limits);
  // Throws FatalError when the row does not have one field per column.
  void add(const Row& row);
  bool full() const {
    return rows_ >= limits_.max_rows || writer_.buffer.size() >= limits_.max_bytes;
  }
  size_t rows() const { return rows_; }
  std::string_view csv() const { return writer_.buffer; }
  void clear();

 private:
  const TableSchema& table_;
  SnapshotPartLimits limits_;
  RedshiftCsvWriter writer_;
  size_t rows_ = 0;
};

// Uploads `rows` as parts through `s3` and returns their URLs in order; a failed upload
// throws (Error::raise): the snapshot load cannot act on it.
std::vector<std::string> upload_snapshot_parts(S3Staging& s3, const TableSchema& table,
                                               CopyTextReader& rows,
                                               SnapshotPartLimits limits = {});

}  // namespace sluice::warehouse
