// `sluice demo init|ingest|upsert`: the reference scenario's data generators.

#include <csignal>

#include "cli/commands.hpp"
#include "demo/demo.hpp"
#include "demo/ingest_pacer.hpp"

namespace sluice::cli {

struct DemoArgs {
  demo::InitOptions init;
  demo::IngestOptions ingest;
  std::string duration;
  std::string upsert_url;
  int64_t ticket_id = 0;
};

namespace {

void on_stop_signal(int) {
  demo::stop_ingest();
}

void add_init(CLI::App& demo, DemoArgs& args, std::function<int()>& selected) {
  CLI::App* init = demo.add_subcommand(
      "init",
      "drop and create sport_event, ticket, customer, ticket_activity; fill the first three");
  init->add_option("--url", args.init.url, "postgresql://... or mysql://...")->required();
  init->add_option("--events", args.init.events, "sport events")->capture_default_str();
  init->add_option("--tickets", args.init.tickets, "tickets")->capture_default_str();
  init->add_option("--customers", args.init.customers, "customers")->capture_default_str();
  init->add_option("--seed", args.init.seed, "the same seed gives the same data")
      ->capture_default_str();
  init->callback([&] { selected = [&] { return demo::init_tables(args.init); }; });
}

void add_ingest(CLI::App& demo, DemoArgs& args, std::function<int()>& selected) {
  CLI::App* ingest =
      demo.add_subcommand("ingest", "insert ticket_activity rows (purchases) at a steady rate");
  ingest->add_option("--url", args.ingest.url, "postgresql://... or mysql://...")->required();
  ingest
      ->add_option("--rate", args.ingest.rows_per_second,
                   "purchases per second, e.g. 0.0167 (one a minute) to 50000")
      ->required();
  ingest->add_option("--duration", args.duration,
                     "stop after this long (30s, 5m, 1h); default: until SIGINT/SIGTERM");
  ingest->callback([&] {
    selected = [&] {
      if (!args.duration.empty()) args.ingest.duration = demo::parse_demo_duration(args.duration);
      std::signal(SIGINT, on_stop_signal);
      std::signal(SIGTERM, on_stop_signal);
      return demo::ingest_purchases(args.ingest);
    };
  });
}

void add_upsert(CLI::App& demo, DemoArgs& args, std::function<int()>& selected) {
  CLI::App* upsert =
      demo.add_subcommand("upsert", "give a sold ticket a random other buyer and a new updated_at");
  upsert->add_option("--url", args.upsert_url, "postgresql://... or mysql://...")->required();
  upsert->add_option("--ticket-id", args.ticket_id, "a ticket_id present in ticket_activity")
      ->required();
  upsert->callback(
      [&] { selected = [&] { return demo::reassign_ticket(args.upsert_url, args.ticket_id); }; });
}

}  // namespace

std::shared_ptr<DemoArgs> add_demo_commands(CLI::App& app, std::function<int()>& selected) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand("demo", "the reference scenario's data generators");
  demo->require_subcommand(1);
  add_init(*demo, *args, selected);
  add_ingest(*demo, *args, selected);
  add_upsert(*demo, *args, selected);
  return args;
}

}  // namespace sluice::cli
