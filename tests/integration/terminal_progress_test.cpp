// `sluice run` as a person sees it at a terminal: a progress bar with rate and ETA while
// the snapshot copies, a live one-line summary while streaming, erased on exit; and plain
// logs, without any terminal control sequence, for pipes, JSON logs and --no-progress.

#include <gtest/gtest.h>

#include <csignal>

#include "harness/pg_server.hpp"
#include "harness/pseudo_terminal.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kEraseLine = "\r\x1b[K";

class TerminalProgress : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = pipeline_name_for_test("term");
    server_ = &shared_pg_server();
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(server_->url("postgres", "", "src_" + name_));
    file_ = write_pipeline_file(
        name_,
        "name: " + name_ +
            "\nsource:\n  type: postgres\n  url: " + server_->url("postgres", "", "src_" + name_) +
            "\nsink:\n  type: postgres\n  url: " + server_->url("postgres", "", "dst_" + name_) +
            "\nbatch: { max_rows: 1000, max_delay: 50ms }\n");
  }

  // Enough rows that copying them takes several redraws of the status line.
  void fill_source(int rows) {
    source_->exec(
        "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders "
        "SELECT g, 'snap' FROM generate_series(1, " +
        std::to_string(rows) + ") g; ANALYZE orders");
  }

  std::string name_;
  std::string file_;
  PgServer* server_ = nullptr;
  std::unique_ptr<PgClient> source_;
};

TEST_F(TerminalProgress, SnapshotBarThenStreamingSummaryErasedOnExit) {
  // Copied at about a million rows a second here: a dozen redraws.
  fill_source(3000000);
  PseudoTerminal terminal;
  SluiceProcess pipeline({"run", "-c", file_}, {{"TERM", "xterm"}}, terminal.child_fd());
  ASSERT_TRUE(terminal.wait_for("streaming  ", 120s)) << terminal.output();

  std::string during = terminal.output();
  // The snapshot bar: a percentage of the catalog's estimate, a rate and the time left.
  EXPECT_NE(during.find(std::string(kEraseLine) + "snapshot ["), std::string::npos) << during;
  EXPECT_NE(during.find("M rows  "), std::string::npos) << during;
  EXPECT_NE(during.find(" rows/s  ETA "), std::string::npos) << during;
  EXPECT_NE(during.find("0/1 tables"), std::string::npos) << during;
  // Log lines still arrive whole, above the status line.
  EXPECT_NE(during.find("snapshot complete: 3000000 rows in 1 tables"), std::string::npos);

  source_->exec("INSERT INTO orders SELECT g, 'new' FROM generate_series(4000001, 4000007) g");
  ASSERT_TRUE(terminal.wait_for("in 7  out 7  lag ", 60s)) << terminal.output();

  pipeline.kill(SIGTERM);
  EXPECT_EQ(pipeline.wait(30s), 0);
  std::string after = terminal.settled_output();
  EXPECT_NE(after.find("stopped: applied up to"), std::string::npos);
  EXPECT_TRUE(after.ends_with(kEraseLine)) << "the status line is left on the screen: " << after;
}

TEST_F(TerminalProgress, NoStatusLineWithNoProgressJsonLogsOrAPipe) {
  fill_source(1000);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", "-c", file_, "--until-caught-up", "--no-progress"},
        std::vector<std::string>{"--log-format", "json", "run", "-c", file_,
                                 "--until-caught-up"}}) {
    PseudoTerminal terminal;
    SluiceProcess pipeline(args, {{"TERM", "xterm"}}, terminal.child_fd());
    ASSERT_EQ(pipeline.wait(60s), 0) << terminal.output();
    std::string output = terminal.settled_output();
    EXPECT_NE(output.find("caught up"), std::string::npos) << output;
    EXPECT_EQ(output.find('\x1b'), std::string::npos) << args[0] << ": " << output;
  }
  ProcessResult piped =
      SluiceProcess::run_to_completion({"run", "-c", file_, "--until-caught-up"}, 60s);
  ASSERT_EQ(piped.exit_code, 0) << piped.stderr_text;
  EXPECT_NE(piped.stderr_text.find("caught up"), std::string::npos);
  EXPECT_EQ(piped.stderr_text.find('\x1b'), std::string::npos) << piped.stderr_text;
}

}  // namespace
}  // namespace sluice::test
