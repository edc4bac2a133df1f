#pragma once
// Prometheus metrics: counters, gauges and fixed-bucket histograms, optionally with one
// label, rendered in the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Updating a metric is a relaxed atomic operation; only creating a labelled child takes a
// lock, so hot paths look the child up once and keep the reference.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::obs {

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `upper_bounds`: ascending and finite; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);

  void observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per upper bound, then +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative; last is +Inf
  std::atomic<double> sum_{0};
};

// Bucket bounds for latencies from 1 ms to 5 minutes.
std::vector<double> latency_buckets();

// Children of one metric, one per value of its single label.
template <typename Metric>
class Family {
 public:
  // The child for `label_value`, created on first use.
  Metric& with(std::string_view label_value) {
    std::lock_guard lock(mutex_);
    auto it = children_.find(label_value);
    if (it == children_.end())
      it = children_.emplace(std::string(label_value), std::make_unique<Metric>()).first;
    return *it->second;
  }

  // Every child, ordered by label value.
  std::vector<std::pair<std::string, const Metric*>> children() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, const Metric*>> out;
    for (const auto& [label, metric] : children_) out.emplace_back(label, metric.get());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Metric>, std::less<>> children_;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registration names a metric once; a second registration of a name throws.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);
  Family<Counter>& counter_family(std::string name, std::string help, std::string label);
  Family<Gauge>& gauge_family(std::string name, std::string help, std::string label);

  // Every metric, in registration order, in the Prometheus text format.
  std::string render() const;

 private:
  struct Entry;
  // Registers and constructs under the lock, so render() never sees a half-made metric.
  template <typename Metric, typename... Args>
  Metric& add(std::string name, std::string help, std::string label, Args&&... args);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace sluice::obs
