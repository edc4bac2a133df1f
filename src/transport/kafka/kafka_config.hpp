#pragma once
// librdkafka configuration from the pipeline's transport section: sluice's settings first,
// then the user's `properties:` on top, and logging through spdlog. Property values that
// may be secrets never appear in messages.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sluice::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

// True for property names whose values are credentials (password, secret, key).
bool is_secret_property(std::string_view name);
// "name=value", or "name=****" for a secret.
std::string redact_property(std::string_view name, std::string_view value);

// `defaults` are sluice's own settings; transport.properties may override them.
ConfPtr make_conf(const TransportConfig& transport,
                  const std::vector<std::pair<std::string, std::string>>& defaults);

// Creates a producer or consumer handle; takes ownership of `conf`.
HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf);

}  // namespace sluice::kafka
