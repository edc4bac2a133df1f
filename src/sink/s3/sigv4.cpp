#include "sink/s3/sigv4.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace sluice::s3 {
namespace {

std::string hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Header values are signed trimmed, with inner runs of spaces collapsed to one.
std::string trimmed(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::pair<std::string, std::string>> sorted_headers(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers)
    headers.emplace_back(lower(name), trimmed(value));
  std::ranges::sort(headers);
  return headers;
}

std::string signed_header_names(const SigV4Request& request) {
  std::string out;
  for (const auto& [name, value] : sorted_headers(request)) out += (out.empty() ? "" : ";") + name;
  return out;
}

}  // namespace

std::string without_secrets(std::string text, const AwsCredentials& credentials) {
  for (const std::string& secret : {credentials.secret_access_key, credentials.session_token}) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
      text.replace(at, secret.size(), "****");
  }
  return text;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return hex(digest, size);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, sizeof mac,
                &size) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string uri_encode(std::string_view text, bool encode_slash) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c == '/' && !encode_slash))
      out.push_back(ch);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string amz_date_now() {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y%m%dT%H%M%SZ}", now);
}

std::string canonical_request(const SigV4Request& request) {
  std::string headers;
  for (const auto& [name, value] : sorted_headers(request)) headers += name + ":" + value + "\n";
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, request.canonical_uri,
                     request.canonical_query, headers, signed_header_names(request),
                     request.payload_hash);
}

std::string authorization_header(const SigV4Request& request, const AwsCredentials& credentials,
                                 std::string_view region, std::string_view service,
                                 std::string_view amz_date) {
  std::string_view date = amz_date.substr(0, 8);
  std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  std::string string_to_sign = fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope,
                                           sha256_hex(canonical_request(request)));
  std::string key = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  std::string mac = hmac_sha256(key, string_to_sign);
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}",
                     credentials.access_key_id, scope, signed_header_names(request),
                     hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size()));
}

}  // namespace sluice::s3
