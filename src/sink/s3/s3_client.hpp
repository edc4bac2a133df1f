#pragma once
// PUT and DELETE of S3 objects, signed with Signature Version 4, over cpp-httplib. Requests
// that fail on the connection or with a 5xx are retried with exponential backoff; any
// other failure returns at once. Messages carry S3's error Code and Message, never the
// secret key, the session token or the Authorization header.

#include <chrono>
#include <string>
#include <string_view>

#include "config/pipeline_config.hpp"
#include "core/error.hpp"
#include "sink/s3/sigv4.hpp"

namespace sluice::s3 {

class S3Client {
 public:
  explicit S3Client(const S3StagingConfig& config);

  // kConnectionLost when S3 stays unreachable or keeps answering 5xx, kRefused on any
  // other answer that is not a success; server_code is S3's error Code, when it gave one.
  Result<void> put_object(const std::string& key, std::string_view body);
  Result<void> delete_object(const std::string& key);

  // "s3://bucket/key", as COPY and messages name an object.
  std::string object_url(const std::string& key) const;
  // The first retry waits this long; each one after waits twice as long as the last.
  void set_first_backoff(std::chrono::milliseconds backoff) { first_backoff_ = backoff; }

 private:
  Result<void> send(std::string_view method, const std::string& key, std::string_view body);
  SigV4Request signed_request(std::string_view method, const std::string& path,
                              const std::string& payload_hash, const std::string& amz_date) const;

  static constexpr int kAttempts = 5;
  std::string bucket_;
  std::string region_;
  AwsCredentials credentials_;
  std::string base_url_;     // scheme://host[:port] the requests go to
  std::string host_;         // the Host header: host[:port]
  std::string path_prefix_;  // "/" (virtual-host style) or "/bucket/" (path style)
  std::chrono::milliseconds first_backoff_{200};
};

}  // namespace sluice::s3
