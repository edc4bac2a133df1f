#pragma once
// The pipeline file: what to capture, where to write it, how to transform it. A member's
// initial value is the default of its key: the key table (config/config_keys.cpp) reads it
// for the reference, so it is stated only here.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/change.hpp"
#include "core/redact.hpp"

namespace sluice {

enum class SourceType : uint8_t { kPostgres, kMysql };
enum class SinkType : uint8_t { kPostgres, kRedshift };
enum class OnError : uint8_t { kFail, kDeadLetter, kSkip };

struct SourceConfig {
  SourceType type = SourceType::kPostgres;
  std::string url;                  // may hold a password: print only through redact_url()
  std::vector<std::string> tables;  // empty: every table with a primary key
  // Source table as written in `tables` -> its warehouse table name, for those mapped
  // (config/table_names.hpp applies it).
  std::map<std::string, std::string, std::less<>> warehouse_names;
  int snapshot_parallelism = 2;
  uint32_t server_id = 0;  // MySQL replica id; 0: derived from the pipeline name
  // A source not reached once in this run is given up on after this long.
  std::chrono::milliseconds connect_timeout{30000};
};

// Redshift only: flushes of at least min_rows changes are uploaded to S3 and loaded with
// COPY, which Redshift runs in parallel; smaller ones keep multi-row INSERT, because a
// COPY has a fixed cost of about a second.
struct S3StagingConfig {
  bool enabled = false;  // a sink.s3 section is present
  int line = 0;          // of the sink.s3 key, for messages
  std::string bucket;
  std::string region;
  std::string prefix = "sluice/";
  std::string endpoint;  // empty: https://s3.<region>.amazonaws.com, virtual-host style
  std::string access_key_id;
  std::string secret_access_key;  // secret: never printed
  std::string session_token;      // secret: never printed; empty: none
  std::string iam_role;           // empty: COPY passes the access keys instead
  size_t min_rows = 10000;
};

struct SinkConfig {
  SinkType type = SinkType::kPostgres;
  std::string url;
  std::string schema = "public";
  S3StagingConfig s3;
  std::chrono::milliseconds connect_timeout{30000};  // as for the source
};

struct BatchConfig {
  size_t max_rows = 50000;
  size_t max_bytes = size_t{64} << 20;
  std::chrono::milliseconds max_delay{500};
};

// Where flows keep their state (docs/flows.md, "Flow state").
struct StateConfig {
  std::string dir;  // empty: the default, see state_directory()
  size_t cache_mb = 256;
};

// The HTTP endpoint serving /metrics, /healthz and /status.
struct ObservabilityConfig {
  std::string listen_host;   // only meaningful when listen_port != 0
  uint16_t listen_port = 0;  // 0: no endpoint
};

// Kafka between `sluice capture` and `sluice apply` (docs/kafka.md).
struct TransportConfig {
  bool enabled = false;  // transport.type or transport.brokers is given
  std::string brokers;
  std::string topic_prefix;  // empty: "sluice.<name>"
  bool topic_per_table = true;
  int partitions = 6;  // for topics sluice creates
  // Explicit topics for apply to read (e.g. written by Debezium); empty: sluice's own.
  std::vector<std::string> topics;
  // Passed to librdkafka as-is; values may be secrets: print only through
  // redact_properties() (transport/kafka/kafka_config.hpp).
  std::vector<std::pair<std::string, std::string>> properties;

  std::string prefix(const std::string& pipeline_name) const {
    return topic_prefix.empty() ? "sluice." + pipeline_name : topic_prefix;
  }
};

struct FlowConfig {
  std::string name;  // the destination table
  std::vector<std::string> key;
  bool insert = true;
  bool update = true;
  bool remove = true;  // "delete" in the file
  std::string sql;
  int sql_line = 0;  // line of the first SQL line in the file, for error positions
  OnError on_error = OnError::kFail;
};

struct PipelineConfig {
  std::string file;
  std::string name;
  SourceConfig source;
  SinkConfig sink;
  BatchConfig batch;
  StateConfig state;
  ObservabilityConfig observability;
  TransportConfig transport;
  std::vector<FlowConfig> flows;  // empty: mirror mode
};

// Reads and validates a pipeline file; throws ConfigError naming file, line and key.
PipelineConfig load_pipeline_config(const std::string& path);

// Parses the same text, for tests; `file` is used in messages only.
PipelineConfig parse_pipeline_config(const std::string& text, const std::string& file);

// The flow state folder of this pipeline: state.dir, else $XDG_STATE_HOME/sluice/<name>,
// else ~/.local/state/sluice/<name>.
std::string state_directory(const PipelineConfig& config);

// Markdown reference of every key, generated from the same table the parser uses
// (config/config_keys.hpp).
std::string configuration_reference();

}  // namespace sluice
