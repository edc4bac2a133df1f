#pragma once
// The reference scenario's three data generators (the README's "reference scenario" section):
// `sluice demo init`, `sluice demo ingest` and `sluice demo upsert`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice::demo {

struct InitOptions {
  std::string url;
  int64_t events = 50;
  int64_t tickets = 10000;
  int64_t customers = 1000;
  uint64_t seed = 1;
};

// Drops and creates the four tables, then fills the three dimensions. Returns 0.
int init_tables(const InitOptions& options);

struct IngestOptions {
  std::string url;
  double rows_per_second = 1;
  std::optional<std::chrono::milliseconds> duration;  // empty: until stop_ingest()
};

// Sells unsold tickets to random customers at the given rate until the duration ends,
// stop_ingest() is called or every ticket is sold. Returns 0.
int ingest_purchases(const IngestOptions& options);

// Async-signal-safe: asks ingest_purchases() to finish its transaction and return.
void stop_ingest();

// Gives the ticket's activity row a random other buyer and a new updated_at; throws
// ConfigError (exit 2) when the ticket has no activity. Returns 0.
int reassign_ticket(const std::string& url, int64_t ticket_id);

}  // namespace sluice::demo
