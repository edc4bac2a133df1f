#pragma once
// MySQL character sets to UTF-8. The binlog carries a string in its column's own
// character set, and the snapshot reads the same bytes unconverted
// (character_set_results = binary), so both paths turn them into UTF-8 with the same
// converter and cannot disagree. docs/mysql-types.md lists the character sets.

#include <iconv.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::mysql {

// How the bytes of a character or binary column become text.
enum class TextEncoding : uint8_t {
  kUtf8,       // utf8mb4, utf8mb3: copied verbatim
  kLatin1,     // MySQL's latin1, which is Windows-1252: converted to UTF-8 by hand
  kConverted,  // every other character set: converted to UTF-8 with glibc's tables
  kBinary,     // BINARY, VARBINARY, BLOB: PostgreSQL bytea hex text
};

// The encoding of a character set as information_schema names it ("cp1251"; any case).
// An empty name (a column without a character set) is kUtf8.
TextEncoding encoding_of_charset(std::string_view charset);

// True when sluice can turn text of `charset` into UTF-8.
bool is_convertible_charset(std::string_view charset);

struct CharsetSpec;

// Turns the bytes of one character set into UTF-8 exactly as the MySQL server does. Keeps
// its iconv descriptor (or, for a single-byte set, a 256-entry table) for its lifetime:
// build one per column, not per value.
class Utf8Converter {
 public:
  // Throws ConfigError when `charset` is not convertible.
  explicit Utf8Converter(std::string_view charset);
  ~Utf8Converter();
  Utf8Converter(const Utf8Converter&) = delete;
  Utf8Converter& operator=(const Utf8Converter&) = delete;

  const std::string& charset() const { return charset_; }
  // Appends `bytes` as UTF-8. Throws FatalError naming the character set and the offending
  // bytes when `bytes` is not valid in it.
  void append(std::string_view bytes, std::string& out);

 private:
  struct ByteText {
    uint8_t size = 0;  // 0: a byte MySQL leaves unassigned
    std::array<char, 3> text{};
  };

  void build_byte_table();
  void set_byte(uint8_t byte, std::string_view utf8);
  void append_single_bytes(std::string_view bytes, std::string& out);
  void append_multi_bytes(std::string_view bytes, std::string& out);
  void append_iconv(std::string_view bytes, std::string& out);

  std::string charset_;
  TextEncoding encoding_ = TextEncoding::kUtf8;
  const CharsetSpec* spec_ = nullptr;
  iconv_t iconv_ = reinterpret_cast<iconv_t>(-1);
  std::array<ByteText, 256> byte_table_{};
  std::vector<std::pair<std::string, std::string>> fixups_;  // glibc's UTF-8 -> MySQL's
};

}  // namespace sluice::mysql
