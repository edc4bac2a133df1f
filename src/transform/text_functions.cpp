#include "transform/text_functions.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sluice::transform {
namespace {

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

size_t char_length_at(std::string_view s, size_t i) {
  size_t n = 1;
  while (i + n < s.size() && is_continuation(s[i + n])) ++n;
  return n;
}

// Byte offset of character number `index` (0-based), or s.size() past the end.
size_t byte_offset(std::string_view s, int64_t index) {
  size_t i = 0;
  for (int64_t c = 0; c < index && i < s.size(); ++c) i += char_length_at(s, i);
  return std::min(i, s.size());
}

// Latin-1 letters are two UTF-8 bytes: C3 80..C3 9E upper, C3 A0..C3 BE lower; the
// case pair differs by 0x20 in the second byte (except the multiplication and division
// signs at C3 97 / C3 B7).
template <bool kLower>
std::string_view map_case(std::string_view s, ScratchArena& arena) {
  char* out = arena.allocate(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (kLower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (!kLower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    out[i] = c;
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < s.size()) {
      auto next = static_cast<unsigned char>(s[i + 1]);
      if (kLower && next >= 0x80 && next <= 0x9E && next != 0x97) next += 0x20;
      if (!kLower && next >= 0xA0 && next <= 0xBE && next != 0xB7) next -= 0x20;
      out[++i] = static_cast<char>(next);
    }
  }
  return {out, s.size()};
}

bool in_set(std::string_view set, std::string_view ch) {
  for (size_t i = 0; i < set.size(); i += char_length_at(set, i))
    if (set.substr(i, char_length_at(set, i)) == ch) return true;
  return false;
}

}  // namespace

int64_t utf8_length(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += is_continuation(c) ? 0 : 1;
  return n;
}

std::string_view lower_text(std::string_view s, ScratchArena& arena) {
  return map_case<true>(s, arena);
}

std::string_view upper_text(std::string_view s, ScratchArena& arena) {
  return map_case<false>(s, arena);
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view trim_text(std::string_view s, std::string_view chars, TrimSide side) {
  if (side != TrimSide::kTrailing) {
    while (!s.empty()) {
      size_t n = char_length_at(s, 0);
      if (!in_set(chars, s.substr(0, n))) break;
      s.remove_prefix(n);
    }
  }
  if (side != TrimSide::kLeading) {
    while (!s.empty()) {
      size_t start = s.size() - 1;
      while (start > 0 && is_continuation(s[start])) --start;
      if (!in_set(chars, s.substr(start))) break;
      s.remove_suffix(s.size() - start);
    }
  }
  return s;
}

std::optional<std::string_view> substring_text(std::string_view s, int64_t start,
                                               std::optional<int64_t> count) {
  if (count && *count < 0) return std::nullopt;
  // Characters before position 1 count against `count` but select nothing.
  int64_t first = std::max<int64_t>(start, 1);
  size_t begin = byte_offset(s, first - 1);
  if (!count) return s.substr(begin);
  int64_t end_char = start > INT64_MAX - *count ? INT64_MAX : start + *count;
  if (end_char <= first) return s.substr(begin, 0);
  size_t end = begin + byte_offset(s.substr(begin), end_char - first);
  return s.substr(begin, end - begin);
}

std::string_view replace_text(std::string_view s, std::string_view from, std::string_view to,
                              ScratchArena& arena) {
  if (from.empty() || s.find(from) == std::string_view::npos) return s;
  size_t count = 0;
  for (size_t p = s.find(from); p != std::string_view::npos; p = s.find(from, p + from.size()))
    ++count;
  size_t size = s.size() - count * from.size() + count * to.size();
  char* out = arena.allocate(size);
  size_t w = 0, r = 0;
  for (size_t p = s.find(from); p != std::string_view::npos; p = s.find(from, r)) {
    std::memcpy(out + w, s.data() + r, p - r);
    w += p - r;
    if (!to.empty()) std::memcpy(out + w, to.data(), to.size());
    w += to.size();
    r = p + from.size();
  }
  std::memcpy(out + w, s.data() + r, s.size() - r);
  return {out, size};
}

}  // namespace sluice::transform
