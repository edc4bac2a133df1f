#include "obs/status_report.hpp"

#include <nlohmann/json.hpp>

namespace sluice::obs {
namespace {

nlohmann::json counts(const Family<Counter>& family) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [table, counter] : family.children()) out[table] = counter->value();
  return out;
}

nlohmann::json snapshot_progress(const PipelineMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [table, rows] : metrics.snapshot_rows.children())
    out[table] = {{"rows", rows->value()}, {"done", false}};
  for (const auto& [table, done] : metrics.snapshot_done.children()) {
    if (!out.contains(table)) out[table] = {{"rows", 0}};
    out[table]["done"] = done->value() == 1;
  }
  for (const auto& [table, estimate] : metrics.snapshot_rows_estimated.children())
    if (out.contains(table))
      out[table]["estimated_rows"] = static_cast<uint64_t>(estimate->value());
  return out;
}

}  // namespace

std::string status_json(const PipelineStatus& status, const PipelineMetrics& metrics) {
  nlohmann::json doc = {
      {"pipeline", status.name()},
      {"state", state_name(status.state())},
      {"applied_position", status.applied_position()},
      {"lag_seconds", metrics.lag_seconds.value()},
      {"batches", metrics.batches.value()},
      {"last_error", status.last_error()},
      {"rows_in", counts(metrics.rows_in)},
      {"rows_out", counts(metrics.rows_out)},
      {"snapshot", snapshot_progress(metrics)},
  };
  // Replace invalid UTF-8 (a table or error text in another encoding) rather than throw.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sluice::obs
