#include "source/postgres/pgoutput_decoder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/byte_order.hpp"
#include "core/error.hpp"
#include "source/postgres/pg_column_types.hpp"

namespace sluice::pg {

// Big-endian reads over one message with bounds checks.
class PgOutputDecoder::Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  uint16_t u16() { return static_cast<uint16_t>(be(2)); }
  uint32_t u32() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64() { return be(8); }
  std::string_view cstring() {
    auto begin = data_.begin() + static_cast<std::ptrdiff_t>(pos_);
    auto end = std::find(begin, data_.end(), uint8_t{0});
    if (end == data_.end()) malformed("unterminated string");
    std::string_view s(reinterpret_cast<const char*>(&*begin), static_cast<size_t>(end - begin));
    pos_ += s.size() + 1;
    return s;
  }
  std::string_view bytes(size_t n) {
    need(n);
    std::string_view s(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  [[noreturn]] static void malformed(std::string_view what) {
    throw FatalError(fmt::format("malformed pgoutput message: {}", what));
  }

 private:
  void need(size_t n) const {
    if (pos_ + n > data_.size()) malformed("truncated");
  }
  uint64_t be(size_t n) {
    need(n);
    uint64_t v = load_be(data_.data() + pos_, n);
    pos_ += n;
    return v;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

namespace {

// A pgoutput timestamp (microseconds since 2000-01-01) on the Unix epoch. A real commit
// time is far from the int64 limits; a value near them is a corrupt message.
int64_t unix_time_us(uint64_t pg_time_us) {
  int64_t unix_us = 0;
  if (__builtin_add_overflow(static_cast<int64_t>(pg_time_us), kPgEpochOffsetUs, &unix_us))
    throw FatalError("malformed pgoutput message: commit timestamp out of range");
  return unix_us;
}

}  // namespace

TableSchemaPtr PgOutputDecoder::table(RelationId relid) const {
  return relation(relid).schema;
}

const PgOutputDecoder::Relation& PgOutputDecoder::relation(RelationId relid) const {
  auto it = relations_.find(relid);
  if (it == relations_.end())
    throw FatalError(
        fmt::format("pgoutput: change for relation {} before its Relation message", relid.value));
  return it->second;
}

MessageKind PgOutputDecoder::decode(std::span<const uint8_t> message, Change& change) {
  Reader in(message);
  switch (in.u8()) {
    case 'B':
      transaction_.final_lsn = Lsn{in.u64()};
      transaction_.commit_time_us = unix_time_us(in.u64());
      transaction_.xid = in.u32();
      transaction_.end_lsn = Lsn{};
      return MessageKind::kBegin;
    case 'C':
      in.u8();   // flags, unused
      in.u64();  // commit lsn
      transaction_.end_lsn = Lsn{in.u64()};
      transaction_.commit_time_us = unix_time_us(in.u64());
      return MessageKind::kCommit;
    case 'R':
      decode_relation(in);
      return MessageKind::kRelation;
    case 'I':
      decode_insert(in, change);
      return MessageKind::kRowChange;
    case 'U':
      decode_update(in, change);
      return MessageKind::kRowChange;
    case 'D':
      decode_delete(in, change);
      return MessageKind::kRowChange;
    case 'T':
      decode_truncate(in);
      return MessageKind::kTruncate;
    case 'O':
    case 'Y':
    case 'M':
      return MessageKind::kIgnored;
    default:
      Reader::malformed(fmt::format("unknown message type {}", static_cast<int>(message[0])));
  }
}

void PgOutputDecoder::decode_relation(Reader& in) {
  RelationId relid{in.u32()};
  auto schema = std::make_shared<TableSchema>();
  schema->schema = std::string(in.cstring());
  schema->name = std::string(in.cstring());
  char replica_identity = static_cast<char>(in.u8());
  uint16_t ncols = in.u16();
  auto pk = primary_keys_.find(schema->qualified_name());
  for (uint16_t i = 0; i < ncols; ++i) {
    Column column;
    bool identity_flag = (in.u8() & 1) != 0;
    column.name = std::string(in.cstring());
    uint32_t type_oid = in.u32();
    auto typmod = static_cast<int32_t>(in.u32());
    ColumnType type = column_type(type_oid, typmod);
    column.type = type.logical;
    column.warehouse_type = std::move(type.warehouse_type);
    column.is_key = pk != primary_keys_.end()
                        ? std::ranges::find(pk->second, column.name) != pk->second.end()
                        : identity_flag && replica_identity != 'f';
    // Under REPLICA IDENTITY USING INDEX the old row of a delete or key change carries
    // only the index columns.
    column.is_identity = identity_flag && replica_identity == 'i';
    schema->columns.push_back(std::move(column));
  }
  if (!schema->has_key())
    throw FatalError(fmt::format(
        "table {} has no primary key or replica identity index: add a primary key (sluice "
        "upserts by key)",
        schema->qualified_name()));
  // pgoutput resends a relation after every invalidation (ALTER, CREATE INDEX, a
  // reconnect): an unchanged one keeps its schema object, so nothing downstream that is
  // keyed by it (staging tables, flow readers) starts over.
  auto known = relations_.find(relid);
  if (known != relations_.end() && *known->second.schema == *schema) {
    known->second.replica_identity = replica_identity;
    return;
  }
  relations_[relid] = Relation{std::move(schema), replica_identity};
}

void PgOutputDecoder::decode_tuple(Reader& in, const Relation& rel, Row& row) {
  uint16_t ncols = in.u16();
  if (ncols != rel.schema->columns.size())
    Reader::malformed(fmt::format("{}: tuple has {} columns, relation has {}",
                                  rel.schema->qualified_name(), ncols, rel.schema->columns.size()));
  row.clear();
  row.reserve(ncols);
  for (uint16_t i = 0; i < ncols; ++i) {
    switch (in.u8()) {
      case 'n':
        row.append_null();
        break;
      case 'u':
        row.append_unchanged();
        break;
      case 't': {
        uint32_t length = in.u32();
        row.append(in.bytes(length));
        break;
      }
      default:
        Reader::malformed(fmt::format("{} column {}: unexpected tuple kind (binary mode is off)",
                                      rel.schema->qualified_name(), rel.schema->columns[i].name));
    }
  }
}

void PgOutputDecoder::decode_insert(Reader& in, Change& change) {
  const Relation& rel = relation(RelationId{in.u32()});
  change.op = Op::kInsert;
  change.table = rel.schema;
  change.before.clear();
  if (in.u8() != 'N') Reader::malformed("insert without new tuple");
  decode_tuple(in, rel, change.after);
}

void PgOutputDecoder::decode_update(Reader& in, Change& change) {
  const Relation& rel = relation(RelationId{in.u32()});
  change.op = Op::kUpdate;
  change.table = rel.schema;
  change.before.clear();
  uint8_t kind = in.u8();
  if (kind == 'K' || kind == 'O') {
    decode_tuple(in, rel, change.before);
    kind = in.u8();
  }
  if (kind != 'N') Reader::malformed("update without new tuple");
  decode_tuple(in, rel, change.after);
}

void PgOutputDecoder::decode_delete(Reader& in, Change& change) {
  const Relation& rel = relation(RelationId{in.u32()});
  change.op = Op::kDelete;
  change.table = rel.schema;
  change.after.clear();
  uint8_t kind = in.u8();
  if (kind != 'K' && kind != 'O') Reader::malformed("delete without key tuple");
  decode_tuple(in, rel, change.before);
}

void PgOutputDecoder::decode_truncate(Reader& in) {
  uint32_t count = in.u32();
  in.u8();  // options: cascade / restart identity do not matter for the mirror
  truncated_.clear();
  for (uint32_t i = 0; i < count; ++i) truncated_.push_back(relation(RelationId{in.u32()}).schema);
}

}  // namespace sluice::pg
