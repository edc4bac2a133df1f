// The pgoutput decoder on messages captured from PostgreSQL 15 (tests/data/pgoutput, where
// the README says what each file holds and capture.sh how it was made).
#include "source/postgres/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sluice::pg {
namespace {

using Message = std::vector<uint8_t>;

const std::filesystem::path kDir = std::filesystem::path(SLUICE_TEST_DATA) / "pgoutput";
constexpr RelationId kOrders{16384};  // the relids PostgreSQL gave the captured tables
constexpr RelationId kTyped{16391};

// The messages of one captured transaction, in the order PostgreSQL sent them.
std::vector<Message> captured(const std::string& name) {
  std::ifstream in(kDir / (name + ".hex"));
  if (!in) throw std::runtime_error("no fixture " + name + ".hex");
  std::vector<Message> messages;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with('#')) continue;
    Message& m = messages.emplace_back();
    for (size_t i = 0; i + 1 < line.size(); i += 2)
      m.push_back(static_cast<uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
  }
  return messages;
}

// A decoder fed whole captured transactions; `kinds` and `changes` record what came out.
struct Replay {
  PgOutputDecoder decoder;
  std::vector<MessageKind> kinds;
  std::vector<Change> changes;

  Replay& feed(const std::string& name) {
    for (const Message& m : captured(name)) {
      Change change;
      kinds.push_back(decoder.decode(m, change));
      if (kinds.back() == MessageKind::kRowChange) changes.push_back(change);
    }
    return *this;
  }
};

std::vector<std::optional<std::string>> cells(const Row& row) {
  std::vector<std::optional<std::string>> out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row.is_unchanged(i)) {
      out.emplace_back("(unchanged)");
    } else if (row.is_null(i)) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::string(row.text(i)));
    }
  }
  return out;
}

using Cells = std::vector<std::optional<std::string>>;

TEST(PgOutputDecoder, RelationBuildsSchemaWithTypesAndKey) {
  Replay replay;
  replay.feed("orders_insert");
  TableSchemaPtr table = replay.decoder.table(kOrders);
  ASSERT_EQ(table->columns.size(), 3u);
  EXPECT_EQ(table->qualified_name(), "public.orders");
  EXPECT_TRUE(table->columns[0].is_key);
  EXPECT_FALSE(table->columns[1].is_key);
  EXPECT_FALSE(table->columns[2].is_key);
  EXPECT_EQ(table->columns[0].warehouse_type, "integer");
  EXPECT_EQ(table->columns[1].warehouse_type, "numeric(12,4)");
  EXPECT_EQ(table->columns[1].type, LogicalType::kNumeric);
  EXPECT_EQ(table->columns[2].warehouse_type, "text");
}

TEST(PgOutputDecoder, BeginAndCommitCarryPositionsAndUnixTime) {
  std::vector<Message> messages = captured("orders_insert");
  PgOutputDecoder decoder;
  Change change;
  EXPECT_EQ(decoder.decode(messages.front(), change), MessageKind::kBegin);
  // The values in the file's header: xid 735, committed 2026-12-02 07:54:40.195616+00.
  EXPECT_EQ(decoder.transaction().xid, 735u);
  EXPECT_EQ(decoder.transaction().commit_time_us, 1'796'198'080'195'616);
  EXPECT_EQ(decoder.transaction().final_lsn, Lsn{0x15424f0});
  EXPECT_EQ(decoder.decode(messages.back(), change), MessageKind::kCommit);
  EXPECT_EQ(decoder.transaction().end_lsn, Lsn{0x1542520});
}

TEST(PgOutputDecoder, InsertCarriesValuesAndNulls) {
  Replay replay;
  replay.feed("orders_insert");
  EXPECT_EQ(replay.kinds, (std::vector{MessageKind::kBegin, MessageKind::kRelation,
                                       MessageKind::kRowChange, MessageKind::kCommit}));
  const Change& insert = replay.changes.at(0);
  EXPECT_EQ(insert.op, Op::kInsert);
  EXPECT_EQ(insert.table, replay.decoder.table(kOrders));
  EXPECT_EQ(cells(insert.after), (Cells{"1", "-12.5000", std::nullopt}));
  EXPECT_TRUE(insert.before.empty());
}

TEST(PgOutputDecoder, UpdateOfTheKeyCarriesTheOldKey) {
  Replay replay;
  replay.feed("orders_update_key");
  const Change& update = replay.changes.at(0);
  EXPECT_EQ(update.op, Op::kUpdate);
  EXPECT_EQ(cells(update.before), (Cells{"1", std::nullopt, std::nullopt}));
  EXPECT_EQ(cells(update.after), (Cells{"2", "3.0000", std::nullopt}));
}

TEST(PgOutputDecoder, UpdateLeavingAToastedValueMarksItUnchanged) {
  Replay replay;
  replay.feed("orders_update_unchanged_toast");
  const Change& update = replay.changes.at(0);
  EXPECT_EQ(update.op, Op::kUpdate);
  EXPECT_TRUE(update.before.empty());  // the key did not change: no old image
  EXPECT_EQ(cells(update.after), (Cells{"3", "2.0000", "(unchanged)"}));
  EXPECT_TRUE(update.after.is_unchanged(2));
}

TEST(PgOutputDecoder, DeleteCarriesTheKey) {
  Replay replay;
  replay.feed("orders_delete");
  const Change& remove = replay.changes.at(0);
  EXPECT_EQ(remove.op, Op::kDelete);
  EXPECT_EQ(cells(remove.before), (Cells{"2", std::nullopt, std::nullopt}));
  EXPECT_TRUE(remove.after.empty());
}

TEST(PgOutputDecoder, TruncateListsTables) {
  Replay replay;
  replay.feed("orders_truncate");
  EXPECT_EQ(replay.kinds,
            (std::vector{MessageKind::kBegin, MessageKind::kRelation, MessageKind::kRelation,
                         MessageKind::kTruncate, MessageKind::kCommit}));
  ASSERT_EQ(replay.decoder.truncated_tables().size(), 2u);
  EXPECT_EQ(replay.decoder.truncated_tables()[0], replay.decoder.table(kOrders));
  EXPECT_EQ(replay.decoder.truncated_tables()[1], replay.decoder.table(kTyped));
}

TEST(PgOutputDecoder, TypesArriveAsPostgresTextWithNulls) {
  Replay replay;
  replay.feed("typed_insert");
  TableSchemaPtr table = replay.decoder.table(kTyped);
  std::vector<std::string> types;
  for (const Column& c : table->columns) types.push_back(c.warehouse_type);
  EXPECT_EQ(types, (std::vector<std::string>{"bigint", "numeric(20,6)", "bytea", "text",
                                             "timestamp with time zone", "text"}));
  EXPECT_EQ(table->columns[4].type, LogicalType::kTimestampTz);
  ASSERT_EQ(replay.changes.size(), 2u);
  EXPECT_EQ(cells(replay.changes[0].after),
            (Cells{"9000000000", "-12345678901234.567890", "\\x00ff0a27",
                   "J\u00fcrgen Gr\u00f6\u00dfe, \u6771\u4eac \u2713", "2021-08-15 08:00:00.25+00",
                   std::nullopt}));
  EXPECT_EQ(cells(replay.changes[1].after),
            (Cells{"1", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
}

// REPLICA IDENTITY FULL marks every column: the catalog's primary key wins, and the old
// image is the whole row.
TEST(PgOutputDecoder, FullIdentityUsesCatalogPrimaryKey) {
  Replay replay;
  replay.decoder.set_primary_keys({{"public.audit", {"id"}}});
  replay.feed("audit_update_identity_full");
  const Change& update = replay.changes.at(0);
  EXPECT_TRUE(update.table->columns[0].is_key);
  EXPECT_FALSE(update.table->columns[1].is_key);
  EXPECT_EQ(cells(update.before), (Cells{"1", "before"}));
  EXPECT_EQ(cells(update.after), (Cells{"1", "after"}));
}

// REPLICA IDENTITY USING INDEX on (code): the flags mark code, the catalog's key is id.
TEST(PgOutputDecoder, ReplicaIdentityIndexColumnsFindTheRow) {
  Replay replay;
  replay.decoder.set_primary_keys({{"public.accounts", {"id"}}});
  replay.feed("accounts_update_identity_index");
  const Change& update = replay.changes.at(0);
  EXPECT_EQ(update.table->key_indexes(), std::vector<size_t>{0});
  EXPECT_EQ(update.table->match_indexes(), std::vector<size_t>{1});
  EXPECT_FALSE(update.table->matches_by_key());
  EXPECT_EQ(cells(update.before), (Cells{std::nullopt, "A-1", std::nullopt}));
  EXPECT_EQ(cells(update.after), (Cells{"1", "A-2", "first"}));
}

TEST(PgOutputDecoder, ResentIdenticalRelationKeepsItsSchemaAndAChangedOneReplacesIt) {
  Replay replay;
  replay.feed("orders_insert");
  TableSchemaPtr first = replay.decoder.table(kOrders);
  replay.feed("orders_delete");
  EXPECT_EQ(replay.decoder.table(kOrders), first);
  replay.feed("orders_insert_after_drop_column");
  EXPECT_NE(replay.decoder.table(kOrders), first);
  EXPECT_EQ(replay.decoder.table(kOrders)->columns.size(), 2u);
  EXPECT_EQ(cells(replay.changes.back().after), (Cells{"4", "5.0000"}));
  EXPECT_EQ(first->columns.size(), 3u);  // changes decoded earlier keep their schema
}

TEST(PgOutputDecoder, RefusesTableWithoutKey) {
  Replay replay;
  EXPECT_THROW(replay.feed("events_insert_without_key"), FatalError);
}

// Every captured message cut short anywhere, after the messages before it decoded whole.
TEST(PgOutputDecoder, TruncatedMessagesThrow) {
  for (const std::string name :
       {"orders_insert", "orders_update_key", "orders_update_unchanged_toast", "orders_delete",
        "orders_truncate", "typed_insert", "accounts_update_identity_index",
        "audit_update_identity_full"}) {
    std::vector<Message> messages = captured(name);
    PgOutputDecoder decoder;
    decoder.set_primary_keys({{"public.audit", {"id"}}, {"public.accounts", {"id"}}});
    Change change;
    for (const Message& m : messages) {
      for (size_t length = 0; length < m.size(); ++length)
        EXPECT_THROW(decoder.decode(std::span(m).first(length), change), FatalError)
            << name << ": message '" << static_cast<char>(m[0]) << "' cut to " << length << " of "
            << m.size() << " bytes";
      decoder.decode(m, change);
    }
  }
}

TEST(PgOutputDecoder, RowOfAnUnknownRelationThrows) {
  std::vector<Message> messages = captured("orders_insert");
  PgOutputDecoder decoder;
  Change change;
  EXPECT_THROW(decoder.decode(messages.at(2), change), FatalError);  // its relation not seen
}

TEST(PgOutputDecoder, RowWiderThanItsRelationThrows) {
  Replay replay;
  replay.feed("orders_insert_after_drop_column");  // orders now has 2 columns
  Change change;
  EXPECT_THROW(replay.decoder.decode(captured("orders_insert").at(2), change), FatalError);
}

}  // namespace
}  // namespace sluice::pg
