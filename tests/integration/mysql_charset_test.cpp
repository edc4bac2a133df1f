// MySQL character sets against a real MariaDB: sluice's conversion to UTF-8 agrees with
// the server's own for every character set it accepts, text in cp1251, gbk, utf16,
// latin1 (and ENUM names) arrives in the warehouse as the source shows it through both
// the snapshot and the binlog, and a character set sluice cannot convert stops it.

#include "source/mysql/mysql_charset.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.hpp"
#include "harness/mariadb_server.hpp"
#include "harness/pg_server.hpp"
#include "harness/sluice_process.hpp"
#include "harness/sql_client.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

std::string unhex(std::string_view text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  return out;
}

void append_utf8(char32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

// Every code point of the Basic Multilingual Plane but the controls and surrogates, and a
// few beyond it.
std::string every_bmp_character() {
  std::string out;
  for (char32_t c = 0x20; c < 0x10000; ++c)
    if (c != 0x7f && (c < 0xd800 || c > 0xdfff)) append_utf8(c, out);
  for (char32_t c : {U'\U0001F600', U'\U00020000', U'\U0002A6D6'}) append_utf8(c, out);
  return out;
}

// sluice's text of `bytes`, or "<error>" when the converter refuses them.
std::string converted(const std::string& charset, const std::string& bytes) {
  mysql::Utf8Converter converter(charset);
  std::string out;
  try {
    converter.append(bytes, out);
  } catch (const FatalError&) {
    return "<error>";
  }
  return out;
}

// Where two texts first differ, with some context, for the failure message.
std::string first_difference(const std::string& got, const std::string& want) {
  size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  size_t from = at < 12 ? 0 : at - 12;
  return "at byte " + std::to_string(at) + ": sluice " + hex(got.substr(from, 24)) + ", server " +
         hex(want.substr(from, 24));
}

class MySqlCharset : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = &shared_mariadb_server();
    warehouse_ = &shared_pg_server();
    name_ = pipeline_name_for_test("mycs_");
    server_->create_database("src_" + name_);
    warehouse_->create_database("dst_" + name_);
    source_ = std::make_unique<MySqlClient>(source_url());
    sink_ = std::make_unique<PgClient>(sink_url());
  }

  std::string source_url() const { return server_->root_url("src_" + name_); }
  std::string sink_url() const { return warehouse_->url("postgres", "", "dst_" + name_); }

  std::string pipeline(const std::string& url, const std::string& suffix = "") {
    return write_pipeline_file(
        name_ + suffix, "name: " + name_ + suffix + "\nsource:\n  type: mysql\n  url: " + url +
                            "\nsink:\n  type: postgres\n  url: " + sink_url() +
                            "\n  schema: mirror\nbatch: { max_rows: 500, max_delay: 100ms }\n");
  }

  void run_until_caught_up(const std::string& file) {
    ProcessResult r =
        SluiceProcess::run_to_completion({"run", "-c", file, "--until-caught-up"}, 120s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  // The source's own UTF-8 text of each column next to the warehouse's.
  void expect_same(MySqlClient& source, const std::string& table,
                   const std::vector<std::string>& columns) {
    std::string mine = "id";
    std::string theirs = "id::text";
    for (const std::string& c : columns) {
      mine += ", CONVERT(`" + c + "` USING utf8mb4)";
      theirs += ", " + c;
    }
    Rows want = source.query("SELECT " + mine + " FROM `" + table + "` ORDER BY id");
    std::vector<SqlRow> got =
        sink_->query("SELECT " + theirs + " FROM mirror." + table + " ORDER BY id");
    ASSERT_EQ(got.size(), want.size()) << table;
    for (size_t r = 0; r < want.size(); ++r)
      for (size_t c = 0; c < want[r].size(); ++c)
        EXPECT_EQ(got[r][c], want[r][c]) << table << " row " << r << " column " << c;
  }

  MariaDbServer* server_ = nullptr;
  PgServer* warehouse_ = nullptr;
  std::string name_;
  std::unique_ptr<MySqlClient> source_;
  std::unique_ptr<PgClient> sink_;
};

// What sluice makes of every character the server can store in each character set it
// accepts is what the server itself shows: the whole BMP through each multi-byte set, and
// every byte of each single-byte set.
TEST_F(MySqlCharset, EveryAcceptedCharsetConvertsAsTheServerDoes) {
  std::string all = every_bmp_character();
  int checked = 0;
  for (const auto& row : source_->query("SELECT CHARACTER_SET_NAME, MAXLEN FROM "
                                        "information_schema.CHARACTER_SETS ORDER BY 1")) {
    std::string charset = *row[0];
    if (!mysql::is_convertible_charset(charset) ||
        mysql::encoding_of_charset(charset) == mysql::TextEncoding::kBinary)
      continue;
    ++checked;
    std::string bytes = unhex(
        source_->scalar("SELECT HEX(CONVERT(_utf8mb4 X'" + hex(all) + "' USING " + charset + "))"));
    std::string want =
        source_->scalar("SELECT CONVERT(_" + charset + " X'" + hex(bytes) + "' USING utf8mb4)");
    std::string got = converted(charset, bytes);
    EXPECT_TRUE(got == want) << charset << ": " << first_difference(got, want);
    if (*row[1] != "1") continue;
    std::string select;
    for (int b = 0; b < 256; ++b)
      select +=
          fmt::format("{}HEX(CONVERT(_{} X'{:02X}' USING utf8mb4))", b ? ", " : "", charset, b);
    Rows server = source_->query("SELECT " + select);
    for (int b = 0; b < 256; ++b) {
      std::string server_text = unhex(server[0][static_cast<size_t>(b)].value_or(""));
      std::string sluice_text = converted(charset, std::string(1, static_cast<char>(b)));
      // The server shows a byte its table leaves unassigned as '?'; sluice refuses it.
      if (server_text == "?" && b != '?' && sluice_text == "<error>") continue;
      EXPECT_EQ(hex(sluice_text), hex(server_text))
          << charset << " byte " << fmt::format("{:02X}", b);
    }
  }
  EXPECT_GT(checked, 30);
}

constexpr const char* kCreateMixed =
    "CREATE TABLE mixed (id INT PRIMARY KEY, cyr VARCHAR(40) CHARACTER SET cp1251, zh VARCHAR(40) "
    "CHARACTER SET gbk, wide TEXT CHARACTER SET utf16, western VARCHAR(40) CHARACTER SET latin1, "
    "jp VARCHAR(40) CHARACTER SET sjis, answer ENUM('да','нет') CHARACTER SET cp1251, colours "
    "SET('红','绿','蓝') CHARACTER SET gbk) ENGINE=InnoDB";
const std::vector<std::string> kMixedColumns = {"cyr", "zh",     "wide",   "western",
                                                "jp",  "answer", "colours"};

// Snapshot rows, then streamed inserts and updates: the warehouse holds what the source
// shows in UTF-8, column by column.
TEST_F(MySqlCharset, TextInEveryCharsetArrivesAsTheSourceShowsIt) {
  source_->exec(kCreateMixed);
  source_->exec(
      "INSERT INTO mixed VALUES (1, 'Привет, мир', '中文测试', 'Grüße 😀 中', 'café €5 – œ', "
      "'日本語テキスト ~\\\\', 'да', '红,蓝'), (2, '', '', '', '', '', 'нет', ''), "
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  run_until_caught_up(pipeline(source_url()));
  expect_same(*source_, "mixed", kMixedColumns);

  source_->exec(
      "INSERT INTO mixed VALUES (4, 'Ёлка ъ', '汉字 繁體', '𝄞 music', 'naïve ‰ ƒ', 'ｶﾀｶﾅ ~', "
      "'нет', '绿'); UPDATE mixed SET cyr = 'Щука', zh = '更新', wide = 'Ω', western = 'Ÿ€', "
      "jp = 'ひらがな', answer = 'да', colours = '红,绿,蓝' WHERE id = 2");
  run_until_caught_up(pipeline(source_url()));
  expect_same(*source_, "mixed", kMixedColumns);
}

// A server whose default character set is latin1 creates latin1 columns unasked.
TEST_F(MySqlCharset, Latin1ServerDefaultsConvertInSnapshotAndStream) {
  MariaDbServer latin1_server(MariaDbServerOptions{
      .extra_args = {"--character-set-server=latin1", "--collation-server=latin1_swedish_ci"}});
  MySqlClient admin(latin1_server.root_url(""));
  admin.exec("CREATE DATABASE shop");
  std::string url = latin1_server.root_url("shop");
  MySqlClient shop(url);
  shop.exec(
      "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(40), label ENUM('é','€'), "
      "wide VARCHAR(40) CHARACTER SET utf8mb4) ENGINE=InnoDB");
  ASSERT_EQ(shop.scalar("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                        "TABLE_NAME = 'notes' AND COLUMN_NAME = 'body'"),
            "latin1");
  shop.exec("INSERT INTO notes VALUES (1, 'déjà vu €', '€', 'Привет')");
  run_until_caught_up(pipeline(url, "_l1"));
  expect_same(shop, "notes", {"body", "label", "wide"});
  shop.exec(
      "INSERT INTO notes VALUES (2, 'Ÿ ‰ œ', 'é', '中文'); UPDATE notes SET body = 'ñ' "
      "WHERE id = 1");
  run_until_caught_up(pipeline(url, "_l1"));
  expect_same(shop, "notes", {"body", "label", "wide"});
}

// A character set sluice has no faithful conversion for stops it before anything is
// copied, naming the column, and `sluice check` lists it.
TEST_F(MySqlCharset, UnconvertibleCharsetStopsAtStartAndCheckNamesIt) {
  source_->exec(
      "CREATE TABLE old (id INT PRIMARY KEY, title VARCHAR(20) CHARACTER SET big5) ENGINE=InnoDB;"
      "INSERT INTO old VALUES (1, '中')");
  std::string file = pipeline(source_url());
  std::string line = "column src_" + name_ + ".old.title uses character set big5";
  ProcessResult run = SluiceProcess::run_to_completion({"run", "-c", file}, 60s);
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find(line), std::string::npos) << run.stderr_text;
  EXPECT_EQ(sink_->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'old'"), "0");
  ProcessResult check = SluiceProcess::run_to_completion({"check", "-c", file}, 60s);
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text << check.stderr_text;
  EXPECT_NE(check.stdout_text.find(line), std::string::npos) << check.stdout_text;
}

}  // namespace
}  // namespace sluice::test
