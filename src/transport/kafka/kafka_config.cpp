#include "transport/kafka/kafka_config.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace sluice::kafka {
namespace {

void set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) ==
      RD_KAFKA_CONF_OK)
    return;
  // librdkafka's message may quote the value.
  std::string reason = error;
  if (is_secret_property(name) && !value.empty()) {
    for (size_t at = reason.find(value); at != std::string::npos; at = reason.find(value, at + 4))
      reason.replace(at, value.size(), "****");
  }
  throw ConfigError(
      fmt::format("transport.properties: {}: {}", redact_property(name, value), reason));
}

// librdkafka's syslog levels onto spdlog's.
void log_to_spdlog(const rd_kafka_t*, int level, const char* facility, const char* message) {
  spdlog::level::level_enum mapped = level <= 3   ? spdlog::level::err
                                     : level <= 4 ? spdlog::level::warn
                                     : level <= 6 ? spdlog::level::info
                                                  : spdlog::level::debug;
  spdlog::log(mapped, "kafka {}: {}", facility, message);
}

}  // namespace

bool is_secret_property(std::string_view name) {
  std::string lower(name);
  std::ranges::transform(lower, lower.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("key") != std::string::npos;
}

std::string redact_property(std::string_view name, std::string_view value) {
  return fmt::format("{}={}", name, is_secret_property(name) ? "****" : value);
}

ConfPtr make_conf(const TransportConfig& transport,
                  const std::vector<std::pair<std::string, std::string>>& defaults) {
  ConfPtr conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", transport.brokers);
  for (const auto& [name, value] : defaults) set(conf.get(), name, value);
  for (const auto& [name, value] : transport.properties) set(conf.get(), name, value);
  rd_kafka_conf_set_log_cb(conf.get(), log_to_spdlog);
  return conf;
}

HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (rk == nullptr) throw ConfigError(fmt::format("transport: {}", error));
  conf.release();  // rd_kafka_new owns it now
  return HandlePtr(rk);
}

}  // namespace sluice::kafka
