#pragma once
// Redshift loading through S3: a flush's rows, gzip-compressed CSV, are uploaded as one
// object under <prefix><pipeline>/ and loaded with COPY; a snapshot's parts are uploaded
// one by one and loaded together by one COPY of a manifest listing them, which Redshift
// spreads over its slices. Objects are deleted once the warehouse transaction has ended;
// a crash before that leaves them behind, which a lifecycle rule on the prefix cleans up.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "pgclient/pg_connection.hpp"
#include "sink/s3/s3_client.hpp"

namespace sluice::warehouse {

class S3Staging {
 public:
  S3Staging(const S3StagingConfig& config, const std::string& pipeline_name);

  // Flushes with fewer changes load by INSERT instead.
  size_t min_rows() const { return config_.min_rows; }
  // Uploads `csv` (RedshiftCsvWriter rows) and COPYs it into `staging`'s `columns`. A
  // failed upload or COPY returns its error (S3Client's, or the warehouse's with the
  // secrets scrubbed); what was uploaded stays listed for delete_loaded.
  Result<void> load(PgConnection& conn, const std::string& staging, const std::string& columns,
                    std::string_view csv);
  // Uploads `csv` gzip-compressed and returns its s3:// URL, for load_manifest.
  Result<std::string> upload(std::string_view csv);
  // Uploads a manifest of `part_urls` and COPYs all the parts into `table`'s `columns`.
  Result<void> load_manifest(PgConnection& conn, const std::string& table,
                             const std::string& columns, const std::vector<std::string>& part_urls);
  // Deletes the objects loaded so far. Best effort: a failure is logged, not returned,
  // because the rows are already committed (or were never going to be).
  void delete_loaded();

 private:
  std::string next_key(std::string_view extension);
  Result<void> copy(PgConnection& conn, const std::string& table, const std::string& url,
                    const std::string& sql);

  S3StagingConfig config_;
  s3::S3Client client_;
  std::string key_prefix_;  // <prefix><pipeline>/<start time>-<random>-
  uint64_t objects_ = 0;
  std::vector<std::string> loaded_;
};

// What a COPY's s3:// URL names: the data itself, or a manifest listing the objects.
enum class S3CopySource : uint8_t { kObject, kManifest };

// COPY <table> (<columns>) FROM '<url>' with the configured authorization, for CSV written
// by RedshiftCsvWriter and gzip-compressed. Holds secrets unless an IAM role is set.
// https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
std::string copy_from_s3_sql(const std::string& table, const std::string& columns,
                             const std::string& url, const S3StagingConfig& config,
                             S3CopySource source = S3CopySource::kObject);

// A COPY manifest requiring every one of `urls`: a missing part fails the COPY instead of
// loading a table without its rows.
// https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
std::string copy_manifest_json(const std::vector<std::string>& urls);

// gzip (RFC 1952) of `data`, as COPY ... GZIP reads it.
std::string gzip_compress(std::string_view data);

}  // namespace sluice::warehouse
