// Online schema changes as MySQL shops run them: gh-ost and pt-online-schema-change fill
// a shadow table while the application writes, then swap it in with one RENAME TABLE.
// The tools cannot be installed here, so each test runs the exact statements the tool
// sends, in its order, against MariaDB while sluice streams.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include "harness/background_load.hpp"
#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

constexpr int kRows = 5000;
constexpr int kChunk = 500;
constexpr const char* kColumnsBefore = "id, customer, amount";
constexpr const char* kColumnsAfter = "id, customer, amount, note";

class MySqlOnlineSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_mariadb_server();
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("myosc_");
    server_->create_database("src_" + name_);
    warehouse_->create_database("dst_" + name_);
    source_ = std::make_unique<MySqlClient>(source_url());
    sink_ = std::make_unique<PgClient>(warehouse_->url("postgres", "", "dst_" + name_));
    source_->exec(
        "CREATE TABLE orders (id INT PRIMARY KEY, customer INT, amount DECIMAL(12,2));"
        "INSERT INTO orders SELECT seq, seq % 100, seq * 0.5 FROM seq_1_to_" +
        std::to_string(kRows));
  }

  std::string db() const { return "`src_" + name_ + "`"; }
  std::string source_url() const { return server_->root_url("src_" + name_); }
  std::string pipeline() {
    return write_pipeline_file(
        name_, "name: " + name_ + "\nsource:\n  type: mysql\n  url: " + source_url() +
                   "\n  tables: [orders]\nsink:\n  type: postgres\n  url: " +
                   warehouse_->url("postgres", "", "dst_" + name_) +
                   "\n  schema: mirror\nbatch: { max_rows: 200, max_delay: 100ms }\n");
  }

  Rows source_rows(const std::string& columns) {
    return source_->query("SELECT " + columns + " FROM orders ORDER BY id");
  }
  Rows mirror_rows(const std::string& columns) {
    std::vector<SqlRow> rows =
        sink_->query("SELECT " + columns + " FROM mirror.orders ORDER BY id");
    return {rows.begin(), rows.end()};
  }
  bool wait_until_same(const std::string& columns) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (mirror_rows(columns) == source_rows(columns)) return true;
      } catch (const std::exception&) {  // the mirror column may not exist yet
      }
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  // The tools' row copy: primary-key ranges of kChunk rows, while the load writes.
  void copy_in_chunks(const std::function<std::string(int first, int last)>& chunk) {
    MySqlClient copier(source_url());
    for (int first = 1; first <= 2 * kRows; first += kChunk) {
      copier.exec(chunk(first, first + kChunk - 1));
      std::this_thread::sleep_for(20ms);  // as the tools pace themselves
    }
  }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<MySqlClient> source_;
  std::unique_ptr<PgClient> sink_;
};

// The application: inserts, updates and deletes on orders. With `shadow`, it also does
// what gh-ost does with each change it reads from the binlog: REPLACE the row into the
// shadow table (inserts, updates), or DELETE it there.
class OrdersLoad : public BackgroundLoad {
 public:
  OrdersLoad(const std::string& url, std::string shadow, uint32_t seed)
      : db_(url), shadow_(std::move(shadow)), rng_(seed) {}
  ~OrdersLoad() override { stop(); }

  // One change to orders (and the shadow), from the test's thread.
  void write_now() { run_transaction(); }

 private:
  void run_transaction() override {
    int id = 0;
    std::string customer = std::to_string(rng_() % 100);
    std::string amount = std::to_string(rng_() % 100000) + ".25";
    switch (rng_() % 3) {
      case 0:
        id = next_id_++;
        db_.exec("INSERT INTO orders (id, customer, amount) VALUES (" + std::to_string(id) + ", " +
                 customer + ", " + amount + ")");
        break;
      case 1:
        id = 1 + static_cast<int>(rng_() % kRows);
        db_.exec("UPDATE orders SET customer = " + customer + ", amount = " + amount +
                 " WHERE id = " + std::to_string(id));
        break;
      case 2:
        id = 1 + static_cast<int>(rng_() % kRows);
        db_.exec("DELETE FROM orders WHERE id = " + std::to_string(id));
        if (!shadow_.empty())
          db_.exec("delete /* gh-ost */ from " + shadow_ + " where ((`id` = " + std::to_string(id) +
                   "))");
        return;
    }
    if (shadow_.empty()) return;
    std::vector<MySqlRow> row =
        db_.query("SELECT customer, amount FROM orders WHERE id = " + std::to_string(id));
    if (row.empty()) return;  // an update of a deleted row
    db_.exec("replace /* gh-ost " + shadow_ + " */ into " + shadow_ +
             " (`id`, `customer`, `amount`) values (" + std::to_string(id) + ", " +
             row[0][0].value_or("NULL") + ", " + row[0][1].value_or("NULL") + ")");
  }

  MySqlClient db_;
  std::string shadow_;
  std::mt19937 rng_;
  int next_id_ = kRows + 1;
};

TEST_F(MySqlOnlineSchema, FollowsGhOstsCutOverWithNothingLost) {
  SluiceProcess sluice({"run", "-c", pipeline()});
  ASSERT_TRUE(wait_until_same(kColumnsBefore)) << sluice.stderr_text();
  std::string orders = db() + ".`orders`", ghost = db() + ".`_orders_gho`",
              changelog = db() + ".`_orders_ghc`", sentry = db() + ".`_orders_del`";
  source_->exec("create /* gh-ost */ table " + changelog +
                " (id bigint auto_increment, last_update timestamp not null DEFAULT "
                "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, hint varchar(64) charset ascii "
                "not null, value varchar(4096) charset ascii not null, primary key(id), unique "
                "key hint_uidx(hint)) auto_increment=256");
  source_->exec("create /* gh-ost */ table " + ghost + " like " + orders);
  source_->exec("alter /* gh-ost */ table " + ghost + " add column note varchar(50)");
  source_->exec("insert /* gh-ost */ into " + changelog +
                " (id, hint, value) values (NULLIF(2, 0), 'state', 'GhostTableMigrated') on "
                "duplicate key update last_update=NOW(), value=VALUES(value)");
  OrdersLoad load(source_url(), ghost, 7);
  load.start();
  copy_in_chunks([&](int first, int last) {
    return "insert /* gh-ost " + orders + " */ ignore into " + ghost +
           " (`id`, `customer`, `amount`) (select `id`, `customer`, `amount` from " + orders +
           " force index (`PRIMARY`) where (((`id` > " + std::to_string(first) +
           ")) or ((`id` = " + std::to_string(first) + "))) and (((`id` < " + std::to_string(last) +
           ")) or ((`id` = " + std::to_string(last) + "))) lock in share mode)";
  });
  load.stop();
  ASSERT_GT(load.transactions(), 10u);
  load.write_now();  // right before the cut-over

  // The atomic cut-over: a sentry table under the old name, both tables locked, the
  // RENAME queued behind the lock, then the sentry dropped and the lock released.
  source_->exec("create /* gh-ost */ table " + sentry +
                " (id int auto_increment primary key) engine=InnoDB "
                "comment='ghost-cut-over-sentry'");
  source_->exec("lock /* gh-ost */ tables " + orders + " write, " + sentry + " write");
  std::thread rename([&] {
    MySqlClient(source_url())
        .exec("rename /* gh-ost */ table " + orders + " to " + sentry + ", " + ghost + " to " +
              orders);
  });
  std::this_thread::sleep_for(500ms);  // lets the RENAME wait for the lock, as gh-ost checks
  source_->exec("drop /* gh-ost */ table if exists " + sentry);
  source_->exec("unlock tables");
  rename.join();

  // Right after: the application writes to the new table at once.
  source_->exec(
      "INSERT INTO orders VALUES (100000, 1, 1.00, 'after the swap');"
      "UPDATE orders SET note = 'updated after' WHERE id = 1;"
      "DELETE FROM orders WHERE id = 2");
  source_->exec("drop /* gh-ost */ table if exists " + changelog);
  source_->exec("drop /* gh-ost */ table if exists " + sentry);
  EXPECT_TRUE(wait_until_same(kColumnsAfter)) << sluice.stderr_text();
  ASSERT_FALSE(sluice.exited()) << sluice.stderr_text();
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(30s), 0) << sluice.stderr_text();
  EXPECT_EQ(mirror_rows(kColumnsAfter), source_rows(kColumnsAfter));
}

TEST_F(MySqlOnlineSchema, FollowsPtOnlineSchemaChangesSwapWithNothingLost) {
  SluiceProcess sluice({"run", "-c", pipeline()});
  ASSERT_TRUE(wait_until_same(kColumnsBefore)) << sluice.stderr_text();
  std::string orders = db() + ".`orders`", shadow = db() + ".`_orders_new`",
              old = db() + ".`_orders_old`";
  std::string trigger = "`pt_osc_src_" + name_ + "_orders_";
  source_->exec("CREATE TABLE " + shadow + " LIKE " + orders);
  source_->exec("ALTER TABLE " + shadow + " ADD COLUMN note varchar(50)");
  source_->exec("CREATE TRIGGER " + db() + "." + trigger + "del` AFTER DELETE ON " + orders +
                " FOR EACH ROW BEGIN DECLARE CONTINUE HANDLER FOR 1146 begin end; DELETE IGNORE "
                "FROM " +
                shadow + " WHERE " + shadow + ".`id` <=> OLD.`id`; END");
  source_->exec("CREATE TRIGGER " + db() + "." + trigger + "upd` AFTER UPDATE ON " + orders +
                " FOR EACH ROW BEGIN DECLARE CONTINUE HANDLER FOR 1146 begin end; DELETE IGNORE "
                "FROM " +
                shadow + " WHERE !(OLD.`id` <=> NEW.`id`) AND " + shadow +
                ".`id` <=> OLD.`id`; REPLACE INTO " + shadow +
                " (`id`, `customer`, `amount`) VALUES (NEW.`id`, NEW.`customer`, "
                "NEW.`amount`); END");
  source_->exec("CREATE TRIGGER " + db() + "." + trigger + "ins` AFTER INSERT ON " + orders +
                " FOR EACH ROW BEGIN DECLARE CONTINUE HANDLER FOR 1146 begin end; REPLACE INTO " +
                shadow +
                " (`id`, `customer`, `amount`) VALUES (NEW.`id`, NEW.`customer`, "
                "NEW.`amount`);END");
  OrdersLoad load(source_url(), "", 8);
  load.start();
  copy_in_chunks([&](int first, int last) {
    return "INSERT LOW_PRIORITY IGNORE INTO " + shadow +
           " (`id`, `customer`, `amount`) SELECT `id`, `customer`, `amount` FROM " + orders +
           " FORCE INDEX(`PRIMARY`) WHERE ((`id` >= '" + std::to_string(first) +
           "')) AND ((`id` <= '" + std::to_string(last) +
           "')) LOCK IN SHARE MODE /*pt-online-schema-change 4242 copy nibble*/";
  });
  load.write_now();  // right before the swap, the load still running
  source_->exec("ANALYZE TABLE " + shadow + " /* pt-online-schema-change */");
  source_->exec("RENAME TABLE " + orders + " TO " + old + ", " + shadow + " TO " + orders);
  load.stop();
  ASSERT_GT(load.transactions(), 10u);
  source_->exec("DROP TABLE IF EXISTS " + old);
  for (const char* event : {"del", "upd", "ins"})
    source_->exec("DROP TRIGGER IF EXISTS " + db() + "." + trigger + event + "`");
  source_->exec(
      "INSERT INTO orders VALUES (100000, 1, 1.00, 'after the swap');"
      "UPDATE orders SET note = 'updated after' WHERE id = 1;"
      "DELETE FROM orders WHERE id = 2");
  EXPECT_TRUE(wait_until_same(kColumnsAfter)) << sluice.stderr_text();
  ASSERT_FALSE(sluice.exited()) << sluice.stderr_text();
  sluice.kill(SIGTERM);
  EXPECT_EQ(sluice.wait(30s), 0) << sluice.stderr_text();
  EXPECT_EQ(mirror_rows(kColumnsAfter), source_rows(kColumnsAfter));
}

TEST_F(MySqlOnlineSchema, RenamingACapturedTableAwayStillStopsWithOneLine) {
  SluiceProcess sluice({"run", "-c", pipeline()});
  ASSERT_TRUE(wait_until_same(kColumnsBefore)) << sluice.stderr_text();
  source_->exec(
      "ALTER TABLE /* archive */ `orders` ADD COLUMN note varchar(50), RENAME TO "
      "orders_archive");
  EXPECT_EQ(sluice.wait(30s), 1) << sluice.stderr_text();
  std::string log = sluice.stderr_text();
  EXPECT_NE(log.find("renames captured table src_" + name_ + ".orders; sluice cannot follow"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace sluice::test
