#pragma once
// Decodes pgoutput protocol messages (PostgreSQL 15, proto_version 2, text values) into
// Changes. Relation messages build the table schemas; the decoder keeps them by relid.
// Reference: PostgreSQL docs, "Logical Replication Message Formats".

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/change.hpp"
#include "core/id.hpp"

namespace sluice::pg {

// The oid pgoutput names a table by in its Relation message and every change after it.
using RelationId = Id<struct RelationIdTag, uint32_t>;

enum class MessageKind : uint8_t {
  kBegin,
  kCommit,
  kRelation,
  kRowChange,  // insert, update or delete: the Change passed to decode() is filled
  kTruncate,   // truncated_tables() lists the tables
  kIgnored,    // origin, type, logical message
};

struct TransactionInfo {
  Lsn final_lsn;
  Lsn end_lsn;                 // set by Commit: the position to resume after this transaction
  int64_t commit_time_us = 0;  // Unix epoch
  uint32_t xid = 0;
};

class PgOutputDecoder {
 public:
  // Primary keys by "schema.table", read from the catalog: they win over the replica
  // identity flags, which under REPLICA IDENTITY FULL mark every column.
  void set_primary_keys(std::unordered_map<std::string, std::vector<std::string>> keys) {
    primary_keys_ = std::move(keys);
  }

  // Decodes one message. For kRowChange, `change` is overwritten (its row buffers are
  // reused). Throws FatalError on a malformed message or an unknown relation.
  MessageKind decode(std::span<const uint8_t> message, Change& change);

  const TransactionInfo& transaction() const { return transaction_; }
  const std::vector<TableSchemaPtr>& truncated_tables() const { return truncated_; }
  TableSchemaPtr table(RelationId relid) const;

 private:
  struct Relation {
    TableSchemaPtr schema;
    char replica_identity;
  };
  class Reader;
  void decode_relation(Reader& in);
  const Relation& relation(RelationId relid) const;
  void decode_tuple(Reader& in, const Relation& rel, Row& row);
  void decode_insert(Reader& in, Change& change);
  void decode_update(Reader& in, Change& change);
  void decode_delete(Reader& in, Change& change);
  void decode_truncate(Reader& in);

  std::unordered_map<RelationId, Relation> relations_;
  std::unordered_map<std::string, std::vector<std::string>> primary_keys_;
  TransactionInfo transaction_;
  std::vector<TableSchemaPtr> truncated_;
};

// PostgreSQL timestamps count microseconds from 2000-01-01; sluice uses the Unix epoch.
constexpr int64_t kPgEpochOffsetUs = 946684800LL * 1000000LL;

}  // namespace sluice::pg
