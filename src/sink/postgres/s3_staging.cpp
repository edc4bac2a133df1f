#include "sink/postgres/s3_staging.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/error.hpp"

namespace sluice::warehouse {
namespace {

std::string literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string authorization(const S3StagingConfig& config) {
  if (!config.iam_role.empty()) return "IAM_ROLE " + literal(config.iam_role);
  std::string keys = fmt::format("ACCESS_KEY_ID {} SECRET_ACCESS_KEY {}",
                                 literal(config.access_key_id), literal(config.secret_access_key));
  if (!config.session_token.empty()) keys += " SESSION_TOKEN " + literal(config.session_token);
  return keys;
}

s3::AwsCredentials credentials_of(const S3StagingConfig& config) {
  return {config.access_key_id, config.secret_access_key, config.session_token};
}

// Unique across processes and restarts: the start time and 64 random bits.
std::string run_id() {
  std::random_device random;
  uint64_t bits = (static_cast<uint64_t>(random()) << 32) | random();
  return fmt::format("{}-{:016x}", s3::amz_date_now(), bits);
}

}  // namespace

std::string copy_from_s3_sql(const std::string& table, const std::string& columns,
                             const std::string& url, const S3StagingConfig& config,
                             S3CopySource source) {
  return fmt::format(
      "COPY {} ({}) FROM {} {} {}FORMAT AS CSV NULL AS '\\000' GZIP REGION {} "
      "TIMEFORMAT 'auto' DATEFORMAT 'auto'",
      table, columns, literal(url), authorization(config),
      source == S3CopySource::kManifest ? "MANIFEST " : "", literal(config.region));
}

std::string copy_manifest_json(const std::vector<std::string>& urls) {
  nlohmann::json entries = nlohmann::json::array();
  for (const std::string& url : urls) entries.push_back({{"url", url}, {"mandatory", true}});
  return nlohmann::json{{"entries", entries}}.dump();
}

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw FatalError("gzip: cannot initialize zlib");
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw FatalError("gzip: compression did not finish");
  return out;
}

S3Staging::S3Staging(const S3StagingConfig& config, const std::string& pipeline_name)
    : config_(config),
      client_(config),
      key_prefix_(fmt::format("{}{}/{}-", config.prefix, pipeline_name, run_id())) {}

std::string S3Staging::next_key(std::string_view extension) {
  return fmt::format("{}{}{}", key_prefix_, ++objects_, extension);
}

Result<std::string> S3Staging::upload(std::string_view csv) {
  std::string key = next_key(".csv.gz");
  if (Result<void> put = client_.put_object(key, gzip_compress(csv)); !put) return put.error();
  loaded_.push_back(key);
  return client_.object_url(key);
}

Result<void> S3Staging::load(PgConnection& conn, const std::string& staging,
                             const std::string& columns, std::string_view csv) {
  Result<std::string> url = upload(csv);
  if (!url) return url.error();
  return copy(conn, staging, url.value(), copy_from_s3_sql(staging, columns, url.value(), config_));
}

Result<void> S3Staging::load_manifest(PgConnection& conn, const std::string& table,
                                      const std::string& columns,
                                      const std::vector<std::string>& part_urls) {
  std::string key = next_key(".manifest");
  if (Result<void> put = client_.put_object(key, copy_manifest_json(part_urls)); !put)
    return put.error();
  loaded_.push_back(key);
  std::string url = client_.object_url(key);
  return copy(conn, table, url,
              copy_from_s3_sql(table, columns, url, config_, S3CopySource::kManifest));
}

Result<void> S3Staging::copy(PgConnection& conn, const std::string& table, const std::string& url,
                             const std::string& sql) {
  // The statement holds the keys: errors name the object instead, and whatever the
  // server's message quotes of the statement is scrubbed.
  Result<void> copied = conn.try_exec_secret(sql, fmt::format("COPY {} FROM {}", table, url));
  if (copied) return copied;
  const Error& error = copied.error();
  return Error(error.code(), s3::without_secrets(error.message(), credentials_of(config_)),
               error.server_code());
}

void S3Staging::delete_loaded() {
  for (const std::string& key : loaded_)
    if (Result<void> deleted = client_.delete_object(key); !deleted)
      spdlog::warn("s3: staged object left behind (a lifecycle rule on the prefix expires it): {}",
                   deleted.error().message());
  loaded_.clear();
}

}  // namespace sluice::warehouse
