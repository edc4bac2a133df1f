#include "source/mysql/binlog_table_map.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "source/mysql/mysql_type_mapping.hpp"

namespace sluice::mysql {
namespace {

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<uint8_t> fixture_table_map(std::string_view name) {
  std::ifstream in(std::filesystem::path(SLUICE_TEST_DATA) / "binlog/rows" / name);
  return from_hex(nlohmann::json::parse(in)["table_map"].get<std::string>());
}

const TableMapColumn& column(const TableMap& map, std::string_view name) {
  for (const TableMapColumn& c : map.columns)
    if (c.name == name) return c;
  throw std::runtime_error("no column " + std::string(name));
}

// Captured from MariaDB 10.11 with binlog_row_metadata=FULL.
TEST(BinlogTableMap, MariaDbEveryTypeMetadata) {
  TableMap map =
      parse_table_map(fixture_table_map("mariadb_every_type.json"), BinlogFlavor::kMariaDb);
  EXPECT_EQ(map.database, "sports");
  EXPECT_EQ(map.table, "every_type");
  ASSERT_EQ(map.columns.size(), 41u);
  EXPECT_EQ(map.primary_key, std::vector<size_t>{0});
  EXPECT_FALSE(column(map, "id").nullable);
  EXPECT_TRUE(column(map, "ti").nullable);
  EXPECT_EQ(column(map, "ti").is_unsigned, false);
  EXPECT_EQ(column(map, "bu").is_unsigned, true);
  EXPECT_EQ(column(map, "d1").precision, 12);
  EXPECT_EQ(column(map, "d1").scale, 4);
  EXPECT_EQ(column(map, "d2").precision, 30);
  EXPECT_EQ(column(map, "f").pack_length, 4);
  EXPECT_EQ(column(map, "b12").bit_width, 12);
  EXPECT_EQ(column(map, "b64").bit_width, 64);
  EXPECT_EQ(column(map, "tm3").fsp, 3);
  EXPECT_EQ(column(map, "ts").fsp, 6);
  EXPECT_EQ(column(map, "c").type, ColumnType::kString);
  EXPECT_EQ(column(map, "c").real_type, ColumnType::kString);
  EXPECT_EQ(column(map, "c").max_length, 40);
  EXPECT_EQ(column(map, "vc").max_length, 1200);
  EXPECT_EQ(column(map, "vc").collation, 45u);
  EXPECT_EQ(column(map, "vl").collation, 8u);
  EXPECT_EQ(column(map, "bl").collation, 63u);
  EXPECT_EQ(column(map, "tx").pack_length, 2);
  EXPECT_EQ(column(map, "bn").max_length, 4);
  EXPECT_EQ(column(map, "e").type, ColumnType::kString);
  EXPECT_EQ(column(map, "e").real_type, ColumnType::kEnum);
  EXPECT_EQ(column(map, "e").pack_length, 1);
  EXPECT_EQ(column(map, "e").value_names, (std::vector<std::string>{"Standard", "Premium", "VIP"}));
  EXPECT_EQ(column(map, "s").real_type, ColumnType::kSet);
  EXPECT_EQ(column(map, "s").value_names, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(column(map, "g").geometry_type, 0u);
  EXPECT_EQ(column(map, "p").geometry_type, 1u);
  EXPECT_EQ(column(map, "j").real_type, ColumnType::kBlob);
}

TEST(BinlogTableMap, WithoutOptionalMetadataOnlyTypesAreKnown) {
  TableMap map =
      parse_table_map(fixture_table_map("mariadb_latin1_no_metadata.json"), BinlogFlavor::kMariaDb);
  ASSERT_EQ(map.columns.size(), 5u);
  EXPECT_TRUE(map.columns[1].name.empty());
  EXPECT_FALSE(map.columns[1].collation.has_value());
  EXPECT_FALSE(map.columns[0].is_unsigned.has_value());
  EXPECT_TRUE(map.columns[3].value_names.empty());
  EXPECT_EQ(map.columns[3].real_type, ColumnType::kEnum);
  EXPECT_EQ(map.columns[4].real_type, ColumnType::kSet);
  EXPECT_TRUE(map.primary_key.empty());
}

// Hand-built MySQL 8 map: 4-byte-prefixed DEFAULT_CHARSET 255, an unknown TLV skipped.
TEST(BinlogTableMap, MySqlTicketMetadata) {
  TableMap map =
      parse_table_map(fixture_table_map("mysql8_v2_write_ticket.json"), BinlogFlavor::kMySql);
  EXPECT_EQ(map.table_id.value, 113u);
  EXPECT_EQ(column(map, "ticket_id").is_unsigned, true);
  EXPECT_EQ(column(map, "price").is_unsigned, false);
  EXPECT_EQ(column(map, "big").is_unsigned, false);
  EXPECT_FALSE(column(map, "made").is_unsigned.has_value());
  EXPECT_EQ(column(map, "seat").collation, 255u);
  EXPECT_EQ(column(map, "level").collation, 255u);
  EXPECT_EQ(column(map, "info").type, ColumnType::kJson);
  EXPECT_EQ(column(map, "info").pack_length, 4);
  EXPECT_EQ(column(map, "flags").bit_width, 3);
}

// SIGNEDNESS bits run over numeric columns only, and MariaDB counts YEAR among them.
TEST(BinlogTableMap, SignednessCountsYearOnlyOnMariaDb) {
  // db "d", table "t", columns YEAR, INT, INT, no metadata; SIGNEDNESS 0b0100'0000.
  std::vector<uint8_t> body = from_hex("0100000000000100016400017400030d03030007010140");
  TableMap mariadb = parse_table_map(body, BinlogFlavor::kMariaDb);
  EXPECT_EQ(mariadb.columns[0].is_unsigned, false);
  EXPECT_EQ(mariadb.columns[1].is_unsigned, true);
  EXPECT_EQ(mariadb.columns[2].is_unsigned, false);
  TableMap mysql = parse_table_map(body, BinlogFlavor::kMySql);
  EXPECT_FALSE(mysql.columns[0].is_unsigned.has_value());
  EXPECT_EQ(mysql.columns[1].is_unsigned, false);
  EXPECT_EQ(mysql.columns[2].is_unsigned, true);
}

TEST(BinlogTableMap, DefaultCharsetExceptionsApplyByCharacterColumnIndex) {
  // Columns INT, VARCHAR(10), CHAR(5), BLOB; DEFAULT_CHARSET 45 with character column 2
  // (the BLOB) at 63.
  std::vector<uint8_t> body =
      from_hex("020000000000010001640001740004030ffefc050a00fe05020e02032d023f");
  TableMap map = parse_table_map(body, BinlogFlavor::kMySql);
  EXPECT_FALSE(map.columns[0].collation.has_value());
  EXPECT_EQ(map.columns[1].collation, 45u);
  EXPECT_EQ(map.columns[2].collation, 45u);
  EXPECT_EQ(map.columns[3].collation, 63u);
  EXPECT_EQ(map.columns[1].max_length, 10);
  EXPECT_EQ(map.columns[2].max_length, 5);
  EXPECT_EQ(map.columns[3].pack_length, 2);
  EXPECT_EQ(map.columns[0].nullable, false);
  EXPECT_EQ(map.columns[1].nullable, true);
}

TEST(BinlogTableMap, StringMetadataCarriesHighLengthBits) {
  // CHAR(255) in utf8mb4 is 1020 bytes: b0 = 0xfe ^ ((1020 & 0x300) >> 4) = 0xce, b1 = 0xfc.
  std::vector<uint8_t> body = from_hex("030000000000010001640001740001fe02cefc01");
  TableMap map = parse_table_map(body, BinlogFlavor::kMySql);
  EXPECT_EQ(map.columns[0].real_type, ColumnType::kString);
  EXPECT_EQ(map.columns[0].max_length, 1020);
}

TEST(BinlogTableMap, MalformedInputNamesTheTable) {
  std::vector<uint8_t> body = fixture_table_map("mysql8_v2_write_ticket.json");
  body.resize(30);
  try {
    parse_table_map(body, BinlogFlavor::kMySql);
    FAIL() << "no error";
  } catch (const FatalError& e) {
    EXPECT_NE(std::string(e.what()).find("TABLE_MAP event for sports.ticket"), std::string::npos)
        << e.what();
  }
  std::vector<uint8_t> unknown_type = from_hex("030000000000010001640001740001f2000000");
  EXPECT_THROW(parse_table_map(unknown_type, BinlogFlavor::kMySql), FatalError);
}

TEST(MySqlTypeMapping, WarehouseTypesFromDeclaredTypes) {
  struct Case {
    const char* declared;
    const char* charset;
    LogicalType logical;
    const char* postgres;
    const char* redshift;
  };
  const Case cases[] = {
      {"tinyint(4)", "", LogicalType::kInt16, "smallint", "SMALLINT"},
      {"smallint(5) unsigned", "", LogicalType::kInt32, "integer", "INTEGER"},
      {"int(10) unsigned", "", LogicalType::kInt64, "bigint", "BIGINT"},
      {"bigint(20)", "", LogicalType::kInt64, "bigint", "BIGINT"},
      {"bigint(20) unsigned", "", LogicalType::kNumeric, "numeric(20,0)", "NUMERIC(20,0)"},
      {"decimal(12,4)", "", LogicalType::kNumeric, "numeric(12,4)", "NUMERIC(12,4)"},
      {"decimal(65,30)", "", LogicalType::kNumeric, "numeric(65,30)", "VARCHAR(67)"},
      {"float", "", LogicalType::kFloat32, "real", "REAL"},
      {"double", "", LogicalType::kFloat64, "double precision", "DOUBLE PRECISION"},
      {"bit(12)", "", LogicalType::kOther, "bit(12)", "VARCHAR(12)"},
      {"date", "", LogicalType::kDate, "date", "DATE"},
      {"time(3)", "", LogicalType::kOther, "interval", "VARCHAR(17)"},
      {"datetime(3)", "", LogicalType::kTimestamp, "timestamp(3) without time zone", "TIMESTAMP"},
      {"timestamp", "", LogicalType::kTimestampTz, "timestamp(0) with time zone", "TIMESTAMPTZ"},
      {"year(4)", "", LogicalType::kInt16, "smallint", "SMALLINT"},
      {"varchar(100)", "utf8mb4", LogicalType::kText, "text", "VARCHAR(400)"},
      {"longtext", "utf8mb4", LogicalType::kText, "text", "VARCHAR(65535)"},
      {"varbinary(16)", "", LogicalType::kBytes, "bytea", "VARBYTE(16)"},
      {"blob", "", LogicalType::kBytes, "bytea", "VARBYTE(1024000)"},
      {"enum('Standard','Premium')", "utf8mb4", LogicalType::kText, "text", "VARCHAR(8)"},
      {"set('a','bb')", "utf8mb4", LogicalType::kText, "text", "VARCHAR(5)"},
      {"json", "", LogicalType::kJson, "jsonb", "VARCHAR(65535)"},
      {"point", "", LogicalType::kOther, "text", "GEOMETRY"},
  };
  for (const Case& c : cases) {
    ColumnInfo info;
    info.declared_type = c.declared;
    info.charset = c.charset;
    WarehouseTypes types = warehouse_types(info);
    EXPECT_EQ(types.logical, c.logical) << c.declared;
    EXPECT_EQ(types.postgres, c.postgres) << c.declared;
    EXPECT_EQ(types.redshift, c.redshift) << c.declared;
  }
}

TEST(MySqlTypeMapping, BinlogColumnsMapLikeTheirDeclarations) {
  TableMap map =
      parse_table_map(fixture_table_map("mariadb_every_type.json"), BinlogFlavor::kMariaDb);
  EXPECT_EQ(warehouse_types(column(map, "bu"), nullptr).postgres, "numeric(20,0)");
  EXPECT_EQ(warehouse_types(column(map, "iu"), nullptr).postgres, "bigint");
  EXPECT_EQ(warehouse_types(column(map, "d2"), nullptr).postgres, "numeric(30,10)");
  EXPECT_EQ(warehouse_types(column(map, "dtm6"), nullptr).postgres,
            "timestamp(6) without time zone");
  EXPECT_EQ(warehouse_types(column(map, "ts"), nullptr).postgres, "timestamp(6) with time zone");
  EXPECT_EQ(warehouse_types(column(map, "tm"), nullptr).postgres, "interval");
  EXPECT_EQ(warehouse_types(column(map, "b12"), nullptr).postgres, "bit(12)");
  EXPECT_EQ(warehouse_types(column(map, "bl"), nullptr).postgres, "bytea");
  EXPECT_EQ(warehouse_types(column(map, "bn"), nullptr).redshift, "VARBYTE(4)");
  EXPECT_EQ(warehouse_types(column(map, "tx"), nullptr).postgres, "text");
  EXPECT_EQ(warehouse_types(column(map, "vl"), nullptr).redshift, "VARCHAR(60)");
  EXPECT_EQ(warehouse_types(column(map, "e"), nullptr).redshift, "VARCHAR(8)");
  // MariaDB JSON is LONGTEXT in the binlog; the declared type makes it jsonb.
  ColumnInfo json;
  json.declared_type = "json";
  EXPECT_EQ(warehouse_types(column(map, "j"), nullptr).postgres, "text");
  EXPECT_EQ(warehouse_types(column(map, "j"), &json).postgres, "jsonb");
}

TEST(MySqlTypeMapping, SchemaFillsWhatTheBinlogLacks) {
  TableMapColumn bare;
  bare.type = bare.real_type = ColumnType::kBlob;
  ColumnInfo info;
  info.declared_type = "blob";
  EXPECT_EQ(resolve_text_encoding(bare, nullptr), TextEncoding::kUtf8);
  EXPECT_EQ(resolve_text_encoding(bare, &info), TextEncoding::kBinary);
  info.declared_type = "text";
  info.charset = "latin1";
  EXPECT_EQ(resolve_text_encoding(bare, &info), TextEncoding::kLatin1);
  info.charset = "cp1251";
  EXPECT_EQ(resolve_text_encoding(bare, &info), TextEncoding::kConverted);
  // The source puts the binlog's own character set into the schema column; without one,
  // the collation id decides.
  info.charset.clear();
  bare.collation = 45;
  EXPECT_EQ(resolve_text_encoding(bare, &info), TextEncoding::kUtf8);
  bare.collation = 8;
  EXPECT_EQ(resolve_text_encoding(bare, &info), TextEncoding::kLatin1);

  TableMapColumn integer;
  integer.type = integer.real_type = ColumnType::kLong;
  ColumnInfo unsigned_int;
  unsigned_int.declared_type = "int(10) unsigned";
  EXPECT_FALSE(resolve_unsigned(integer, nullptr));
  EXPECT_TRUE(resolve_unsigned(integer, &unsigned_int));
  integer.is_unsigned = false;
  EXPECT_FALSE(resolve_unsigned(integer, &unsigned_int));
}

TEST(MySqlTypeMapping, ParsesDeclaredEnumAndSetValues) {
  EXPECT_EQ(parse_declared_values("enum('a','it''s','b,c')"),
            (std::vector<std::string>{"a", "it's", "b,c"}));
  EXPECT_EQ(parse_declared_values("SET('x')"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(parse_declared_values("varchar(10)").empty());
  EXPECT_EQ(encoding_of_collation(8), TextEncoding::kLatin1);
  EXPECT_EQ(encoding_of_collation(1032), TextEncoding::kLatin1);
  EXPECT_EQ(encoding_of_collation(63), TextEncoding::kBinary);
  EXPECT_EQ(encoding_of_collation(255), TextEncoding::kUtf8);
}

}  // namespace
}  // namespace sluice::mysql
