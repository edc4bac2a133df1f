#include "source/mysql/mysql_json.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

// tests/data/binlog/json/cases.json: binary JSON documents (hex) and their text.
nlohmann::json cases() {
  std::ifstream in(std::filesystem::path(SLUICE_TEST_DATA) / "binlog/json/cases.json");
  return nlohmann::json::parse(in);
}

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(MySqlJson, DecodesEveryCase) {
  nlohmann::json all = cases();
  ASSERT_GE(all["cases"].size(), 15u);
  for (const auto& c : all["cases"]) {
    std::string text = "prefix:";
    append_json_text(from_hex(c["binary"].get<std::string>()), text);
    EXPECT_EQ(text, "prefix:" + c["text"].get<std::string>()) << c["name"];
  }
}

TEST(MySqlJson, TextIsValidJson) {
  nlohmann::json all = cases();
  for (const auto& c : all["cases"]) {
    std::string text;
    append_json_text(from_hex(c["binary"].get<std::string>()), text);
    EXPECT_TRUE(nlohmann::json::accept(text)) << c["name"] << ": " << text;
  }
}

TEST(MySqlJson, RejectsMalformedDocuments) {
  nlohmann::json all = cases();
  for (const auto& c : all["errors"]) {
    std::string text;
    try {
      append_json_text(from_hex(c["binary"].get<std::string>()), text);
      ADD_FAILURE() << c["name"] << ": no error, got " << text;
    } catch (const FatalError& e) {
      EXPECT_NE(std::string(e.what()).find(c["error"].get<std::string>()), std::string::npos)
          << c["name"] << ": " << e.what();
    }
  }
}

TEST(MySqlJson, DeepNestingIsRejectedNotOverflowed) {
  // 1000 nested single-element small arrays, each pointing at the next.
  std::vector<uint8_t> doc = {0x02};
  for (int i = 0; i < 1000; ++i) {
    uint16_t size = static_cast<uint16_t>(7 + (1000 - i - 1) * 7 + 4);
    doc.insert(doc.end(), {0x01, 0x00, static_cast<uint8_t>(size), static_cast<uint8_t>(size >> 8),
                           0x02, 0x07, 0x00});
  }
  doc.insert(doc.end(), {0x00, 0x00, 0x04, 0x00});
  std::string text;
  EXPECT_THROW(append_json_text(doc, text), FatalError);
}

}  // namespace
}  // namespace sluice::mysql
