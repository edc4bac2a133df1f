#include "copytext/copy_text_encoder.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string escaped(std::string_view value) {
  std::string out;
  append_copy_escaped(out, value);
  return out;
}

TEST(CopyTextEncoder, EscapesOnlyWhatCopyTextNeeds) {
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped(""), "");
  EXPECT_EQ(escaped("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  EXPECT_EQ(escaped("\\x00ff"), "\\\\x00ff");
  EXPECT_EQ(escaped("grüße 🎉"), "grüße 🎉");
  EXPECT_EQ(escaped("\\N"), "\\\\N");
}

TEST(CopyTextEncoder, NullMarker) {
  std::string out;
  append_copy_null(out);
  EXPECT_EQ(out, "\\N");
}

}  // namespace
}  // namespace sluice
