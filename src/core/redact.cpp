#include "core/redact.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sluice {
namespace {

constexpr std::string_view kMask = "****";

// A secret value's place in the connection string and what the client makes of it.
struct SecretSpan {
  size_t begin = 0;
  size_t end = 0;
  std::string decoded;
};

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_secret_key(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("password") != std::string::npos;
}

// The position of "://" when the string starts with a URL scheme, else npos.
size_t scheme_separator(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0 ||
      std::isalpha(static_cast<unsigned char>(text[0])) == 0)
    return std::string_view::npos;
  for (char c : text.substr(0, sep))
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.')
      return std::string_view::npos;
  return sep;
}

// Lenient: a '%' without two hex digits stays as it is, as a reader would take it.
std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

// user:password@ (up to the last '@' before the query) and every password-like query
// parameter.
std::vector<SecretSpan> url_spans(std::string_view url, size_t authority) {
  std::vector<SecretSpan> spans;
  size_t query = url.find('?', authority);
  size_t at = url.substr(0, query).rfind('@');
  if (at != std::string_view::npos && at >= authority) {
    size_t colon = url.find(':', authority);
    if (colon < at)
      spans.push_back({colon + 1, at, percent_decoded(url.substr(colon + 1, at - colon - 1))});
  }
  if (query == std::string_view::npos) return spans;
  for (size_t pos = query + 1; pos <= url.size();) {
    size_t amp = std::min(url.find('&', pos), url.size());
    std::string_view pair = url.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_secret_key(pair.substr(0, eq)))
      spans.push_back({pos + eq + 1, amp, percent_decoded(pair.substr(eq + 1))});
    pos = amp + 1;
  }
  return spans;
}

// One value of a key/value string as libpq reads it: up to white space, or between single
// quotes; a backslash takes the next character literally. Returns the end, or npos for
// an unterminated quote.
size_t read_value(std::string_view text, size_t pos, std::string& decoded) {
  bool quoted = pos < text.size() && text[pos] == '\'';
  if (quoted) ++pos;
  while (pos < text.size()) {
    char c = text[pos];
    if (!quoted && is_space(c)) return pos;
    if (quoted && c == '\'') return pos + 1;
    if (c == '\\' && pos + 1 < text.size()) c = text[++pos];
    decoded.push_back(c);
    ++pos;
  }
  return quoted ? std::string_view::npos : pos;
}

size_t skip_spaces(std::string_view text, size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  return pos;
}

// Every password-like key's value. Where the string stops parsing, the rest of it is
// a secret too: libpq's error would quote a piece of it, and it may be a password
// with an unquoted space.
std::vector<SecretSpan> keyword_spans(std::string_view text) {
  std::vector<SecretSpan> spans;
  auto malformed_from = [&](size_t from) {
    if (!spans.empty()) from = std::min(from, spans.front().begin);
    spans.assign(1, {from, text.size(), std::string(text.substr(from))});
    return spans;
  };
  for (size_t pos = skip_spaces(text, 0); pos < text.size(); pos = skip_spaces(text, pos)) {
    size_t key_begin = pos;
    while (pos < text.size() && text[pos] != '=' && !is_space(text[pos])) ++pos;
    std::string_view key = text.substr(key_begin, pos - key_begin);
    pos = skip_spaces(text, pos);
    if (pos >= text.size() || text[pos] != '=') return malformed_from(key_begin);
    size_t value_begin = skip_spaces(text, pos + 1);
    std::string decoded;
    pos = read_value(text, value_begin, decoded);
    if (pos == std::string_view::npos) return malformed_from(value_begin);
    if (is_secret_key(key)) spans.push_back({value_begin, pos, std::move(decoded)});
  }
  return spans;
}

std::vector<SecretSpan> secret_spans(std::string_view text) {
  size_t sep = scheme_separator(text);
  if (sep != std::string_view::npos) return url_spans(text, sep + 3);
  // Neither a URL nor key/value: perhaps a URL without its scheme (user:pw@host).
  if (text.find('=') == std::string_view::npos) return url_spans(text, 0);
  return keyword_spans(text);
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  std::vector<SecretSpan> spans = secret_spans(url);
  for (auto span = spans.rbegin(); span != spans.rend(); ++span)
    out.replace(span->begin, span->end - span->begin, kMask);
  return out;
}

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> secrets;
  for (const SecretSpan& span : secret_spans(url)) {
    secrets.emplace_back(url.substr(span.begin, span.end - span.begin));
    secrets.push_back(span.decoded);
    secrets.push_back(percent_encoded(span.decoded));
  }
  return secrets;
}

std::string scrub_secrets(std::string text, std::vector<std::string> secrets) {
  // Longest first: a decoded secret can be part of the written one.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) {
    if (secret.size() < 2) continue;
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + kMask.size()))
      text.replace(at, secret.size(), kMask);
  }
  return text;
}

}  // namespace sluice
