#include "transport/kafka/capture_position.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "transport/kafka/change_codec.hpp"
#include "transport/kafka/kafka_consumer.hpp"

namespace sluice::kafka {

CapturePosition::CapturePosition(const TransportConfig& transport, std::string topic,
                                 std::string pipeline)
    : transport_(transport), topic_(std::move(topic)), pipeline_(std::move(pipeline)) {}

void CapturePosition::scan(
    const std::function<void(std::string_view, std::string_view, int64_t)>& each) const {
  KafkaConsumer reader(transport_, "", nullptr);
  TopicPartition tp{topic_, 0};
  KafkaOffset end = reader.high_watermark(tp);
  if (end.value <= 0) return;
  reader.assign({{tp, KafkaOffset{}}});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    MessagePtr m = reader.poll(std::chrono::milliseconds(200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    each(std::string_view(static_cast<const char*>(m->key), m->key_len),
         std::string_view(static_cast<const char*>(m->payload), m->len), m->offset);
    if (m->offset + 1 >= end.value) return;
  }
  throw ConnectionError(fmt::format("kafka: reading {} timed out", topic_));
}

std::optional<Position> CapturePosition::read() const {
  std::optional<Position> last;
  scan([&](std::string_view key, std::string_view value, int64_t offset) {
    if (key != pipeline_ || value.empty()) return;
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (!parsed.is_object() || !parsed["position"].is_string())
      throw FatalError(fmt::format("kafka: {} [0]@{}: not a capture position", topic_, offset));
    last = parse_position(parsed["position"].get<std::string>());
  });
  return last;
}

std::vector<TableSchemaPtr> CapturePosition::schemas() const {
  constexpr std::string_view kPrefix = "schema:";
  std::map<std::string, TableSchemaPtr, std::less<>> latest;
  scan([&](std::string_view key, std::string_view value, int64_t offset) {
    if (!key.starts_with(kPrefix)) return;
    latest[std::string(key.substr(kPrefix.size()))] =
        decode_schema(value, MessagePlace(topic_, 0, offset));
  });
  std::vector<TableSchemaPtr> out;
  for (auto& [name, schema] : latest) out.push_back(schema);
  return out;
}

void CapturePosition::write_schema(KafkaProducer& producer, const TableSchema& table) const {
  producer.produce(topic_, 0, "schema:" + table.qualified_name(), encode_schema(table));
}

void CapturePosition::write(KafkaProducer& producer, const Position& position) const {
  nlohmann::json value = {{"position", to_string(position)}};
  producer.produce(topic_, 0, pipeline_, value.dump());
}

}  // namespace sluice::kafka
