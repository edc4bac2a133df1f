#pragma once
// Capture's resume position, kept in Kafka itself: a compacted one-partition topic with
// the pipeline name as key and {"position": "..."} as value, written after every message
// before it was delivered. On start the last value is read back.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/position.hpp"
#include "core/schema.hpp"
#include "transport/kafka/kafka_producer.hpp"

namespace sluice::kafka {

class CapturePosition {
 public:
  CapturePosition(const TransportConfig& transport, std::string topic, std::string pipeline);

  // The last stored position; nullopt before the first snapshot completed.
  std::optional<Position> read() const;
  // The table schemas capture recorded (key "schema:<schema.table>"), latest per table.
  std::vector<TableSchemaPtr> schemas() const;
  // Queues a table's schema record on `producer`.
  void write_schema(KafkaProducer& producer, const TableSchema& table) const;

  // Queues the position on `producer`; durable after its next flush().
  void write(KafkaProducer& producer, const Position& position) const;

 private:
  // Calls `each` with the key and value of every record up to the current end.
  void scan(const std::function<void(std::string_view, std::string_view, int64_t)>& each) const;

  const TransportConfig& transport_;
  std::string topic_;
  std::string pipeline_;
};

}  // namespace sluice::kafka
