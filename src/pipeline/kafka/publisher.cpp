#include "pipeline/kafka/publisher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "copytext/copy_text_parser.hpp"
#include "core/error.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/topic_admin.hpp"

namespace sluice {
namespace {

// The database name of a source URL, for the envelope's source.db.
std::string database_of(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return "";
  std::string db = url.substr(slash + 1);
  return db.substr(0, db.find('?'));
}

std::string key_of_before(const Change& change) {
  Change old_key;
  old_key.op = Op::kDelete;
  old_key.table = change.table;
  old_key.before = change.before;
  return kafka::encode_key(old_key);
}

// Messages are keyed, partitioned and applied by the primary key; a delete that names its
// row only by another replica identity would have no key.
void require_key_identity(const TableSchema& table) {
  if (table.matches_by_key()) return;
  throw FatalError(fmt::format(
      "capture: table {} has REPLICA IDENTITY USING INDEX on columns other than its primary "
      "key, which the Kafka path cannot apply: run it with `sluice run`, or set its replica "
      "identity to DEFAULT or FULL",
      table.qualified_name()));
}

// The insert half of a split key move lands in another partition, where nothing knows
// the old key's row: a value the source did not send (an unchanged TOAST value) would be
// lost there.
void require_carried_values(const Change& key_move) {
  for (size_t i = 0; i < key_move.after.size(); ++i) {
    if (!key_move.after.is_unchanged(i)) continue;
    throw FatalError(fmt::format(
        "capture: an update of {} moves a row to another primary key and leaves column {} "
        "(a TOAST value) unchanged, which the Kafka path cannot carry to the new key: run "
        "this table with `sluice run`",
        key_move.table->qualified_name(), key_move.table->columns[i].name));
  }
}

}  // namespace

KafkaPublisher::KafkaPublisher(const PipelineConfig& config, kafka::KafkaProducer& producer)
    : config_(config),
      producer_(producer),
      layout_(config),
      records_(config.transport, layout_.position_topic(), config.name),
      db_(database_of(config.source.url)) {}

const std::string& KafkaPublisher::topic_of(const TableSchema& table, int& partitions) {
  std::lock_guard lock(mutex_);
  std::string qualified = table.qualified_name();
  auto it = topics_.find(qualified);
  if (it == topics_.end()) {
    std::string topic = layout_.topic_for(table);
    int count = kafka::ensure_topic(
        producer_.raw(), topic, config_.transport.partitions,
        layout_.compacts_data() ? kafka::TopicKind::kCompacted : kafka::TopicKind::kData);
    records_.write_schema(producer_, table);
    it = topics_.emplace(qualified, std::make_pair(topic, count)).first;
  }
  partitions = it->second.second;
  return it->second.first;
}

void KafkaPublisher::produce(const Target& target, const Encoded& message, bool tx_open) {
  std::vector<kafka::Header> headers;
  if (tx_open) headers.push_back({kafka::kTxOpenHeader, "1"});
  producer_.produce(*target.topic, target.partition, message.key,
                    message.tombstone ? std::string_view() : std::string_view(message.value),
                    headers);
  ++messages_;
}

// A stream message waits as its partition's tail until the next message of the same
// partition shows that the transaction continues there (the tail goes out marked open),
// or the transaction ends (every tail goes out unmarked): the end of a transaction may
// arrive in a later batch that holds no change at all, only the commit.
void KafkaPublisher::stream(const Target& target, Encoded message) {
  auto where = std::make_pair(target.topic, target.partition);
  auto it = tails_.find(where);
  if (it != tails_.end()) {
    produce(target, it->second, true);
    it->second = std::move(message);
  } else {
    tails_.emplace(where, std::move(message));
  }
}

void KafkaPublisher::end_transaction() {
  for (auto& [where, message] : tails_) produce({where.first, where.second}, message, false);
  tails_.clear();
}

void KafkaPublisher::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  require_key_identity(*table);
  int partitions = 0;
  const std::string& topic = topic_of(*table, partitions);
  Change change;
  change.op = Op::kInsert;
  change.table = table;
  while (std::optional<std::string_view> chunk = rows.next_chunk()) {
    CopyTextParser parser(*chunk);
    while (parser.next(change.after)) {
      int32_t partition = kafka::partition_for(kafka::encode_key(change), partitions);
      produce({&topic, partition},
              {kafka::encode_key(change), kafka::encode_value(change, db_, true)}, false);
    }
  }
}

// An update that moves a row to another key becomes a delete of the old key and an
// insert of the new one, each in its key's partition, as Debezium does: the old key's
// earlier changes and its removal then share a partition and stay in order.
const ChangeBatch& KafkaPublisher::split_key_moves(const ChangeBatch& batch) {
  bool any = std::ranges::any_of(batch.changes, [](const Change& c) {
    return c.op == Op::kUpdate && !c.before.empty() && kafka::encode_key(c) != key_of_before(c);
  });
  if (!any) return batch;
  split_.clear();
  split_.commit_position = batch.commit_position;
  split_.last_commit_time_us = batch.last_commit_time_us;
  for (const Change& c : batch.changes) {
    if (c.op != Op::kUpdate || c.before.empty() || kafka::encode_key(c) == key_of_before(c)) {
      split_.changes.push_back(c);
      continue;
    }
    Change& removal = split_.changes.emplace_back(c);
    removal.op = Op::kDelete;
    removal.after.clear();
    require_carried_values(c);
    Change& insert = split_.changes.emplace_back(c);
    insert.op = Op::kInsert;
    insert.before.clear();
  }
  return split_;
}

void KafkaPublisher::publish(const ChangeBatch& original) {
  const ChangeBatch& batch = split_key_moves(original);
  for (const Change& change : batch.changes) {
    if (change.table.get() != last_table_) {
      require_key_identity(*change.table);
      last_table_ = change.table.get();
    }
    if (change.xid != tail_xid_) end_transaction();
    tail_xid_ = change.xid;
    int partitions = 0;
    const std::string& topic = topic_of(*change.table, partitions);
    Encoded message{kafka::encode_key(change), kafka::encode_value(change, db_, false)};
    if (change.op != Op::kTruncate) {
      int32_t partition = kafka::partition_for(message.key, partitions);
      Encoded tombstone{message.key, {}, true};
      stream({&topic, partition}, std::move(message));
      if (change.op == Op::kDelete && layout_.compacts_data())
        stream({&topic, partition}, std::move(tombstone));
      continue;
    }
    // A truncate concerns every key, so every partition hears of it.
    for (int32_t p = 0; p < partitions; ++p) stream({&topic, p}, message);
  }
  if (batch.commit_position) end_transaction();
}

}  // namespace sluice
