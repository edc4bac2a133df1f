// Compressed binlog events: MariaDB's (a real server's bytes, and constructed ones) and
// MySQL 8's TRANSACTION_PAYLOAD (constructed: no MySQL server here), plus the event
// types that must stop the pipeline.

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "source/mysql/binlog_compression.hpp"
#include "source/mysql/binlog_event_types.hpp"
#include "source/mysql/binlog_query_event.hpp"
#include "source/mysql/binlog_row_decoder.hpp"
#include "source/mysql/mysql_admin.hpp"

namespace sluice::mysql {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

void append(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

void append_le(Bytes& out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// MariaDB's compressed part: header byte, big-endian length, zlib stream.
Bytes zlib_part(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  Bytes stream(size);
  EXPECT_EQ(compress(stream.data(), &size, reinterpret_cast<const Bytef*>(data.data()),
                     static_cast<uLong>(data.size())),
            Z_OK);
  stream.resize(size);
  Bytes out;
  size_t length_bytes = data.size() > 0xffff ? 3 : data.size() > 0xff ? 2 : 1;
  out.push_back(static_cast<uint8_t>(0x80 | length_bytes));
  for (size_t i = length_bytes; i > 0; --i)
    out.push_back(static_cast<uint8_t>(data.size() >> (8 * (i - 1))));
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

// A query event body up to its statement: thread id, time, database length, error code,
// no status variables, the database and its NUL.
Bytes query_prefix(std::string_view database) {
  Bytes body;
  append_le(body, 5, 4);
  append_le(body, 0, 4);
  body.push_back(static_cast<uint8_t>(database.size()));
  append_le(body, 0, 2);
  append_le(body, 0, 2);
  append(body, database);
  body.push_back(0);
  return body;
}

// TABLE_MAP of db.t (id INT, v VARCHAR(100) in a one-byte character set).
Bytes table_map_body(uint64_t table_id) {
  Bytes body;
  append_le(body, table_id, 6);
  append_le(body, 1, 2);
  body.push_back(2);
  append(body, "db");
  body.push_back(0);
  body.push_back(1);
  append(body, "t");
  body.push_back(0);
  body.push_back(2);   // columns
  body.push_back(3);   // LONG
  body.push_back(15);  // VARCHAR
  body.push_back(2);   // metadata length
  append_le(body, 100, 2);
  body.push_back(0x02);  // nullability
  return body;
}

// One event as it lies in a TRANSACTION_PAYLOAD: common header (length counting header
// and body, no checksum), then the body.
Bytes event(uint8_t type, const Bytes& body) {
  Bytes out;
  append_le(out, 1700000000, 4);
  out.push_back(type);
  append_le(out, 1, 4);
  append_le(out, 19 + body.size(), 4);
  append_le(out, 0, 4);
  append_le(out, 0, 2);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// WRITE_ROWS v2 of one row (id, v) for table map `table_id`.
Bytes write_rows_v2_body(uint64_t table_id, uint32_t id, std::string_view v) {
  Bytes body;
  append_le(body, table_id, 6);
  append_le(body, 1, 2);  // STMT_END_F
  append_le(body, 2, 2);  // extra data: only its own length
  body.push_back(2);
  body.push_back(0x03);
  body.push_back(0x00);  // null bitmap
  append_le(body, id, 4);
  body.push_back(static_cast<uint8_t>(v.size()));
  append(body, v);
  return body;
}

void append_lenenc_field(Bytes& out, uint64_t type, uint64_t value) {
  out.push_back(static_cast<uint8_t>(type));
  if (value < 251) {
    out.push_back(1);
    out.push_back(static_cast<uint8_t>(value));
  } else {
    out.push_back(4);
    out.push_back(0xfd);
    append_le(out, value, 3);
  }
}

Bytes payload_body(const Bytes& events, uint64_t compression) {
  Bytes payload = events;
  if (compression == 0) {
    payload.resize(ZSTD_compressBound(events.size()));
    size_t size = ZSTD_compress(payload.data(), payload.size(), events.data(), events.size(), 3);
    EXPECT_FALSE(ZSTD_isError(size));
    payload.resize(size);
  }
  Bytes body;
  append_lenenc_field(body, 1, payload.size());
  append_lenenc_field(body, 2, compression);
  append_lenenc_field(body, 3, events.size());
  body.push_back(0);  // end of the header
  body.insert(body.end(), payload.begin(), payload.end());
  return body;
}

struct UnpackedEvent {
  uint8_t type;
  Bytes body;
};

std::vector<UnpackedEvent> split_events(const Bytes& events) {
  std::vector<UnpackedEvent> out;
  for (size_t at = 0; at < events.size();) {
    uint32_t length = static_cast<uint32_t>(events[at + 9] | events[at + 10] << 8 |
                                            events[at + 11] << 16 | events[at + 12] << 24);
    out.push_back({events[at + 4], Bytes(events.begin() + static_cast<ptrdiff_t>(at + 19),
                                         events.begin() + static_cast<ptrdiff_t>(at + length))});
    at += length;
  }
  return out;
}

// UPDATE_ROWS_COMPRESSED_EVENT_V1 (167) as MariaDB 10.11 wrote it (log_bin_compress=ON,
// log_bin_compress_min_len=10) for `UPDATE a SET v = CONCAT(v, ' updated and more text')
// WHERE id < 5` on t.a (id INT PRIMARY KEY, v VARCHAR(100)) in latin1, table id 18;
// common header and checksum stripped.
constexpr std::string_view kRealCompressedUpdate =
    "120000000000010002030381b0789cfbc3c8c0c0c05a945fae60f807c4940633154a0b52124b52531412f352"
    "1472f38b52154a522b4afe30c1d41a819960b54638d432c3d41a839960b5c638d4b2c0d49a809960b526d8d502"
    "0035ea3611";

TEST(MariaDbCompressedEvent, RealUpdateRowsInflateToTheRowsTheServerChanged) {
  EXPECT_EQ(plain_type_of_compressed(167), std::optional<uint8_t>(24));
  Bytes body = uncompress_event_body(167, from_hex(kRealCompressedUpdate));
  Bytes map = table_map_body(18);
  RowsDecoder decoder(parse_table_map(map, BinlogFlavor::kMariaDb), {});
  decoder.begin(24, body);
  for (int id = 1; id <= 4; ++id) {
    ASSERT_TRUE(decoder.next_row()) << id;
    EXPECT_EQ(decoder.kind(), RowsEventKind::kUpdate);
    EXPECT_EQ(decoder.before().text(0), std::to_string(id));
    EXPECT_EQ(decoder.before().text(1), "row " + std::to_string(id));
    EXPECT_EQ(decoder.after().text(1), "row " + std::to_string(id) + " updated and more text");
  }
  EXPECT_FALSE(decoder.next_row());
}

TEST(MariaDbCompressedEvent, QueryInflatesToItsStatementAndKeepsTheDatabase) {
  std::string statement = "ALTER TABLE wide ADD COLUMN extra VARCHAR(40) " + std::string(300, ' ');
  Bytes compressed = query_prefix("shop");
  Bytes part = zlib_part(statement);
  ASSERT_EQ(part[0], 0x82);  // two length bytes, big-endian
  compressed.insert(compressed.end(), part.begin(), part.end());
  EXPECT_EQ(plain_type_of_compressed(165), std::optional<uint8_t>(2));
  Bytes body = uncompress_event_body(165, compressed);
  QueryEvent query = parse_query_event(body);
  EXPECT_EQ(query.database, "shop");
  EXPECT_EQ(query.statement, statement);
}

TEST(MariaDbCompressedEvent, WriteRowsV2KeepsItsExtraDataAndBitmapUncompressed) {
  Bytes plain = write_rows_v2_body(7, 42, "forty-two");
  size_t prefix = 6 + 2 + 2 + 1 + 1;
  Bytes compressed(plain.begin(), plain.begin() + static_cast<ptrdiff_t>(prefix));
  std::string rows(plain.begin() + static_cast<ptrdiff_t>(prefix), plain.end());
  Bytes part = zlib_part(rows);
  compressed.insert(compressed.end(), part.begin(), part.end());
  EXPECT_EQ(plain_type_of_compressed(169), std::optional<uint8_t>(30));
  EXPECT_EQ(uncompress_event_body(169, compressed), plain);
}

TEST(MariaDbCompressedEvent, OtherAlgorithmsAndBrokenStreamsAreErrors) {
  Bytes compressed = query_prefix("");
  Bytes part = zlib_part("SELECT 1 FROM somewhere");
  compressed.insert(compressed.end(), part.begin(), part.end());
  Bytes other_algorithm = compressed;
  other_algorithm[query_prefix("").size()] |= 0x10;
  EXPECT_THROW(uncompress_event_body(165, other_algorithm), FatalError);
  Bytes truncated(compressed.begin(), compressed.end() - 3);
  EXPECT_THROW(uncompress_event_body(165, truncated), FatalError);
  EXPECT_FALSE(plain_type_of_compressed(23).has_value());
}

// A corrupt length field must not size an allocation: deflate cannot expand 10 bytes
// into 16 MB.
TEST(MariaDbCompressedEvent, ALengthBeyondDeflatesRatioIsAnErrorBeforeAnyAllocation) {
  Bytes compressed = query_prefix("");
  Bytes claims_16_mb = {0x83, 0xff, 0xff, 0xff, 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
  compressed.insert(compressed.end(), claims_16_mb.begin(), claims_16_mb.end());
  try {
    uncompress_event_body(165, compressed);
    ADD_FAILURE() << "no error";
  } catch (const FatalError& e) {
    EXPECT_NE(std::string(e.what()).find("from 8 compressed"), std::string::npos) << e.what();
  }
}

Bytes transaction_events() {
  Bytes events = event(2, [] {
    Bytes begin = query_prefix("db");
    append(begin, "BEGIN");
    return begin;
  }());
  Bytes map = event(19, table_map_body(9));
  Bytes rows = event(30, write_rows_v2_body(9, 7, "seven"));
  Bytes xid = event(16, Bytes{1, 0, 0, 0, 0, 0, 0, 0});
  for (const Bytes* e : {&map, &rows, &xid}) events.insert(events.end(), e->begin(), e->end());
  return events;
}

TEST(MySqlTransactionPayload, ZstdPayloadUnpacksIntoItsOrdinaryEvents) {
  Bytes events = transaction_events();
  Bytes unpacked = uncompress_transaction_payload(payload_body(events, 0));
  ASSERT_EQ(unpacked, events);
  std::vector<UnpackedEvent> split = split_events(unpacked);
  ASSERT_EQ(split.size(), 4u);
  EXPECT_EQ(parse_query_event(split[0].body).statement, "BEGIN");
  RowsDecoder decoder(parse_table_map(split[1].body, BinlogFlavor::kMySql), {});
  ASSERT_EQ(split[2].type, 30);
  decoder.begin(split[2].type, split[2].body);
  ASSERT_TRUE(decoder.next_row());
  EXPECT_EQ(decoder.after().text(0), "7");
  EXPECT_EQ(decoder.after().text(1), "seven");
  EXPECT_FALSE(decoder.next_row());
  EXPECT_EQ(split[3].type, 16);
}

TEST(MySqlTransactionPayload, UncompressedPayloadAndUnknownCompression) {
  Bytes events = transaction_events();
  EXPECT_EQ(uncompress_transaction_payload(payload_body(events, 255)), events);
  EXPECT_THROW(uncompress_transaction_payload(payload_body(events, 7)), FatalError);
  Bytes corrupt = payload_body(events, 0);
  corrupt[corrupt.size() - 5] ^= 0xff;
  EXPECT_THROW(uncompress_transaction_payload(corrupt), FatalError);
}

// binlog_row_value_options=PARTIAL_JSON: the JSON update inside a payload is a
// PARTIAL_UPDATE_ROWS event, which sluice refuses.
TEST(UnhandledBinlogEvent, PartialUpdateRowsInAPayloadStopsNamingTheSetting) {
  Bytes events = event(39, write_rows_v2_body(9, 1, "x"));
  std::vector<UnpackedEvent> split =
      split_events(uncompress_transaction_payload(payload_body(events, 0)));
  ASSERT_EQ(split.size(), 1u);
  EXPECT_FALSE(is_rows_event(split[0].type));
  std::optional<std::string> problem = unhandled_event_problem(split[0].type, 0);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("binlog_row_value_options"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("PARTIAL_UPDATE_ROWS"), std::string::npos) << *problem;
}

TEST(UnhandledBinlogEvent, UnknownTypesStopUnlessTheServerMarkedThemIgnorable) {
  constexpr uint16_t kIgnorable = 0x80;
  std::optional<std::string> unknown = unhandled_event_problem(200, 0);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_NE(unknown->find("type 200"), std::string::npos) << *unknown;
  EXPECT_FALSE(unhandled_event_problem(200, kIgnorable).has_value());
  for (uint8_t rows_type : {20, 21, 22, 26, 18}) {
    EXPECT_TRUE(unhandled_event_problem(rows_type, kIgnorable).has_value()) << int{rows_type};
  }
  for (uint8_t harmless : {15, 27, 35, 160, 161, 163}) {
    EXPECT_FALSE(unhandled_event_problem(harmless, 0).has_value()) << int{harmless};
  }
}

// A tagged GTID's group may hold changes: sluice stops on it rather than lose its GTID.
TEST(UnhandledBinlogEvent, TaggedGtidStopsNamingTheSetting) {
  std::optional<std::string> problem = unhandled_event_problem(42, 0x80);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("tagged GTID"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("gtid_next"), std::string::npos) << *problem;
}

TEST(SourceCheck, PartialJsonRowValueOptionsIsRefused) {
  std::optional<std::string> problem = row_value_options_problem("PARTIAL_JSON");
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("binlog_row_value_options"), std::string::npos) << *problem;
  EXPECT_FALSE(row_value_options_problem("").has_value());
}

}  // namespace
}  // namespace sluice::mysql
