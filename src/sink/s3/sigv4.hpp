#pragma once
// AWS Signature Version 4 for S3 requests whose payload travels in a single chunk:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// Hashes and MACs come from OpenSSL's EVP interface.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::s3 {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;  // never printed
  std::string session_token;      // never printed; empty: long-term keys
};

// What the signature covers. Every header listed is signed, so it must be sent exactly so;
// it must include host, x-amz-date and x-amz-content-sha256.
struct SigV4Request {
  std::string method;
  std::string canonical_uri;    // the path as sent, already URI-encoded
  std::string canonical_query;  // sorted name=value pairs joined by &, already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // hex SHA-256 of the body
};

// `text` with the secret key and the session token replaced by "****", for messages that
// could quote them (a failed COPY statement, an S3-compatible store's error).
std::string without_secrets(std::string text, const AwsCredentials& credentials);

std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and '/' unless `encode_slash`).
std::string uri_encode(std::string_view text, bool encode_slash);
// The current UTC time as x-amz-date wants it: 20130524T000000Z.
std::string amz_date_now();

std::string canonical_request(const SigV4Request& request);
// The Authorization header value for `request` signed at `amz_date` (the x-amz-date value).
std::string authorization_header(const SigV4Request& request, const AwsCredentials& credentials,
                                 std::string_view region, std::string_view service,
                                 std::string_view amz_date);

}  // namespace sluice::s3
