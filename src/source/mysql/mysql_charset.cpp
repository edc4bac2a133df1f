#include "source/mysql/mysql_charset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <span>

#include "core/error.hpp"
#include "source/mysql/binlog_value_text.hpp"

namespace sluice::mysql {

// Where MySQL's table for a single-byte character set differs from glibc's: the byte's
// character in MySQL (strings/ctype-extra.cc), 0 where MySQL leaves the byte unassigned.
struct ByteOverride {
  uint8_t byte;
  char32_t code;
};

// Where glibc decodes a multi-byte character to another code point than MySQL does.
struct CodeFixup {
  char32_t glibc;
  char32_t mysql;
};

struct CharsetSpec {
  std::string_view mysql_name;
  std::string_view iconv_name;
  bool single_byte = false;
  std::span<const ByteOverride> bytes;
  std::span<const CodeFixup> codes;
};

namespace {

constexpr ByteOverride kArmscii8[] = {
    {0xa1, 0x2741}, {0xa2, 0x00a7}, {0xad, 0x055f}, {0xfe, 0x2019}, {0xff, 0x0027}};
constexpr ByteOverride kCp1256[] = {{0x8a, 0}, {0x8f, 0}, {0x98, 0}, {0x9a, 0},
                                    {0x9f, 0}, {0xaa, 0}, {0xc0, 0}, {0xff, 0}};
constexpr ByteOverride kCp866[] = {{0xfc, 0x207f}, {0xfd, 0x00b2}};
constexpr ByteOverride kDec8[] = {{0xa0, 0x00a0}};
constexpr ByteOverride kGeostd8[] = {
    {0x80, 0x20ac}, {0x81, 0}, {0x83, 0}, {0x88, 0}, {0x8a, 0}, {0x8c, 0}, {0x8d, 0}, {0x8e, 0},
    {0x8f, 0},      {0x90, 0}, {0x98, 0}, {0x99, 0}, {0x9a, 0}, {0x9c, 0}, {0x9d, 0}, {0x9e, 0},
    {0x9f, 0},      {0xe6, 0}, {0xe7, 0}, {0xe8, 0}, {0xe9, 0}, {0xea, 0}, {0xeb, 0}, {0xec, 0},
    {0xed, 0},      {0xee, 0}, {0xef, 0}, {0xf0, 0}, {0xf1, 0}, {0xf2, 0}, {0xf3, 0}, {0xf4, 0},
    {0xf5, 0},      {0xf6, 0}, {0xf7, 0}, {0xf8, 0}, {0xf9, 0}, {0xfa, 0}, {0xfb, 0}, {0xfc, 0},
    {0xfd, 0x2116}, {0xfe, 0}, {0xff, 0}};
// MySQL's greek is ISO 8859-7:1987, glibc's the 2003 edition.
constexpr ByteOverride kGreek[] = {{0xa1, 0x02bd}, {0xa2, 0x02bc}, {0xa4, 0}, {0xa5, 0}, {0xaa, 0}};
constexpr ByteOverride kHebrew[] = {{0xaf, 0x203e}};
constexpr ByteOverride kKoi8u[] = {{0x95, 0x2022}};
constexpr ByteOverride kMacroman[] = {{0xc6, 0x2206}, {0xf0, 0xf8ff}};
constexpr ByteOverride kSwe7[] = {{0x24, 0x0024}, {0x7f, 0}};
constexpr ByteOverride kTis620[] = {{0xa0, 0xfffd}, {0xdb, 0xfffd}, {0xdc, 0xfffd},
                                    {0xdd, 0xfffd}, {0xde, 0xfffd}, {0xfc, 0xfffd},
                                    {0xfd, 0xfffd}, {0xfe, 0xfffd}, {0xff, 0xfffd}};

// glibc's SJIS is JIS X 0201 in its lower half (overline for '~'); MySQL's is ASCII.
constexpr CodeFixup kSjis[] = {{0x203e, 0x007e}, {0xff3c, 0x005c}};
// MySQL's ujis is EUC-JP-MS with JIS X 0208's own mappings for these seven.
constexpr CodeFixup kUjis[] = {{0xffe0, 0x00a2}, {0xffe1, 0x00a3}, {0xffe4, 0x00a6},
                               {0xffe2, 0x00ac}, {0x2225, 0x2016}, {0xff0d, 0x2212},
                               {0xff5e, 0x301c}};

// MySQL's character sets (SHOW CHARACTER SET) and the glibc tables that decode them as
// MySQL does, checked against the server's own conversion: every byte of each
// single-byte set, and every character of the Basic Multilingual Plane through each
// multi-byte set (tests/integration/mysql_charset_test.cpp). Left out, so refused:
// keybcs2 (glibc has no Kamenicky table), big5 (MySQL's ETEN extensions differ from every
// glibc Big5 table) and MySQL 8's gb18030 (no MySQL 8 server here to check it against).
constexpr CharsetSpec kCharsets[] = {
    {"armscii8", "ARMSCII-8", true, kArmscii8},
    {"ascii", "ASCII", true},
    {"cp1250", "CP1250", true},
    {"cp1251", "CP1251", true},
    {"cp1256", "CP1256", true, kCp1256},
    {"cp1257", "CP1257", true},
    {"cp850", "CP850", true},
    {"cp852", "CP852", true},
    {"cp866", "CP866", true, kCp866},
    {"cp932", "WINDOWS-31J"},
    {"dec8", "DEC-MCS", true, kDec8},
    {"eucjpms", "EUC-JP-MS"},
    {"euckr", "CP949"},  // MySQL's euckr decodes the Unified Hangul Code extension too
    {"gb2312", "EUC-CN"},
    {"gbk", "GBK"},
    {"geostd8", "GEORGIAN-PS", true, kGeostd8},
    {"greek", "ISO-8859-7", true, kGreek},
    {"hebrew", "ISO-8859-8", true, kHebrew},
    {"hp8", "HP-ROMAN8", true},
    {"koi8r", "KOI8-R", true},
    {"koi8u", "KOI8-U", true, kKoi8u},
    {"latin2", "ISO-8859-2", true},
    {"latin5", "ISO-8859-9", true},
    {"latin7", "ISO-8859-13", true},
    {"macce", "MAC-CENTRALEUROPE", true},
    {"macroman", "MACINTOSH", true, kMacroman},
    {"sjis", "SJIS", false, {}, kSjis},
    {"swe7", "ISO646-SE2", true, kSwe7},
    {"tis620", "ISO-8859-11", true, kTis620},
    {"ucs2", "UCS-2BE"},
    {"ujis", "EUC-JP-MS", false, {}, kUjis},
    {"utf16", "UTF-16BE"},
    {"utf16le", "UTF-16LE"},
    {"utf32", "UTF-32BE"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string hex_prefix(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, 8)) fmt::format_to(std::back_inserter(out), "{:02x}", c & 0xff);
  return out;
}

const CharsetSpec* spec_of(std::string_view charset) {
  for (const CharsetSpec& spec : kCharsets)
    if (spec.mysql_name == charset) return &spec;
  return nullptr;
}

// Appends one code point (below U+10000, as every override is) as UTF-8.
void append_code(char32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

iconv_t open_iconv(const CharsetSpec& spec) {
  iconv_t cd = iconv_open("UTF-8", std::string(spec.iconv_name).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw ConfigError(fmt::format("character set {}: this system's iconv lacks {}", spec.mysql_name,
                                  spec.iconv_name));
  return cd;
}

[[noreturn]] void throw_invalid(std::string_view bad, std::string_view charset) {
  throw FatalError(fmt::format("bytes {}{} are not valid {} text", hex_prefix(bad),
                               bad.size() > 8 ? "..." : "", charset));
}

}  // namespace

TextEncoding encoding_of_charset(std::string_view charset) {
  std::string name = lower(charset);
  if (name.empty() || name == "utf8mb4" || name == "utf8mb3" || name == "utf8")
    return TextEncoding::kUtf8;
  if (name == "latin1") return TextEncoding::kLatin1;
  if (name == "binary") return TextEncoding::kBinary;
  return TextEncoding::kConverted;
}

bool is_convertible_charset(std::string_view charset) {
  TextEncoding encoding = encoding_of_charset(charset);
  return encoding != TextEncoding::kConverted || spec_of(lower(charset)) != nullptr;
}

Utf8Converter::Utf8Converter(std::string_view charset)
    : charset_(lower(charset)), encoding_(encoding_of_charset(charset)) {
  if (encoding_ == TextEncoding::kBinary)
    throw ConfigError("the binary character set holds bytes, not text");
  if (encoding_ != TextEncoding::kConverted) return;
  spec_ = spec_of(charset_);
  if (spec_ == nullptr)
    throw ConfigError(fmt::format("character set {} has no conversion to UTF-8", charset_));
  iconv_ = open_iconv(*spec_);
  if (spec_->single_byte) build_byte_table();
  for (const CodeFixup& fixup : spec_->codes) {
    auto& [from, to] = fixups_.emplace_back();
    append_code(fixup.glibc, from);
    append_code(fixup.mysql, to);
  }
}

Utf8Converter::~Utf8Converter() {
  if (iconv_ != reinterpret_cast<iconv_t>(-1)) iconv_close(iconv_);
}

// A single-byte set converts through a table of all 256 bytes: glibc's, corrected where
// MySQL's differs.
void Utf8Converter::build_byte_table() {
  std::string utf8;
  for (int b = 0; b < 256; ++b) {
    utf8.clear();
    char byte = static_cast<char>(b);
    try {
      append_iconv(std::string_view(&byte, 1), utf8);
    } catch (const FatalError&) {
      utf8.clear();  // unassigned
    }
    set_byte(static_cast<uint8_t>(b), utf8);
  }
  for (const ByteOverride& o : spec_->bytes) {
    utf8.clear();
    if (o.code != 0) append_code(o.code, utf8);
    set_byte(o.byte, utf8);
  }
}

void Utf8Converter::set_byte(uint8_t byte, std::string_view utf8) {
  ByteText& entry = byte_table_[byte];
  entry.size = static_cast<uint8_t>(utf8.size());
  std::copy(utf8.begin(), utf8.end(), entry.text.begin());
}

void Utf8Converter::append(std::string_view bytes, std::string& out) {
  switch (encoding_) {
    case TextEncoding::kLatin1:
      detail::append_latin1_as_utf8(bytes, out);
      return;
    case TextEncoding::kConverted:
      if (spec_->single_byte)
        append_single_bytes(bytes, out);
      else
        append_multi_bytes(bytes, out);
      return;
    case TextEncoding::kUtf8:
    case TextEncoding::kBinary:
      out.append(bytes);
      return;
  }
}

void Utf8Converter::append_single_bytes(std::string_view bytes, std::string& out) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const ByteText& entry = byte_table_[static_cast<uint8_t>(bytes[i])];
    if (entry.size == 0) throw_invalid(bytes.substr(i), charset_);
    out.append(entry.text.data(), entry.size);
  }
}

void Utf8Converter::append_multi_bytes(std::string_view bytes, std::string& out) {
  size_t start = out.size();
  append_iconv(bytes, out);
  for (const auto& [from, to] : fixups_)
    for (size_t at = out.find(from, start); at != std::string::npos; at = out.find(from, at))
      out.replace(at, from.size(), to);
}

// Converts into `out`'s own storage, so a converter fed through one reused string
// allocates only while that string grows to the longest value.
void Utf8Converter::append_iconv(std::string_view bytes, std::string& out) {
  iconv(iconv_, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
  // Three UTF-8 bytes per input byte covers every MySQL character set (a single-byte
  // half-width katakana of sjis becomes three); E2BIG grows it should that ever be short.
  size_t used = out.size();
  out.resize(used + bytes.size() * 3 + 4);
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write there
  size_t in_left = bytes.size();
  while (in_left > 0) {
    char* to = out.data() + used;
    size_t to_left = out.size() - used;
    size_t result = iconv(iconv_, &in, &in_left, &to, &to_left);
    used = static_cast<size_t>(to - out.data());
    if (result != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    out.resize(used);
    throw_invalid(bytes.substr(bytes.size() - in_left), charset_);
  }
  out.resize(used);
}

}  // namespace sluice::mysql
