#pragma once
// Tokenizing and masking for personal data. A plain SHA-256 of an email or phone number
// is reversible by hashing a list of candidates, so hmac_sha256 with a secret key from
// the environment is the token to use when the value must stay unlinkable.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "transform/scratch_arena.hpp"

struct evp_md_st;
struct evp_md_ctx_st;

namespace sluice::transform {

inline constexpr std::string_view kRedactedMarker = "REDACTED";

// One reusable OpenSSL digest context, so hashing a value allocates nothing.
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Digest digest(std::string_view data);
  Digest digest2(std::string_view first, std::string_view second);

 private:
  evp_md_st* md_;
  evp_md_ctx_st* ctx_;
};

// HMAC-SHA-256 (RFC 2104) built on Sha256 with the padded key blocks prepared once.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  Sha256::Digest mac(Sha256& sha, std::string_view data) const;

 private:
  std::string inner_pad_;
  std::string outer_pad_;
};

// 64 lowercase hex characters in the arena.
std::string_view hex_digest(const Sha256::Digest& digest, ScratchArena& arena);

std::string_view mask_digits(std::string_view s, ScratchArena& arena);
// Every character but the last `keep_last` becomes '*'.
std::string_view mask_keep_last(std::string_view s, int64_t keep_last, ScratchArena& arena);
// The part after the last '@', lowercased; nullopt-like empty view with `found` false
// when there is no '@'.
std::string_view email_domain(std::string_view s, bool& found, ScratchArena& arena);
// Letters, digits and any non-ASCII character become '*', so a dead-lettered row shows
// its shape but no personal data.
std::string mask_for_dead_letter(std::string_view s);

}  // namespace sluice::transform
