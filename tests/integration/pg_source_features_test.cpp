// PostgreSQL source features against real servers: partitioned tables, replica identity
// indexes that are not the primary key, unchanged TOAST values under a key change, and
// relation messages resent during a run.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "harness/checksum.hpp"
#include "harness/pg_databases.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class PgSourceFeatures : public PgDatabasesTest {
 protected:
  PgSourceFeatures() : PgDatabasesTest("f_") {}

  std::string pipeline(const std::string& source_extra = "",
                       const std::string& sink_type = "postgres") {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: postgres\n  url: " + source_url() + "\n" +
                   source_extra + "sink:\n  type: " + sink_type + "\n  url: " + sink_url() +
                   "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  }

  // Redshift's GETDATE(), so the Redshift dialect's SQL runs on PostgreSQL.
  void allow_redshift_dialect() {
    sink_->exec(
        "CREATE FUNCTION getdate() RETURNS timestamp LANGUAGE sql AS 'SELECT now()::timestamp'");
  }

  void run_until_caught_up(const std::string& file) {
    ProcessResult r =
        SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 180s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  void expect_same(const std::string& table, const std::vector<std::string>& key) {
    TableChecksum want = table_checksum(*source_, "public." + table, key);
    TableChecksum got = table_checksum(*sink_, "mirror." + table, key);
    EXPECT_EQ(got.rows, want.rows) << table;
    EXPECT_EQ(got.checksum, want.checksum) << table;
  }
};

// A value too big and random to compress or stay inline: with STORAGE EXTERNAL it lives
// out of line, so an update that leaves it alone sends it as "unchanged".
std::string big_value(const std::string& seed) {
  return "(SELECT string_agg(md5(" + seed + " || '-' || s), '') FROM generate_series(1, 200) s)";
}

void create_measurements(PgClient& db) {
  db.exec(
      "CREATE TABLE measurements (id int, day date, v text, PRIMARY KEY (id, day)) "
      "PARTITION BY RANGE (day);"
      "CREATE TABLE measurements_q1 PARTITION OF measurements "
      "FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');"
      "CREATE TABLE measurements_q2 PARTITION OF measurements "
      "FOR VALUES FROM ('2024-04-01') TO ('2024-07-01');"
      "CREATE TABLE measurements_q3 PARTITION OF measurements "
      "FOR VALUES FROM ('2024-07-01') TO ('2024-10-01');"
      "CREATE TABLE measurements_other PARTITION OF measurements DEFAULT;"
      "INSERT INTO measurements SELECT g, date '2024-01-01' + g * 3, 'v' || g "
      "FROM generate_series(1, 200) g;");
}

TEST_F(PgSourceFeatures, PartitionedTableIsCapturedAsItsRoot) {
  create_measurements(*source_);
  run_until_caught_up(pipeline());
  expect_same("measurements", {"id", "day"});
  source_->exec(
      "INSERT INTO measurements VALUES (1001, '2024-02-01', 'q1'), (1002, '2024-05-01', 'q2'), "
      "(1003, '2024-08-01', 'q3'), (1004, '2025-03-01', 'other');"
      "UPDATE measurements SET v = v || '!' WHERE id % 7 = 0;"
      // Moves between partitions: PostgreSQL runs them as a delete and an insert.
      "UPDATE measurements SET day = day + 100 WHERE id % 5 = 0;"
      "UPDATE measurements SET day = '2026-01-01' WHERE id = 1001;"
      "DELETE FROM measurements WHERE id % 11 = 0;");
  run_until_caught_up(pipeline());
  expect_same("measurements", {"id", "day"});
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mirror' AND "
                          "tablename LIKE 'measurements_%'"),
            "0");
}

TEST_F(PgSourceFeatures, PublicationOfAnOlderSluicePublishesThroughTheRoot) {
  create_measurements(*source_);
  source_->exec("CREATE PUBLICATION sluice_" + name_ + " FOR TABLE measurements");
  run_until_caught_up(pipeline());
  source_->exec("UPDATE measurements SET v = 'changed' WHERE id < 50");
  run_until_caught_up(pipeline());
  expect_same("measurements", {"id", "day"});
  EXPECT_EQ(source_->scalar("SELECT pubviaroot FROM pg_publication WHERE pubname = 'sluice_" +
                            name_ + "'"),
            "t");
}

// A partition attached while sluice runs: its later changes arrive under the root. Rows
// it held before ATTACH were never changes; the documented remedy, a reset and a new
// snapshot, brings them.
TEST_F(PgSourceFeatures, PartitionAttachedLaterIsCaptured) {
  create_measurements(*source_);
  source_->exec("DROP TABLE measurements_other");
  std::string file = pipeline();
  run_until_caught_up(file);
  source_->exec(
      "CREATE TABLE measurements_q4 (LIKE measurements);"
      "ALTER TABLE measurements ATTACH PARTITION measurements_q4 "
      "FOR VALUES FROM ('2024-10-01') TO ('2025-01-01');"
      "INSERT INTO measurements VALUES (2001, '2024-11-01', 'through the root');"
      "INSERT INTO measurements_q4 VALUES (2002, '2024-12-01', 'into the partition');"
      "UPDATE measurements SET day = '2024-10-15' WHERE id = 2;");
  run_until_caught_up(file);
  expect_same("measurements", {"id", "day"});
  source_->exec(
      "CREATE TABLE measurements_2025 (LIKE measurements);"
      "INSERT INTO measurements_2025 VALUES (3001, '2025-02-01', 'before attach');"
      "ALTER TABLE measurements ATTACH PARTITION measurements_2025 "
      "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
      "UPDATE measurements SET v = 'after attach' WHERE id = 2001");
  // The last run's walsender may hold the slot a moment after the process exits.
  ProcessResult reset;
  for (int attempt = 0; attempt < 50 && reset.exit_code != 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(100ms);
    reset = SluiceProcess::run_to_completion({"reset", "-c", file}, 30s);
  }
  ASSERT_EQ(reset.exit_code, 0) << reset.stderr_text;
  run_until_caught_up(file);
  expect_same("measurements", {"id", "day"});
}

TEST_F(PgSourceFeatures, PartitionNamedAsATableIsRefused) {
  create_measurements(*source_);
  std::string file = pipeline("  tables: [measurements_q2]\n");
  ProcessResult run =
      SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 60s);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.stderr_text.find("public.measurements_q2 is a partition of public.measurements"),
            std::string::npos)
      << run.stderr_text;
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.stdout_text.find("public.measurements_q2 is a partition of public.measurements"),
            std::string::npos)
      << check.stdout_text << check.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mirror' AND "
                          "tablename LIKE 'measurements%'"),
            "0");
}

// Deletes and key changes of a table whose replica identity is a unique index other than
// the primary key: the old row is known only by the index columns.
void replica_identity_index_round(PgClient& source, const std::function<void()>& run,
                                  const std::string& table) {
  source.exec("CREATE TABLE " + table +
              " (id int PRIMARY KEY, code text NOT NULL, v text);"
              "CREATE UNIQUE INDEX " +
              table + "_code ON " + table + " (code);ALTER TABLE " + table +
              " REPLICA IDENTITY USING INDEX " + table + "_code;INSERT INTO " + table +
              " SELECT g, 'c' || g, 'v' || g FROM generate_series(1, 20) g;");
  run();
  source.exec("DELETE FROM " + table + " WHERE id = 1;UPDATE " + table +
              " SET v = 'non-key' WHERE id = 2;UPDATE " + table +
              " SET code = 'moved3' WHERE id = 3;UPDATE " + table +
              " SET id = 104 WHERE id = 4;UPDATE " + table +
              " SET id = 105, code = 'moved5' WHERE id = 5;"
              "BEGIN;UPDATE " +
              table + " SET code = 'x6' WHERE id = 6;DELETE FROM " + table +
              " WHERE id = 6;INSERT INTO " + table + " VALUES (21, 'c21', 'new');UPDATE " + table +
              " SET code = 'c21b' WHERE id = 21;UPDATE " + table +
              " SET id = 22 WHERE id = 21;DELETE FROM " + table + " WHERE id = 7;UPDATE " + table +
              " SET code = 'c7' WHERE id = 8;COMMIT;");
  run();
}

TEST_F(PgSourceFeatures, ReplicaIdentityIndexMatchesDeletesAndKeyChanges) {
  std::string file = pipeline();
  replica_identity_index_round(
      *source_, [&] { run_until_caught_up(file); }, "accounts");
  expect_same("accounts", {"id"});
}

TEST_F(PgSourceFeatures, ReplicaIdentityIndexThroughTheRedshiftDialect) {
  allow_redshift_dialect();
  std::string file = pipeline("", "redshift");
  replica_identity_index_round(
      *source_, [&] { run_until_caught_up(file); }, "accounts");
  expect_same("accounts", {"id"});
}

// Without a primary key the replica identity index is the key, in the warehouse too.
TEST_F(PgSourceFeatures, TableKeyedOnlyByReplicaIdentityIndexIsCaptured) {
  source_->exec(
      "CREATE TABLE tagged (code text NOT NULL, v text);"
      "CREATE UNIQUE INDEX tagged_code ON tagged (code);"
      "ALTER TABLE tagged REPLICA IDENTITY USING INDEX tagged_code;"
      "INSERT INTO tagged SELECT 'c' || g, 'v' || g FROM generate_series(1, 10) g;");
  run_until_caught_up(pipeline());
  source_->exec(
      "DELETE FROM tagged WHERE code = 'c1'; UPDATE tagged SET v = 'x' WHERE code = 'c2';"
      "UPDATE tagged SET code = 'c33' WHERE code = 'c3'; INSERT INTO tagged VALUES ('c11', 'n');");
  run_until_caught_up(pipeline());
  expect_same("tagged", {"code"});
}

void toast_key_change_round(PgClient& source, const std::function<void()>& run) {
  source.exec(
      "CREATE TABLE docs (id int PRIMARY KEY, body text, n int);"
      "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;"
      "INSERT INTO docs SELECT g, " +
      big_value("g") + ", 0 FROM generate_series(1, 10) g;");
  run();
  source.exec(
      "UPDATE docs SET id = 101 WHERE id = 1;"
      "BEGIN; UPDATE docs SET id = 102 WHERE id = 2; UPDATE docs SET n = 5 WHERE id = 102; COMMIT;"
      "BEGIN; UPDATE docs SET id = 103 WHERE id = 3; UPDATE docs SET id = 203 WHERE id = 103;"
      "UPDATE docs SET n = 6 WHERE id = 203; COMMIT;"
      // The new key existed in the warehouse a moment ago, with another body.
      "BEGIN; DELETE FROM docs WHERE id = 6; UPDATE docs SET id = 6 WHERE id = 7; COMMIT;"
      "BEGIN; UPDATE docs SET n = 9 WHERE id = 8; UPDATE docs SET id = 108 WHERE id = 8; COMMIT;");
  run();
}

TEST_F(PgSourceFeatures, KeyChangeKeepsTheUnchangedToastValue) {
  std::string file = pipeline();
  toast_key_change_round(*source_, [&] { run_until_caught_up(file); });
  expect_same("docs", {"id"});
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM mirror.docs WHERE length(body) = 6400"), "9");
}

TEST_F(PgSourceFeatures, KeyChangeKeepsTheUnchangedToastValueThroughTheRedshiftDialect) {
  allow_redshift_dialect();
  std::string file = pipeline("", "redshift");
  toast_key_change_round(*source_, [&] { run_until_caught_up(file); });
  expect_same("docs", {"id"});
}

// After ALTER TABLE, CREATE INDEX and the like pgoutput sends the relation again; the
// sink keeps one staging table per source table.
TEST_F(PgSourceFeatures, ResentRelationsKeepOneStagingTablePerTable) {
  source_->exec(
      "CREATE TABLE notes (id int PRIMARY KEY, v text);"
      "INSERT INTO notes SELECT g, 'v' || g FROM generate_series(1, 10) g;");
  SluiceProcess sluice({"run", "-c", pipeline()});
  auto caught_up = [&] {
    TableChecksum want = table_checksum(*source_, "public.notes", {"id"});
    for (int i = 0; i < 600; ++i) {
      try {
        if (table_checksum(*sink_, "mirror.notes", {"id"}).checksum == want.checksum) return true;
      } catch (const std::exception&) {
        // The snapshot has not created the table yet.
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  };
  for (int round = 0; round < 8; ++round) {
    std::string r = std::to_string(round);
    switch (round % 3) {
      case 0:
        source_->exec("CREATE INDEX notes_v_" + r + " ON notes (v)");
        break;
      case 1:
        source_->exec("ALTER TABLE notes ALTER COLUMN v SET STATISTICS " +
                      std::to_string(100 + round));
        break;
      case 2:
        // Without a default: existing rows gain no value the stream never sent.
        source_->exec("ALTER TABLE notes ADD COLUMN c" + r + " int");
        break;
    }
    source_->exec("UPDATE notes SET v = v || '" + r +
                  "' WHERE id % 3 = " + std::to_string(round % 3) +
                  "; INSERT INTO notes (id, v) VALUES (" + std::to_string(100 + round) +
                  ", 'new'); DELETE FROM notes WHERE id = " + std::to_string(round + 1));
    ASSERT_TRUE(caught_up()) << "round " << round << ": " << sluice.stderr_text();
  }
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                          "c.relnamespace WHERE n.nspname LIKE 'pg_temp%' AND c.relname LIKE "
                          "'sluice_stage%'"),
            "1");
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(30s), 0) << sluice.stderr_text();
  expect_same("notes", {"id"});
}

}  // namespace
}  // namespace sluice::test
