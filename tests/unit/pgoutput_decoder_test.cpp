#include "source/postgres/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sluice::pg {
namespace {

// Builds pgoutput messages byte by byte, big-endian as on the wire.
class Message {
 public:
  explicit Message(char type) { bytes_.push_back(static_cast<uint8_t>(type)); }
  Message& u8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Message& u16(uint16_t v) { return be(v, 2); }
  Message& u32(uint32_t v) { return be(v, 4); }
  Message& u64(uint64_t v) { return be(v, 8); }
  Message& str(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back(0);
    return *this;
  }
  Message& text(std::string_view s) {
    u8('t').u32(static_cast<uint32_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  std::span<const uint8_t> span() const { return bytes_; }

 private:
  Message& be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

Message relation(uint32_t relid, char identity) {
  Message m('R');
  m.u32(relid).str("public").str("orders").u8(static_cast<uint8_t>(identity)).u16(3);
  m.u8(1).str("id").u32(23).u32(0xffffffff);
  m.u8(0).str("amount").u32(1700).u32(((12 << 16) | 4) + 4);
  m.u8(0).str("note").u32(25).u32(0xffffffff);
  return m;
}

TEST(PgOutputDecoder, RelationBuildsSchemaWithTypesAndKey) {
  PgOutputDecoder decoder;
  Change change;
  EXPECT_EQ(decoder.decode(relation(16384, 'd').span(), change), MessageKind::kRelation);
  TableSchemaPtr table = decoder.table(16384);
  ASSERT_EQ(table->columns.size(), 3u);
  EXPECT_EQ(table->qualified_name(), "public.orders");
  EXPECT_TRUE(table->columns[0].is_key);
  EXPECT_FALSE(table->columns[1].is_key);
  EXPECT_EQ(table->columns[0].warehouse_type, "integer");
  EXPECT_EQ(table->columns[1].warehouse_type, "numeric(12,4)");
  EXPECT_EQ(table->columns[1].type, LogicalType::kNumeric);
}

TEST(PgOutputDecoder, BeginAndCommitCarryPositionsAndUnixTime) {
  PgOutputDecoder decoder;
  Change change;
  Message begin('B');
  begin.u64(0x1000).u64(1'000'000).u32(42);
  EXPECT_EQ(decoder.decode(begin.span(), change), MessageKind::kBegin);
  EXPECT_EQ(decoder.transaction().xid, 42u);
  EXPECT_EQ(decoder.transaction().commit_time_us, 1'000'000 + kPgEpochOffsetUs);
  Message commit('C');
  commit.u8(0).u64(0x1000).u64(0x1040).u64(1'000'000);
  EXPECT_EQ(decoder.decode(commit.span(), change), MessageKind::kCommit);
  EXPECT_EQ(decoder.transaction().end_lsn, Lsn{0x1040});
}

TEST(PgOutputDecoder, InsertUpdateDeleteWithNullAndUnchangedToast) {
  PgOutputDecoder decoder;
  Change change;
  decoder.decode(relation(7, 'd').span(), change);

  Message insert('I');
  insert.u32(7).u8('N').u16(3).text("1").text("-12.5000").u8('n');
  EXPECT_EQ(decoder.decode(insert.span(), change), MessageKind::kRowChange);
  EXPECT_EQ(change.op, Op::kInsert);
  EXPECT_EQ(change.after.text(1), "-12.5000");
  EXPECT_TRUE(change.after.is_null(2));
  EXPECT_TRUE(change.before.empty());

  Message update('U');
  update.u32(7).u8('K').u16(3).text("1").u8('n').u8('n');
  update.u8('N').u16(3).text("2").text("3.0000").u8('u');
  decoder.decode(update.span(), change);
  EXPECT_EQ(change.op, Op::kUpdate);
  EXPECT_EQ(change.before.text(0), "1");
  EXPECT_EQ(change.after.text(0), "2");
  EXPECT_TRUE(change.after.is_unchanged(2));

  Message remove('D');
  remove.u32(7).u8('K').u16(3).text("2").u8('n').u8('n');
  decoder.decode(remove.span(), change);
  EXPECT_EQ(change.op, Op::kDelete);
  EXPECT_EQ(change.before.text(0), "2");
  EXPECT_TRUE(change.after.empty());
}

TEST(PgOutputDecoder, FullIdentityUsesCatalogPrimaryKey) {
  PgOutputDecoder decoder;
  decoder.set_primary_keys({{"public.orders", {"id"}}});
  Change change;
  Message full('R');
  full.u32(9).str("public").str("orders").u8('f').u16(2);
  full.u8(1).str("id").u32(20).u32(0xffffffff);
  full.u8(1).str("note").u32(25).u32(0xffffffff);
  decoder.decode(full.span(), change);
  EXPECT_TRUE(decoder.table(9)->columns[0].is_key);
  EXPECT_FALSE(decoder.table(9)->columns[1].is_key);
}

// REPLICA IDENTITY USING INDEX on (code): the flags mark code, the catalog's key is id.
Message identity_index_relation() {
  Message m('R');
  m.u32(9).str("public").str("accounts").u8('i').u16(3);
  m.u8(0).str("id").u32(23).u32(0xffffffff);
  m.u8(1).str("code").u32(25).u32(0xffffffff);
  m.u8(0).str("v").u32(25).u32(0xffffffff);
  return m;
}

TEST(PgOutputDecoder, ReplicaIdentityIndexColumnsFindTheRow) {
  PgOutputDecoder decoder;
  decoder.set_primary_keys({{"public.accounts", {"id"}}});
  Change change;
  decoder.decode(identity_index_relation().span(), change);
  TableSchemaPtr table = decoder.table(9);
  EXPECT_EQ(table->key_indexes(), std::vector<size_t>{0});
  EXPECT_EQ(table->match_indexes(), std::vector<size_t>{1});
  EXPECT_FALSE(table->matches_by_key());
}

TEST(PgOutputDecoder, ResentIdenticalRelationKeepsItsSchemaAndAChangedOneReplacesIt) {
  PgOutputDecoder decoder;
  Change change;
  decoder.decode(relation(16384, 'd').span(), change);
  TableSchemaPtr first = decoder.table(16384);
  decoder.decode(relation(16384, 'd').span(), change);
  EXPECT_EQ(decoder.table(16384), first);
  Message altered('R');
  altered.u32(16384).str("public").str("orders").u8('d').u16(2);
  altered.u8(1).str("id").u32(23).u32(0xffffffff);
  altered.u8(0).str("amount").u32(1700).u32(((12 << 16) | 4) + 4);
  decoder.decode(altered.span(), change);
  EXPECT_NE(decoder.table(16384), first);
  EXPECT_EQ(decoder.table(16384)->columns.size(), 2u);
  EXPECT_EQ(first->columns.size(), 3u);  // changes decoded earlier keep their schema
}

TEST(PgOutputDecoder, RefusesTableWithoutKey) {
  PgOutputDecoder decoder;
  Change change;
  Message full('R');
  full.u32(9).str("public").str("events").u8('f').u16(1).u8(1).str("x").u32(25).u32(0xffffffff);
  EXPECT_THROW(decoder.decode(full.span(), change), FatalError);
}

TEST(PgOutputDecoder, TruncateListsTables) {
  PgOutputDecoder decoder;
  Change change;
  decoder.decode(relation(7, 'd').span(), change);
  Message truncate('T');
  truncate.u32(1).u8(0).u32(7);
  EXPECT_EQ(decoder.decode(truncate.span(), change), MessageKind::kTruncate);
  ASSERT_EQ(decoder.truncated_tables().size(), 1u);
  EXPECT_EQ(decoder.truncated_tables()[0]->name, "orders");
}

TEST(PgOutputDecoder, MalformedMessagesThrow) {
  PgOutputDecoder decoder;
  Change change;
  decoder.decode(relation(7, 'd').span(), change);
  Message short_insert('I');
  short_insert.u32(7).u8('N').u16(3).u8('t').u32(100);
  EXPECT_THROW(decoder.decode(short_insert.span(), change), FatalError);
  Message unknown_relation('I');
  unknown_relation.u32(8).u8('N').u16(0);
  EXPECT_THROW(decoder.decode(unknown_relation.span(), change), FatalError);
  Message wrong_width('I');
  wrong_width.u32(7).u8('N').u16(2).text("1").text("2");
  EXPECT_THROW(decoder.decode(wrong_width.span(), change), FatalError);
}

}  // namespace
}  // namespace sluice::pg
