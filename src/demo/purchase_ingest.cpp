// `sluice demo ingest`: customers buying tickets at a steady rate.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "core/error.hpp"
#include "demo/demo.hpp"
#include "demo/demo_database.hpp"
#include "demo/fake_data.hpp"
#include "demo/ingest_pacer.hpp"

namespace sluice::demo {
namespace {

using Clock = IngestPacer::Clock;

std::atomic<bool> stop_requested{false};

// At high rates one transaction carries many purchases; this caps its size so a slow
// moment is caught up in a few transactions rather than one huge one.
constexpr uint64_t kMaxRowsPerTransaction = 5000;
// Longest sleep between checks for a stop request.
constexpr auto kMaxSleep = std::chrono::milliseconds(200);
constexpr auto kProgressEvery = std::chrono::seconds(5);

struct Stock {
  std::vector<int64_t> tickets;  // unsold, in the random order they will be sold
  std::vector<int64_t> customers;
};

Stock load_stock(DemoDatabase& db, DemoRandom& random) {
  Stock stock{db.int_column(db.sql().unsold_ticket_ids()), db.int_column(db.sql().customer_ids())};
  if (stock.customers.empty())
    throw ConfigError("demo ingest: the customer table is empty; run `sluice demo init` first");
  // Fisher-Yates with the demo's own generator.
  for (size_t i = stock.tickets.size(); i > 1; --i)
    std::swap(stock.tickets[i - 1],
              stock.tickets[static_cast<size_t>(random.between(0, static_cast<int64_t>(i) - 1))]);
  return stock;
}

class Ingest {
 public:
  Ingest(const IngestOptions& options, DemoDatabase& db, Stock stock, uint64_t seed)
      : options_(options),
        db_(db),
        stock_(std::move(stock)),
        random_(seed),
        start_(Clock::now()),
        pacer_(options.rows_per_second, start_),
        last_progress_(start_) {}

  void run() {
    fmt::print("demo ingest: {} unsold tickets, {} customers; selling {} tickets/s{}\n",
               stock_.tickets.size(), stock_.customers.size(), options_.rows_per_second,
               options_.duration ? fmt::format(" for {} s", options_.duration->count() / 1000.0)
                                 : std::string(" until stopped"));
    std::fflush(stdout);
    while (!stop_requested && !finished_by_time()) {
      if (sold_ == stock_.tickets.size()) {
        sold_out_ = true;
        break;
      }
      uint64_t due = std::min<uint64_t>(pacer_.due(Clock::now()), stock_.tickets.size());
      if (due > sold_)
        sell(std::min(due - sold_, kMaxRowsPerTransaction));
      else
        wait_for(pacer_.next_due(sold_));
      maybe_report();
    }
    report_end();
  }

 private:
  bool finished_by_time() const {
    return options_.duration && Clock::now() - start_ >= *options_.duration;
  }

  void sell(uint64_t count) {
    std::vector<std::pair<int64_t, int64_t>> purchases;
    purchases.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      auto customer = static_cast<size_t>(
          random_.between(0, static_cast<int64_t>(stock_.customers.size()) - 1));
      purchases.emplace_back(stock_.tickets[sold_ + i], stock_.customers[customer]);
    }
    // One statement is one transaction in both dialects (autocommit).
    db_.exec(db_.sql().insert_purchases(purchases));
    sold_ += count;
  }

  void wait_for(Clock::time_point when) {
    Clock::time_point limit = Clock::now() + kMaxSleep;
    if (options_.duration) limit = std::min(limit, start_ + *options_.duration);
    std::this_thread::sleep_until(std::min(when, limit));
  }

  double elapsed_seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

  void maybe_report() {
    if (Clock::now() - last_progress_ < kProgressEvery) return;
    last_progress_ = Clock::now();
    double seconds = elapsed_seconds();
    fmt::print("demo ingest: {} purchases in {:.0f} s ({:.1f}/s), {} tickets left\n", sold_,
               seconds, static_cast<double>(sold_) / seconds, stock_.tickets.size() - sold_);
    std::fflush(stdout);
  }

  void report_end() {
    double seconds = elapsed_seconds();
    std::string why = sold_out_        ? "every ticket is sold"
                      : stop_requested ? "stopped"
                                       : "duration reached";
    fmt::print("demo ingest: {}: {} purchases in {:.1f} s ({:.1f}/s), {} tickets left\n", why,
               sold_, seconds, seconds > 0 ? static_cast<double>(sold_) / seconds : 0.0,
               stock_.tickets.size() - sold_);
    std::fflush(stdout);
  }

  const IngestOptions& options_;
  DemoDatabase& db_;
  Stock stock_;
  DemoRandom random_;
  Clock::time_point start_;
  IngestPacer pacer_;
  Clock::time_point last_progress_;
  uint64_t sold_ = 0;
  bool sold_out_ = false;
};

void check_rate(double rate) {
  if (!(rate > 0) || !std::isfinite(rate) || rate > 10000000)
    throw ConfigError(fmt::format(
        "demo ingest: --rate must be between 0 and 10000000 rows per second, got {}", rate));
}

}  // namespace

void stop_ingest() {
  stop_requested = true;
}

int ingest_purchases(const IngestOptions& options) {
  check_rate(options.rows_per_second);
  DemoDatabase db(options.url);
  uint64_t seed = std::random_device{}();
  DemoRandom random(seed);
  Stock stock = load_stock(db, random);
  Ingest(options, db, std::move(stock), random.next()).run();
  return 0;
}

}  // namespace sluice::demo
