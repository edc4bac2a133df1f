#include "sink/s3/s3_client.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.hpp"

namespace sluice::s3 {
namespace {

// The text of <tag>...</tag> in an S3 error document, or "".
std::string xml_element(const std::string& body, std::string_view tag) {
  std::string open = fmt::format("<{}>", tag);
  size_t start = body.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  size_t end = body.find(fmt::format("</{}>", tag), start);
  return end == std::string::npos ? "" : body.substr(start, end - start);
}

std::string describe(const httplib::Result& result) {
  if (!result) return "no answer: " + httplib::to_string(result.error());
  std::string code = xml_element(result->body, "Code");
  std::string message = xml_element(result->body, "Message");
  if (code.empty()) return fmt::format("HTTP {}", result->status);
  return fmt::format("HTTP {} {}: {}", result->status, code, message);
}

// Connection failures and 5xx (S3's 500 InternalError and 503 SlowDown) are worth a retry.
bool is_transient(const httplib::Result& result) {
  return !result || result->status >= 500;
}

}  // namespace

S3Client::S3Client(const S3StagingConfig& config)
    : bucket_(config.bucket),
      region_(config.region),
      credentials_{config.access_key_id, config.secret_access_key, config.session_token} {
  if (config.endpoint.empty()) {
    host_ = fmt::format("{}.s3.{}.amazonaws.com", bucket_, region_);
    base_url_ = "https://" + host_;
    path_prefix_ = "/";
  } else {
    std::string_view endpoint = config.endpoint;
    while (endpoint.ends_with('/')) endpoint.remove_suffix(1);
    base_url_ = std::string(endpoint);
    host_ = std::string(endpoint.substr(endpoint.find("://") + 3));
    path_prefix_ = "/" + uri_encode(bucket_, true) + "/";
  }
}

std::string S3Client::object_url(const std::string& key) const {
  return fmt::format("s3://{}/{}", bucket_, key);
}

Result<void> S3Client::put_object(const std::string& key, std::string_view body) {
  return send("PUT", key, body);
}

Result<void> S3Client::delete_object(const std::string& key) {
  return send("DELETE", key, "");
}

SigV4Request S3Client::signed_request(std::string_view method, const std::string& path,
                                      const std::string& payload_hash,
                                      const std::string& amz_date) const {
  SigV4Request request{std::string(method), path, "", {}, payload_hash};
  request.headers = {
      {"host", host_}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", amz_date}};
  if (!credentials_.session_token.empty())
    request.headers.emplace_back("x-amz-security-token", credentials_.session_token);
  return request;
}

Result<void> S3Client::send(std::string_view method, const std::string& key,
                            std::string_view body) {
  std::string path = path_prefix_ + uri_encode(key, false);
  std::string payload_hash = sha256_hex(body);
  std::chrono::milliseconds backoff = first_backoff_;
  std::string last_error;
  std::string last_code;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    std::string amz_date = amz_date_now();
    SigV4Request request = signed_request(method, path, payload_hash, amz_date);
    httplib::Headers headers(request.headers.begin(), request.headers.end());
    headers.emplace("Authorization",
                    authorization_header(request, credentials_, region_, "s3", amz_date));
    httplib::Client client(base_url_);
    client.set_url_encode(false);  // the path is already encoded, exactly as signed
    client.set_connection_timeout(std::chrono::seconds(10));
    client.set_read_timeout(std::chrono::seconds(120));
    client.set_write_timeout(std::chrono::seconds(120));
    httplib::Result result =
        method == "PUT" ? client.Put(path, headers, std::string(body), "application/octet-stream")
                        : client.Delete(path, headers);
    if (result && result->status >= 200 && result->status < 300) return {};
    // An S3-compatible store could echo a request header in its message.
    last_error = without_secrets(describe(result), credentials_);
    last_code = result ? xml_element(result->body, "Code") : "";
    if (!is_transient(result))
      return Error(Errc::kRefused,
                   fmt::format("s3: {} {}: {}", method, object_url(key), last_error), last_code);
    if (attempt < kAttempts) {
      spdlog::warn("s3: {} {}: {}; retrying in {} ms", method, object_url(key), last_error,
                   backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  return Error(Errc::kConnectionLost,
               fmt::format("s3: {} {}: {} (after {} attempts)", method, object_url(key), last_error,
                           kAttempts),
               last_code);
}

}  // namespace sluice::s3
