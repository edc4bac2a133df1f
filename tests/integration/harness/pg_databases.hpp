#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/pg_server.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_dir.hpp"

namespace sluice::test {

// A test with a source and a warehouse database of its own on the shared PostgreSQL
// server, named after the running test (`prefix` keeps suites apart).
class PgDatabasesTest : public ::testing::Test {
 protected:
  explicit PgDatabasesTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    server_ = &shared_pg_server();
    name_ = pipeline_name_for_test(prefix_);
    server_->create_database("src_" + name_);
    server_->create_database("dst_" + name_);
    source_ = std::make_unique<PgClient>(source_url());
    sink_ = std::make_unique<PgClient>(sink_url());
  }

  std::string source_url() const { return server_->url("postgres", "", "src_" + name_); }
  std::string sink_url() const { return server_->url("postgres", "", "dst_" + name_); }

  PgServer* server_ = nullptr;
  std::string name_;
  std::unique_ptr<PgClient> source_;
  std::unique_ptr<PgClient> sink_;

 private:
  std::string prefix_;
};

}  // namespace sluice::test
