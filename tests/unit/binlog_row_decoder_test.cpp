#include "source/mysql/binlog_row_decoder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

// Fixtures in tests/data/binlog/rows/*.json: a TABLE_MAP body, rows event bodies (hex,
// common header and checksum stripped), optional schema columns, and the expected row
// images. A cell is a string, null for NULL, or {"unchanged": true}.
const std::filesystem::path kFixtureDir = std::filesystem::path(SLUICE_TEST_DATA) / "binlog/rows";

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

nlohmann::json load(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<ColumnInfo> columns_of(const nlohmann::json& fixture) {
  std::vector<ColumnInfo> columns;
  for (const auto& c : fixture.value("columns", nlohmann::json::array())) {
    ColumnInfo info;
    info.name = c.value("name", "");
    info.declared_type = c.value("declared_type", "");
    info.charset = c.value("charset", "");
    info.is_unsigned = c.value("unsigned", false);
    columns.push_back(std::move(info));
  }
  return columns;
}

BinlogFlavor flavor_of(const nlohmann::json& fixture) {
  return fixture.at("flavor") == "mysql" ? BinlogFlavor::kMySql : BinlogFlavor::kMariaDb;
}

RowsDecoder decoder_for(const nlohmann::json& fixture) {
  return RowsDecoder(
      parse_table_map(from_hex(fixture.at("table_map").get<std::string>()), flavor_of(fixture)),
      columns_of(fixture));
}

nlohmann::json cells(const Row& row) {
  if (row.empty()) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < row.size(); ++i) {
    switch (row.state(i)) {
      case CellState::kNull:
        out.push_back(nullptr);
        break;
      case CellState::kUnchanged:
        out.push_back({{"unchanged", true}});
        break;
      case CellState::kValue:
        out.push_back(std::string(row.text(i)));
        break;
    }
  }
  return out;
}

class RowsFixture : public testing::TestWithParam<std::string> {};

TEST_P(RowsFixture, DecodesToExpectedCells) {
  nlohmann::json fixture = load(kFixtureDir / GetParam());
  RowsDecoder decoder = decoder_for(fixture);
  nlohmann::json decoded = nlohmann::json::array();
  for (const auto& event : fixture.at("events")) {
    std::vector<uint8_t> body = from_hex(event.at("body").get<std::string>());
    decoder.begin(event.at("type").get<uint8_t>(), body);
    while (decoder.next_row())
      decoded.push_back({{"before", cells(decoder.before())}, {"after", cells(decoder.after())}});
  }
  const nlohmann::json& expected = fixture.at("rows");
  ASSERT_EQ(decoded.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    for (const char* image : {"before", "after"}) {
      const nlohmann::json& want = expected[i].at(image);
      const nlohmann::json& got = decoded[i].at(image);
      ASSERT_EQ(got.is_null(), want.is_null()) << "row " << i << " " << image;
      if (want.is_null()) continue;
      ASSERT_EQ(got.size(), want.size()) << "row " << i << " " << image;
      for (size_t c = 0; c < want.size(); ++c)
        EXPECT_EQ(got[c], want[c]) << "row " << i << " " << image << " column " << c;
    }
  }
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir))
    if (entry.path().extension() == ".json") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Binlog, RowsFixture, testing::ValuesIn(fixture_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(RowsFixtures, AreThere) {
  EXPECT_GE(fixture_names().size(), 7u);
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const FatalError& e) {
    return e.what();
  }
  return "no error";
}

nlohmann::json ticket_fixture() {
  return load(kFixtureDir / "mysql8_v2_write_ticket.json");
}

TEST(RowsDecoder, HeaderGivesTableIdKindAndStatementEnd) {
  nlohmann::json fixture = ticket_fixture();
  std::vector<uint8_t> body = from_hex(fixture["events"][0]["body"].get<std::string>());
  RowsEventHeader header = parse_rows_event_header(30, body);
  EXPECT_EQ(header.table_id.value, 113u);
  EXPECT_EQ(header.kind, RowsEventKind::kWrite);
  EXPECT_TRUE(header.statement_end());
  EXPECT_TRUE(is_rows_event(23));
  EXPECT_TRUE(is_rows_event(32));
  EXPECT_FALSE(is_rows_event(19));
  EXPECT_FALSE(is_rows_event(39));
}

TEST(RowsDecoder, TruncatedDecimalNamesTableAndColumn) {
  nlohmann::json fixture = ticket_fixture();
  RowsDecoder decoder = decoder_for(fixture);
  std::vector<uint8_t> body = from_hex(fixture["events"][0]["body"].get<std::string>());
  // Header (6+2+2+3 extra) + column count + bitmap + null bitmap + ticket_id + 3 of the
  // 6 DECIMAL bytes.
  body.resize(13 + 1 + 2 + 2 + 4 + 3);
  decoder.begin(30, body);
  std::string error = error_of([&] { decoder.next_row(); });
  EXPECT_NE(error.find("sports.ticket column price: DECIMAL value: truncated"), std::string::npos)
      << error;
}

TEST(RowsDecoder, RejectsEventsForAnotherTableOrColumnCount) {
  nlohmann::json fixture = ticket_fixture();
  RowsDecoder decoder = decoder_for(fixture);
  std::vector<uint8_t> body = from_hex(fixture["events"][0]["body"].get<std::string>());
  body[0] = 0x72;
  EXPECT_NE(error_of([&] { decoder.begin(30, body); }).find("table id 114"), std::string::npos);
  body[0] = 0x71;
  body[13] = 10;  // column count
  EXPECT_NE(error_of([&] { decoder.begin(30, body); }).find("10 columns"), std::string::npos);
  EXPECT_NE(error_of([&] { decoder.begin(166, body); }).find("unsupported rows event type 166"),
            std::string::npos);
}

TEST(RowsDecoder, EnumWithoutNamesIsAnErrorAtConstruction) {
  nlohmann::json fixture = load(kFixtureDir / "mariadb_latin1_no_metadata.json");
  TableMap map =
      parse_table_map(from_hex(fixture["table_map"].get<std::string>()), BinlogFlavor::kMariaDb);
  std::string error = error_of([&] { RowsDecoder decoder(map, {}); });
  EXPECT_NE(error.find("sports.latin_legacy column #4: no ENUM value names"), std::string::npos)
      << error;
}

TEST(RowsDecoder, SchemaWithOtherColumnCountIsRejected) {
  nlohmann::json fixture = load(kFixtureDir / "mariadb_latin1_no_metadata.json");
  TableMap map =
      parse_table_map(from_hex(fixture["table_map"].get<std::string>()), BinlogFlavor::kMariaDb);
  std::vector<ColumnInfo> columns = columns_of(fixture);
  columns.pop_back();
  EXPECT_NE(error_of([&] { RowsDecoder decoder(map, columns); }).find("the table changed"),
            std::string::npos);
}

TEST(RowsDecoder, EnumIndexBeyondNamesNamesTheColumn) {
  nlohmann::json fixture = load(kFixtureDir / "mariadb_latin1_no_metadata.json");
  RowsDecoder decoder = decoder_for(fixture);
  std::vector<uint8_t> body = from_hex(fixture["events"][0]["body"].get<std::string>());
  // Row 1 of the fixture: id(4) note(1+14) code(1+1) kind(1) tags(1) after a 10-byte
  // header and a 1-byte null bitmap; the ENUM index is at 10 + 1 + 4 + 15 + 2.
  ASSERT_EQ(body[32], 2);  // 'thé'
  body[32] = 9;
  decoder.begin(23, body);
  std::string error = error_of([&] { decoder.next_row(); });
  EXPECT_NE(error.find("column kind: ENUM value: ENUM index 9"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice::mysql
