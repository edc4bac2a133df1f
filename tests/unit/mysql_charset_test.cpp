#include "source/mysql/mysql_charset.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

std::string utf8_of(std::string_view charset, std::string_view bytes) {
  Utf8Converter converter(charset);
  std::string out;
  converter.append(bytes, out);
  return out;
}

TEST(MySqlCharset, ConvertsSingleAndMultiByteSets) {
  EXPECT_EQ(utf8_of("cp1251", "\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет");
  EXPECT_EQ(utf8_of("latin1", "caf\xe9 \x80"), "café €");
  EXPECT_EQ(utf8_of("gbk", "\xd6\xd0\xce\xc4"), "中文");
  EXPECT_EQ(utf8_of("utf16", std::string_view("\x00\x41\xd8\x3d\xde\x00", 6)), "A😀");
  EXPECT_EQ(utf8_of("UCS2", std::string_view("\x04\x16", 2)), "Ж");
  EXPECT_EQ(utf8_of("utf8mb4", "as is \xff"), "as is \xff");
}

TEST(MySqlCharset, FollowsMySqlWhereGlibcDiffers) {
  EXPECT_EQ(utf8_of("sjis", "~\x81\x5f"), "~\\");  // glibc: overline, fullwidth backslash
  EXPECT_EQ(utf8_of("hebrew", "\xaf"), "‾");
  EXPECT_EQ(utf8_of("greek", "\xa1"), "ʽ");
}

TEST(MySqlCharset, InvalidBytesAreAnErrorNamingTheCharset) {
  Utf8Converter cp1256("cp1256");
  std::string out;
  EXPECT_THROW(
      {
        try {
          cp1256.append("ok\x8a", out);
        } catch (const FatalError& e) {
          EXPECT_STREQ(e.what(), "bytes 8a are not valid cp1256 text");
          throw;
        }
      },
      FatalError);
  Utf8Converter gbk("gbk");
  EXPECT_THROW(gbk.append("\xd6", out), FatalError);  // a lead byte without its trail
  out.clear();
  gbk.append("\xd6\xd0", out);  // the descriptor is usable after a failure
  EXPECT_EQ(out, "中");
}

TEST(MySqlCharset, RefusesSetsWithoutAFaithfulConversion) {
  EXPECT_FALSE(is_convertible_charset("keybcs2"));
  EXPECT_FALSE(is_convertible_charset("big5"));
  EXPECT_TRUE(is_convertible_charset("cp1251"));
  EXPECT_TRUE(is_convertible_charset("binary"));
  EXPECT_TRUE(is_convertible_charset(""));
  EXPECT_THROW(Utf8Converter("keybcs2"), ConfigError);
}

}  // namespace
}  // namespace sluice::mysql
