#include "source/mysql/mysql_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace sluice::mysql {
namespace {

std::string current_database(MySqlConnection& conn) {
  std::optional<std::string> db = conn.scalar("SELECT DATABASE()");
  if (!db || db->empty())
    throw ConfigError(
        "source: the URL names no database (mysql://user@host:port/DATABASE); sluice captures "
        "tables of that database");
  return *db;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "source: column db.t.c uses character set keybcs2 ..." for every column whose text
// sluice cannot turn into UTF-8.
std::vector<std::string> charset_problems(const TableDefinition& def) {
  std::vector<std::string> problems;
  for (const ColumnInfo& column : def.columns)
    if (!is_convertible_charset(column.charset))
      problems.push_back(fmt::format(
          "source: column {}.{} uses character set {}, which sluice cannot convert to UTF-8: "
          "convert the column (ALTER TABLE ... MODIFY ... CHARACTER SET utf8mb4) or leave the "
          "table out of source.tables",
          def.ref.qualified(), column.name, column.charset));
  return problems;
}

// MariaDB's JSON is LONGTEXT with a json_valid() check: the check tells the two apart,
// so JSON columns get a jsonb warehouse column.
void mark_json_columns(MySqlConnection& conn, TableDefinition& def) {
  MySqlRows checks = conn.query(fmt::format(
      "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
      "{} AND TABLE_NAME = {}",
      conn.quote_literal(def.ref.database), conn.quote_literal(def.ref.name)));
  for (const auto& row : checks) {
    std::string clause = lower(row[0].value_or(""));
    for (ColumnInfo& column : def.columns) {
      if (clause == fmt::format("json_valid({})",
                                lower(MySqlConnection::quote_identifier(column.name))) &&
          lower(column.declared_type) == "longtext")
        column.declared_type = "json";
    }
  }
}

}  // namespace

std::vector<MySqlTableRef> resolve_tables(MySqlConnection& conn,
                                          const std::vector<std::string>& configured) {
  std::string database = current_database(conn);
  std::vector<MySqlTableRef> tables;
  if (configured.empty()) {
    MySqlRows rows = conn.query(fmt::format(
        "SELECT t.TABLE_NAME FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = {} AND "
        "t.TABLE_TYPE = 'BASE TABLE' AND EXISTS (SELECT 1 FROM "
        "information_schema.TABLE_CONSTRAINTS c WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND "
        "c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY') ORDER BY 1",
        conn.quote_literal(database)));
    for (const auto& row : rows) tables.push_back({database, row[0].value_or("")});
    return tables;
  }
  for (const std::string& name : configured) {
    size_t dot = name.find('.');
    MySqlTableRef ref = dot == std::string::npos
                            ? MySqlTableRef{database, name}
                            : MySqlTableRef{name.substr(0, dot), name.substr(dot + 1)};
    std::optional<std::string> found = conn.scalar(
        fmt::format("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND "
                    "TABLE_NAME = {} AND TABLE_TYPE = 'BASE TABLE'",
                    conn.quote_literal(ref.database), conn.quote_literal(ref.name)));
    if (!found) throw ConfigError(fmt::format("source table {} does not exist", ref.qualified()));
    ref.name = *found;
    tables.push_back(std::move(ref));
  }
  return tables;
}

uint64_t estimated_rows(MySqlConnection& conn, const MySqlTableRef& table) {
  std::optional<std::string> rows =
      conn.scalar(fmt::format("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA "
                              "= {} AND TABLE_NAME = {}",
                              conn.quote_literal(table.database), conn.quote_literal(table.name)));
  return rows ? std::stoull(*rows) : 0;
}

TableDefinition read_table_definition(MySqlConnection& conn, const MySqlTableRef& table) {
  TableDefinition def;
  def.ref = table;
  MySqlRows rows = conn.query(
      fmt::format("SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLUMN_KEY FROM "
                  "information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {} ORDER BY "
                  "ORDINAL_POSITION",
                  conn.quote_literal(table.database), conn.quote_literal(table.name)));
  for (const auto& row : rows) {
    ColumnInfo info;
    info.name = row[0].value_or("");
    info.declared_type = row[1].value_or("");
    info.charset = row[2].value_or("");
    std::string declared = lower(info.declared_type);
    info.is_unsigned = declared.find(" unsigned") != std::string::npos;
    if (declared.starts_with("enum(")) info.enum_values = parse_declared_values(info.declared_type);
    if (declared.starts_with("set(")) info.set_values = parse_declared_values(info.declared_type);
    def.columns.push_back(std::move(info));
  }
  mark_json_columns(conn, def);
  MySqlRows keys = conn.query(fmt::format(
      "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = {} AND "
      "TABLE_NAME = {} AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      conn.quote_literal(table.database), conn.quote_literal(table.name)));
  for (const auto& row : keys) def.primary_key.push_back(row[0].value_or(""));
  return def;
}

CollationCharsets read_collation_charsets(MySqlConnection& conn) {
  CollationCharsets charsets;
  for (const auto& row :
       conn.query("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS"))
    if (row[0] && row[1]) charsets[static_cast<uint32_t>(std::stoul(*row[0]))] = *row[1];
  return charsets;
}

void use_binlog_charsets(const TableMap& map, const CollationCharsets& charsets,
                         std::vector<ColumnInfo>& columns) {
  for (size_t i = 0; i < map.columns.size() && i < columns.size(); ++i) {
    const std::optional<uint32_t>& collation = map.columns[i].collation;
    if (!collation) continue;
    auto found = charsets.find(*collation);
    if (found == charsets.end())
      throw FatalError(fmt::format(
          "source: {}.{} column {}: the binlog names collation id {}, which the server's "
          "information_schema.COLLATIONS does not list",
          map.database, map.table, columns[i].name, *collation));
    columns[i].charset = found->second;
  }
}

TableSchemaPtr schema_of(const TableDefinition& definition) {
  if (definition.primary_key.empty())
    throw ConfigError(fmt::format(
        "source table {} has no primary key: sluice needs one to apply updates and deletes",
        definition.ref.qualified()));
  if (std::vector<std::string> problems = charset_problems(definition); !problems.empty())
    throw ConfigError(problems.front());
  auto schema = std::make_shared<TableSchema>();
  schema->schema = definition.ref.database;
  schema->name = definition.ref.name;
  for (const ColumnInfo& info : definition.columns) {
    Column column;
    column.name = info.name;
    WarehouseTypes types = warehouse_types(info);
    column.type = types.logical;
    column.warehouse_type = types.postgres;
    column.is_key =
        std::ranges::find(definition.primary_key, info.name) != definition.primary_key.end();
    schema->columns.push_back(std::move(column));
  }
  return schema;
}

std::vector<std::string> table_problems(MySqlConnection& conn,
                                        const std::vector<MySqlTableRef>& tables) {
  std::vector<std::string> problems;
  for (const MySqlTableRef& table : tables) {
    TableDefinition def = read_table_definition(conn, table);
    if (def.primary_key.empty())
      problems.push_back(fmt::format(
          "source: table {} has no primary key (add one, or leave it out of source.tables)",
          table.qualified()));
    for (std::string& p : charset_problems(def)) problems.push_back(std::move(p));
    std::optional<std::string> engine = conn.scalar(fmt::format(
        "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        conn.quote_literal(table.database), conn.quote_literal(table.name)));
    if (engine && lower(*engine) != "innodb")
      problems.push_back(fmt::format(
          "source: table {} uses engine {}: the consistent snapshot needs a transactional engine "
          "(InnoDB)",
          table.qualified(), *engine));
  }
  return problems;
}

}  // namespace sluice::mysql
