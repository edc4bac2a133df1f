// `sluice check` against real servers: one clear line per problem, exit 2, no secrets.

#include <gtest/gtest.h>

#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string pipeline_for(const std::string& name, const std::string& source_url,
                         const std::string& sink_url) {
  return write_pipeline_file(name, "name: " + name +
                                       "\nsource:\n  type: postgres\n  url: " + source_url +
                                       "\nsink:\n  type: postgres\n  url: " + sink_url + "\n");
}

TEST(PgCheck, ReadySourcePasses) {
  PgServer& server = shared_pg_server();
  server.create_database("check_ok");
  PgClient(server.url("postgres", "", "check_ok")).exec("CREATE TABLE t (id int PRIMARY KEY)");
  std::string url = server.url("postgres", "", "check_ok");
  ProcessResult r =
      SluiceProcess::run_to_completion({"check", "-c", pipeline_for("check_ok", url, url)}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("ok"), std::string::npos);
}

TEST(PgCheck, ReportsWalLevelMissingKeyAndWrongPasswordWithoutLeakingIt) {
  PgServerOptions options;
  options.wal_level = "replica";
  PgServer replica_only(options);
  PgClient admin(replica_only.url("postgres", "", "postgres"));
  admin.exec("CREATE TABLE keyless (v text); CREATE TABLE keyed (id int PRIMARY KEY)");
  std::string source = replica_only.url("postgres", "", "postgres");
  const std::string wrong_password = "Wr0ng-Pa55word-xyz";
  std::string sink =
      shared_pg_server().url(shared_pg_server().password_user(), wrong_password, "postgres");
  std::string file = write_pipeline_file(
      "check_bad", "name: check_bad\nsource:\n  type: postgres\n  url: " + source +
                       "\n  tables: [keyless, keyed]\nsink:\n  type: postgres\n  url: " + sink +
                       "\n");
  ProcessResult r = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(r.exit_code, 2);
  std::string out = r.stdout_text + r.stderr_text;
  EXPECT_NE(out.find("wal_level is 'replica'"), std::string::npos) << out;
  EXPECT_NE(out.find("public.keyless has no primary key"), std::string::npos) << out;
  EXPECT_NE(out.find("sink: cannot connect"), std::string::npos) << out;
  EXPECT_EQ(out.find(wrong_password), std::string::npos) << out;
  // One line per problem.
  EXPECT_EQ(std::count(r.stdout_text.begin(), r.stdout_text.end(), '\n'), 3) << r.stdout_text;
}

TEST(PgCheck, BadPipelineFileNamesFileAndLine) {
  std::string file = write_pipeline_file("check_file", "name: x\nsource:\n  type: oracle\n");
  ProcessResult r = SluiceProcess::run_to_completion({"check", "-c", file}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find(":3: source.type: 'oracle' is not one of"), std::string::npos)
      << r.stderr_text;
}

TEST(PgCheck, RunWithWrongPasswordFailsClearlyWithoutLeakingIt) {
  PgServer& server = shared_pg_server();
  const std::string wrong_password = "An0ther-Wr0ng-one";
  std::string url = server.url(server.password_user(), wrong_password, "postgres");
  ProcessResult r = SluiceProcess::run_to_completion(
      {"run", "-c", pipeline_for("wrong_pw", url, url), "--until-caught-up"}, 60s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("password authentication failed"), std::string::npos)
      << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find(wrong_password), std::string::npos) << r.stderr_text;
}

}  // namespace
}  // namespace sluice::test
