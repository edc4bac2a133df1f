#pragma once
// Redshift staging through S3: a flush's rows, gzip-compressed CSV, are uploaded as one
// object under <prefix><pipeline>/ and loaded with COPY, which Redshift spreads over its
// slices. Objects are deleted once the warehouse transaction has ended; a crash before
// that leaves them behind, which a lifecycle rule on the prefix cleans up.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/s3/s3_client.hpp"

namespace sluice {

class S3Staging {
 public:
  S3Staging(const S3StagingConfig& config, const std::string& pipeline_name);

  // Flushes with fewer changes load by INSERT instead.
  size_t min_rows() const { return config_.min_rows; }
  // Uploads `csv` (RedshiftCsvWriter rows) and COPYs it into `staging`'s `columns`.
  void load(PgConnection& conn, const std::string& staging, const std::string& columns,
            std::string_view csv);
  // Deletes the objects loaded so far. Best effort: a failure is logged, not thrown,
  // because the rows are already committed.
  void delete_loaded();

 private:
  std::string next_key();

  S3StagingConfig config_;
  S3Client client_;
  std::string key_prefix_;  // <prefix><pipeline>/<start time>-<random>-
  uint64_t objects_ = 0;
  std::vector<std::string> loaded_;
};

// COPY <staging> (<columns>) FROM '<object_url>' with the configured authorization, for CSV
// written by RedshiftCsvWriter and gzip-compressed. Holds secrets unless an IAM role is set.
// https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
std::string copy_from_s3_sql(const std::string& staging, const std::string& columns,
                             const std::string& object_url, const S3StagingConfig& config);

// gzip (RFC 1952) of `data`, as COPY ... GZIP reads it.
std::string gzip_compress(std::string_view data);

}  // namespace sluice
