#include "sink/postgres/sql_dialect.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::warehouse {
namespace {

std::string name_list(const TableSchema& table, const std::vector<size_t>& indexes,
                      std::string_view prefix = "") {
  std::string out;
  for (size_t k : indexes)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix,
                       quote_identifier(table.columns[k].name));
  return out;
}

std::string key_list(const TableSchema& table) {
  return name_list(table, table.key_indexes());
}

std::string match_list(const TableSchema& table) {
  return name_list(table, table.match_indexes());
}

// Equality of the columns that find a row (the key, or the replica identity).
std::string match_join(const TableSchema& table, std::string_view left, std::string_view right) {
  std::string out;
  for (size_t k : table.match_indexes()) {
    std::string name = quote_identifier(table.columns[k].name);
    out += fmt::format("{}{}.{} = {}.{}", out.empty() ? "" : " AND ", left, name, right, name);
  }
  return out;
}

std::string column_list(const TableSchema& table, std::string_view prefix = "") {
  std::string out;
  for (const Column& c : table.columns)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, quote_identifier(c.name));
  return out;
}

// For the columns that do not find the row: the staged value, or the target's where the
// change did not carry it (an unchanged TOAST value). Column i is character i + 1 of
// sluice_unchanged.
std::string keep_unchanged(const TableSchema& table, std::string_view staged,
                           std::string_view target) {
  std::vector<size_t> match = table.match_indexes();
  std::string out;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (std::ranges::find(match, i) != match.end()) continue;
    std::string name = quote_identifier(table.columns[i].name);
    out += fmt::format(
        "{}{} = CASE WHEN substring({}.sluice_unchanged, {}, 1) = 'u' THEN {}.{} ELSE {}.{} END",
        out.empty() ? "" : ", ", name, staged, i + 1, target, name, staged, name);
  }
  return out;
}

std::string staging_columns(const SqlDialect& dialect, const TableSchema& table) {
  std::string out;
  for (const Column& c : table.columns)
    out += fmt::format(", {} {}", quote_identifier(c.name), dialect.column_type(c));
  return out;
}

class PostgresDialect : public SqlDialect {
 public:
  std::string column_type(const Column& column) const override { return column.warehouse_type; }

  std::string create_staging(const std::string& staging, const TableSchema& table) const override {
    return fmt::format(
        "CREATE TEMP TABLE {} (sluice_seq bigint, sluice_op char(1), sluice_unchanged text, "
        "sluice_fill_seq bigint{}) "
        "ON COMMIT DELETE ROWS",
        staging, staging_columns(*this, table));
  }
  bool copy_in() const override { return true; }

  std::vector<std::string> merge(const std::string& target, const std::string& staging,
                                 const TableSchema& table) const override {
    if (!table.matches_by_key()) return merge_by_identity(target, staging, table);
    std::string sets = keep_unchanged(table, "s", "t");
    return {fmt::format(
        "MERGE INTO {} AS t USING (SELECT DISTINCT ON ({}) * FROM {} ORDER BY {}, sluice_seq DESC) "
        "AS s ON {} WHEN MATCHED AND s.sluice_op = 'D' THEN DELETE WHEN MATCHED THEN {} "
        "WHEN NOT MATCHED AND s.sluice_op <> 'D' THEN INSERT ({}) VALUES ({})",
        target, match_list(table), staging, match_list(table), match_join(table, "t", "s"),
        sets.empty() ? "DO NOTHING" : "UPDATE SET " + sets, column_list(table),
        column_list(table, "s."))};
  }
  std::string clear_staging(const std::string& staging) const override {
    return "TRUNCATE " + staging;
  }

 private:
  // The row is found by its replica identity, while the target's primary key is another
  // one a change may move: one MERGE could meet a key that a later row of the same MERGE
  // frees, so every staged identity is deleted first and the upserts inserted after.
  static std::vector<std::string> merge_by_identity(const std::string& target,
                                                    const std::string& staging,
                                                    const TableSchema& table) {
    std::vector<std::string> statements;
    std::string sets = keep_unchanged(table, "s", "t");
    if (!sets.empty())
      statements.push_back(
          fmt::format("UPDATE {} AS s SET {}, sluice_unchanged = NULL FROM {} AS t WHERE {} AND "
                      "s.sluice_unchanged IS NOT NULL",
                      staging, sets, target, match_join(table, "t", "s")));
    statements.push_back(fmt::format("DELETE FROM {} AS t USING {} AS s WHERE {}", target, staging,
                                     match_join(table, "t", "s")));
    statements.push_back(fmt::format(
        "INSERT INTO {} ({}) SELECT {} FROM (SELECT DISTINCT ON ({}) * FROM {} ORDER BY {}, "
        "sluice_seq DESC) AS s WHERE s.sluice_op <> 'D'",
        target, column_list(table), column_list(table, "s."), match_list(table), staging,
        match_list(table)));
    return statements;
  }

 public:
  std::vector<std::string> drop_staging(const std::string& staging) const override {
    return {"DROP TABLE " + staging};
  }
  std::string truncate(const std::string& target) const override { return "TRUNCATE " + target; }
  std::vector<std::string> write_checkpoint(const std::string& table) const override {
    return {fmt::format(
        "INSERT INTO {} (pipeline, position, snapshot_complete, source_committed_at, updated_at) "
        "VALUES ($1, $2, true, to_timestamp($3::float8), now()) ON CONFLICT (pipeline) DO UPDATE "
        "SET position = EXCLUDED.position, snapshot_complete = true, "
        "source_committed_at = EXCLUDED.source_committed_at, updated_at = now()",
        table)};
  }
};

// Redshift: https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_commands.html
class RedshiftDialect : public SqlDialect {
 public:
  std::string column_type(const Column& column) const override {
    const std::string& t = column.warehouse_type;
    if (t.ends_with("[]")) return "VARCHAR(65535)";
    if (t == "text" || t == "xml" || t == "name" || t == "interval" || t == "inet" || t == "cidr" ||
        t == "macaddr" || t == "money" || t.starts_with("bit"))
      return "VARCHAR(65535)";
    // JSON lands as text: a bound string parameter would become a SUPER string scalar,
    // not a parsed document. JSON_PARSE(column) reads it in queries.
    if (t == "json" || t == "jsonb") return "VARCHAR(65535)";
    if (t == "bytea") return "VARBYTE(1024000)";
    if (t == "uuid") return "CHAR(36)";
    if (t == "\"char\"") return "CHAR(1)";
    if (t.starts_with("character varying")) return "VARCHAR" + t.substr(17);
    if (t.starts_with("character")) return "CHAR" + t.substr(9);
    if (t == "numeric") return "NUMERIC(38,10)";
    if (t.starts_with("timestamp") && t.ends_with("with time zone")) return "TIMESTAMPTZ";
    if (t.starts_with("timestamp")) return "TIMESTAMP";
    if (t.starts_with("time") && t.ends_with("with time zone")) return "TIMETZ";
    if (t.starts_with("time")) return "TIME";
    if (t == "oid") return "BIGINT";
    return t;
  }

  // Redshift temporary tables have no ON COMMIT clause: staging is cleared explicitly.
  std::string create_staging(const std::string& staging, const TableSchema& table) const override {
    return fmt::format(
        "CREATE TEMP TABLE {} (sluice_seq BIGINT, sluice_op CHAR(1), sluice_unchanged "
        "VARCHAR(65535), sluice_fill_seq BIGINT{})",
        staging, staging_columns(*this, table));
  }
  bool copy_in() const override { return false; }

  // Last change per key (or replica identity) with ROW_NUMBER (no DISTINCT ON); unchanged
  // cells filled from the target; then delete every staged key and insert the upserts.
  std::vector<std::string> merge(const std::string& target, const std::string& staging,
                                 const TableSchema& table) const override {
    std::string latest = staging + "_latest";
    std::vector<std::string> statements = {
        "DROP TABLE IF EXISTS " + latest,
        fmt::format("CREATE TEMP TABLE {} AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER "
                    "(PARTITION BY {} ORDER BY sluice_seq DESC) AS sluice_rank FROM {}) AS ranked "
                    "WHERE sluice_rank = 1",
                    latest, match_list(table), staging)};
    std::string sets = keep_unchanged(table, latest, "t");
    if (!sets.empty())
      statements.push_back(
          fmt::format("UPDATE {} SET {} FROM {} AS t WHERE {} AND {}.sluice_unchanged IS NOT NULL",
                      latest, sets, target, match_join(table, "t", latest), latest));
    statements.push_back(fmt::format("DELETE FROM {} USING {} WHERE {}", target, latest,
                                     match_join(table, target, latest)));
    statements.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {} WHERE sluice_op <> 'D'",
                                     target, column_list(table), column_list(table), latest));
    return statements;
  }
  std::string clear_staging(const std::string& staging) const override {
    return "DELETE FROM " + staging;
  }
  std::vector<std::string> drop_staging(const std::string& staging) const override {
    return {"DROP TABLE IF EXISTS " + staging + "_latest", "DROP TABLE " + staging};
  }
  // TRUNCATE commits the open transaction in Redshift; DELETE keeps it atomic.
  std::string truncate(const std::string& target) const override { return "DELETE FROM " + target; }
  std::vector<std::string> write_checkpoint(const std::string& table) const override {
    return {fmt::format("DELETE FROM {} WHERE pipeline = $1", table),
            fmt::format("INSERT INTO {} (pipeline, position, snapshot_complete, "
                        "source_committed_at, updated_at) VALUES ($1, $2, true, "
                        "TIMESTAMP 'epoch' + CAST($3 AS FLOAT8) * INTERVAL '1 second', GETDATE())",
                        table)};
  }
};

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::unique_ptr<SqlDialect> SqlDialect::make(SinkType type) {
  if (type == SinkType::kRedshift) return std::make_unique<RedshiftDialect>();
  return std::make_unique<PostgresDialect>();
}

std::string SqlDialect::create_table(const std::string& target, const TableSchema& table) const {
  std::string columns;
  for (const Column& c : table.columns)
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", quote_identifier(c.name),
                           column_type(c));
  return fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))", target, columns,
                     key_list(table));
}

std::string SqlDialect::fill_from_moved_rows(const std::string& target, const std::string& staging,
                                             const TableSchema& table) const {
  std::string sets = keep_unchanged(table, "u", "t");
  return fmt::format(
      "UPDATE {} AS u SET {}{}sluice_unchanged = NULL FROM {} AS d, {} AS t WHERE d.sluice_seq = "
      "u.sluice_fill_seq AND {}",
      staging, sets, sets.empty() ? "" : ", ", staging, target, match_join(table, "t", "d"));
}

std::string SqlDialect::add_column(const std::string& target, const Column& column) const {
  return fmt::format("ALTER TABLE {} ADD COLUMN {} {}", target, quote_identifier(column.name),
                     column_type(column));
}

std::string SqlDialect::create_checkpoint_table(const std::string& table) const {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline VARCHAR(256) PRIMARY KEY, position VARCHAR(4096) "
      "NOT NULL, snapshot_complete BOOLEAN NOT NULL, source_committed_at TIMESTAMPTZ, updated_at "
      "TIMESTAMPTZ NOT NULL)",
      table);
}

std::string SqlDialect::create_dead_letter_table(const std::string& table) const {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline VARCHAR(256) NOT NULL, flow VARCHAR(256) NOT NULL, "
      "error VARCHAR(4096) NOT NULL, source_position VARCHAR(4096), row_data VARCHAR(65535), "
      "created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)",
      table);
}

}  // namespace sluice::warehouse
