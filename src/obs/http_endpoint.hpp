#pragma once
// The observability HTTP endpoint: /metrics (Prometheus text 0.0.4), /healthz and /status
// (JSON), served on a thread of its own for as long as the object lives.

#include <memory>
#include <string>
#include <thread>

#include "config/pipeline_config.hpp"

namespace httplib {
class Server;
}

namespace sluice::obs {

class HttpEndpoint {
 public:
  // Records the pipeline name for /status and, when `config` has a port, listens on it;
  // throws FatalError when the address cannot be bound.
  HttpEndpoint(const ObservabilityConfig& config, std::string pipeline_name);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace sluice::obs
