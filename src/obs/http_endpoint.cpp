#include "obs/http_endpoint.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "obs/pipeline_metrics.hpp"
#include "obs/status_report.hpp"

namespace sluice::obs {
namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

void add_routes(httplib::Server& server) {
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(pipeline_metrics().registry.render(), kPrometheusText);
  });
  // Healthy while the pipeline runs; 503 while it retries after a failed batch or a lost
  // connection, so an orchestrator can tell a stuck pipeline from a working one.
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    const PipelineStatus& status = pipeline_status();
    if (status.state() == PipelineState::kRetrying) {
      res.status = 503;
      res.set_content(fmt::format("retrying: {}\n", status.last_error()), "text/plain");
    } else {
      res.set_content("ok\n", "text/plain");
    }
  });
  server.Get("/status", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(status_json(pipeline_status(), pipeline_metrics()), "application/json");
  });
}

std::string shown_address(const ObservabilityConfig& config) {
  bool ipv6 = config.listen_host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", config.listen_host, config.listen_port)
              : fmt::format("{}:{}", config.listen_host, config.listen_port);
}

}  // namespace

HttpEndpoint::HttpEndpoint(const ObservabilityConfig& config, std::string pipeline_name) {
  pipeline_status().set_name(std::move(pipeline_name));
  if (config.listen_port == 0) return;
  server_ = std::make_unique<httplib::Server>();
  // httplib sets SO_REUSEPORT by default, which would let a second pipeline share the port
  // and answer every other scrape; SO_REUSEADDR alone only allows a quick restart.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  add_routes(*server_);
  errno = 0;
  if (!server_->bind_to_port(config.listen_host, config.listen_port))
    throw FatalError(fmt::format("observability.listen {}: cannot listen: {}",
                                 shown_address(config),
                                 errno != 0 ? std::strerror(errno) : "bad address"));
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  spdlog::info("serving /metrics, /healthz and /status on http://{}", shown_address(config));
}

HttpEndpoint::~HttpEndpoint() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::obs
