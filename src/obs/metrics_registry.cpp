#include "obs/metrics_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace sluice::obs {
namespace {

// Prometheus floats: Go's formatting of +Inf, -Inf and NaN; shortest round-trip otherwise.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// Label values escape backslash, double quote and line feed; HELP text only the first and
// last (exposition format 0.0.4).
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end() ||
      std::any_of(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }))
    throw std::invalid_argument("histogram bounds must be finite and strictly ascending");
}

void Histogram::observe(double value) {
  // Bucket i counts observations <= bounds_[i] (the "le" label).
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                 bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // The count is the +Inf bucket, so a scrape racing an observe() stays self-consistent.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// Finer between 0.1 s and 2.5 s, where batch.max_delay puts commit-to-visible latencies,
// so quantiles interpolated within a bucket stay close to the truth.
std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5,
          0.75,  1,      1.5,   2,    2.5,   5,    10,  30,  60,  120, 300};
}

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  std::string label;
  std::variant<std::monostate, Counter, Gauge, Histogram, Family<Counter>, Family<Gauge>> metric;

  std::string_view type() const {
    if (std::holds_alternative<Counter>(metric) || std::holds_alternative<Family<Counter>>(metric))
      return "counter";
    if (std::holds_alternative<Histogram>(metric)) return "histogram";
    return "gauge";
  }

  void render(std::string& out) const {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escaped(help, false), name, type());
    if (const auto* c = std::get_if<Counter>(&metric))
      fmt::format_to(std::back_inserter(out), "{} {}\n", name, c->value());
    else if (const auto* g = std::get_if<Gauge>(&metric))
      fmt::format_to(std::back_inserter(out), "{} {}\n", name, number(g->value()));
    else if (const auto* h = std::get_if<Histogram>(&metric))
      render_histogram(*h, out);
    else if (const auto* cf = std::get_if<Family<Counter>>(&metric))
      for (const auto& [value, child] : cf->children())
        fmt::format_to(std::back_inserter(out), "{}{{{}=\"{}\"}} {}\n", name, label,
                       escaped(value, true), child->value());
    else if (const auto* gf = std::get_if<Family<Gauge>>(&metric))
      for (const auto& [value, child] : gf->children())
        fmt::format_to(std::back_inserter(out), "{}{{{}=\"{}\"}} {}\n", name, label,
                       escaped(value, true), number(child->value()));
  }

  void render_histogram(const Histogram& h, std::string& out) const {
    Histogram::Snapshot s = h.snapshot();
    const std::vector<double>& bounds = h.upper_bounds();
    for (size_t i = 0; i <= bounds.size(); ++i)
      fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name,
                     i < bounds.size() ? number(bounds[i]) : "+Inf", s.cumulative[i]);
    fmt::format_to(std::back_inserter(out), "{}_sum {}\n{}_count {}\n", name, number(s.sum), name,
                   s.count);
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename Metric, typename... Args>
Metric& MetricsRegistry::add(std::string name, std::string help, std::string label,
                             Args&&... args) {
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_)
    if (e->name == name) throw std::logic_error("metric registered twice: " + name);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->label = std::move(label);
  Metric& metric = entry->metric.template emplace<Metric>(std::forward<Args>(args)...);
  entries_.push_back(std::move(entry));
  return metric;
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
  return add<Counter>(std::move(name), std::move(help), "");
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  return add<Gauge>(std::move(name), std::move(help), "");
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help,
                                      std::vector<double> upper_bounds) {
  return add<Histogram>(std::move(name), std::move(help), "", std::move(upper_bounds));
}

Family<Counter>& MetricsRegistry::counter_family(std::string name, std::string help,
                                                 std::string label) {
  return add<Family<Counter>>(std::move(name), std::move(help), std::move(label));
}

Family<Gauge>& MetricsRegistry::gauge_family(std::string name, std::string help,
                                             std::string label) {
  return add<Family<Gauge>>(std::move(name), std::move(help), std::move(label));
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& e : entries_) e->render(out);
  return out;
}

}  // namespace sluice::obs
