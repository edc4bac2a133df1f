#include "pipeline/kafka_publisher.hpp"

#include <algorithm>
#include <set>

#include "core/copy_text_parser.hpp"
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
    int count = kafka::ensure_topic(producer_.raw(), topic, config_.transport.partitions,
                                    kafka::TopicKind::kData);
    records_.write_schema(producer_, table);
    it = topics_.emplace(qualified, std::make_pair(topic, count)).first;
  }
  partitions = it->second.second;
  return it->second.first;
}

void KafkaPublisher::send(const Change& change, const Target& target, bool snapshot, bool tx_open) {
  std::string key = kafka::encode_key(change);
  std::string value = kafka::encode_value(change, db_, snapshot);
  std::vector<kafka::Header> headers;
  if (tx_open) headers.push_back({kafka::kTxOpenHeader, "1"});
  if (change.op == Op::kTruncate) {
    // A truncate concerns every key, so every partition hears of it.
    int partitions = 0;
    topic_of(*change.table, partitions);
    for (int32_t p = 0; p < partitions; ++p)
      producer_.produce(*target.topic, p, key, value, headers);
    messages_ += static_cast<uint64_t>(partitions);
    return;
  }
  producer_.produce(*target.topic, target.partition, key, value, headers);
  ++messages_;
}

void KafkaPublisher::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  int partitions = 0;
  const std::string& topic = topic_of(*table, partitions);
  Change change;
  change.op = Op::kInsert;
  change.table = table;
  while (std::optional<std::string_view> chunk = rows.next_chunk()) {
    CopyTextParser parser(*chunk);
    while (parser.next(change.after)) {
      int32_t partition = kafka::partition_for(kafka::encode_key(change), partitions);
      send(change, {&topic, partition}, true, false);
    }
  }
}

std::vector<bool> KafkaPublisher::open_marks(const ChangeBatch& batch,
                                             const std::vector<Target>& targets) const {
  std::vector<bool> open(batch.changes.size(), false);
  // Backwards: the first message of a transaction met per partition is its last there.
  std::set<std::pair<const std::string*, int32_t>> closed;
  bool last_run = true;
  for (size_t i = batch.changes.size(); i-- > 0;) {
    if (i + 1 < batch.changes.size() && batch.changes[i].xid != batch.changes[i + 1].xid) {
      closed.clear();
      last_run = false;
    }
    bool batch_ends_transaction = batch.commit_position.has_value() || !last_run;
    auto where = std::make_pair(targets[i].topic, targets[i].partition);
    open[i] = !batch_ends_transaction || !closed.insert(where).second;
  }
  return open;
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
    Change& insert = split_.changes.emplace_back(c);
    insert.op = Op::kInsert;
    insert.before.clear();
  }
  return split_;
}

void KafkaPublisher::publish(const ChangeBatch& original) {
  const ChangeBatch& batch = split_key_moves(original);
  std::vector<Target> targets;
  targets.reserve(batch.changes.size());
  for (const Change& change : batch.changes) {
    int partitions = 0;
    const std::string& topic = topic_of(*change.table, partitions);
    int32_t partition = change.op == Op::kTruncate
                            ? -1
                            : kafka::partition_for(kafka::encode_key(change), partitions);
    targets.push_back({&topic, partition});
  }
  std::vector<bool> open = open_marks(batch, targets);
  for (size_t i = 0; i < batch.changes.size(); ++i)
    send(batch.changes[i], targets[i], false, open[i]);
}

}  // namespace sluice
