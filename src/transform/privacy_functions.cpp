#include "transform/privacy_functions.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <cstring>
#include <stdexcept>

#include "transform/text_functions.hpp"

namespace sluice::transform {

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  if (md_ == nullptr || ctx_ == nullptr) throw std::runtime_error("OpenSSL SHA-256 unavailable");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

Sha256::Digest Sha256::digest(std::string_view data) {
  return digest2(data, {});
}

Sha256::Digest Sha256::digest2(std::string_view first, std::string_view second) {
  Digest out{};
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx_, md_, nullptr);
  EVP_DigestUpdate(ctx_, first.data(), first.size());
  if (!second.empty()) EVP_DigestUpdate(ctx_, second.data(), second.size());
  EVP_DigestFinal_ex(ctx_, out.data(), &len);
  return out;
}

HmacSha256::HmacSha256(std::string_view key) {
  constexpr size_t kBlock = 64;
  std::string k(key);
  if (k.size() > kBlock) {
    Sha256 sha;
    Sha256::Digest d = sha.digest(key);
    k.assign(reinterpret_cast<const char*>(d.data()), d.size());
  }
  k.resize(kBlock, '\0');
  inner_pad_ = k;
  outer_pad_ = k;
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad_[i] = static_cast<char>(inner_pad_[i] ^ 0x36);
    outer_pad_[i] = static_cast<char>(outer_pad_[i] ^ 0x5c);
  }
  std::memset(k.data(), 0, k.size());
}

HmacSha256::~HmacSha256() {
  std::memset(inner_pad_.data(), 0, inner_pad_.size());
  std::memset(outer_pad_.data(), 0, outer_pad_.size());
}

Sha256::Digest HmacSha256::mac(Sha256& sha, std::string_view data) const {
  Sha256::Digest inner = sha.digest2(inner_pad_, data);
  return sha.digest2(outer_pad_,
                     std::string_view(reinterpret_cast<const char*>(inner.data()), inner.size()));
}

std::string_view hex_digest(const Sha256::Digest& digest, ScratchArena& arena) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* out = arena.allocate(digest.size() * 2);
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return {out, digest.size() * 2};
}

std::string_view mask_digits(std::string_view s, ScratchArena& arena) {
  char* out = arena.allocate(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = (s[i] >= '0' && s[i] <= '9') ? '*' : s[i];
  return {out, s.size()};
}

std::string_view mask_keep_last(std::string_view s, int64_t keep_last, ScratchArena& arena) {
  int64_t chars = utf8_length(s);
  int64_t masked = chars > keep_last ? chars - keep_last : 0;
  // The kept tail starts after `masked` characters.
  std::string_view tail = *substring_text(s, masked + 1, std::nullopt);
  char* out = arena.allocate(static_cast<size_t>(masked) + tail.size());
  std::memset(out, '*', static_cast<size_t>(masked));
  if (!tail.empty()) std::memcpy(out + masked, tail.data(), tail.size());
  return {out, static_cast<size_t>(masked) + tail.size()};
}

std::string_view email_domain(std::string_view s, bool& found, ScratchArena& arena) {
  size_t at = s.rfind('@');
  found = at != std::string_view::npos;
  if (!found) return {};
  return lower_text(s.substr(at + 1), arena);
}

std::string mask_for_dead_letter(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // one '*' per multibyte character
    out.push_back((std::isalnum(c) != 0 || c >= 0x80) ? '*' : s[i]);
  }
  return out;
}

}  // namespace sluice::transform
