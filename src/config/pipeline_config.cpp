#include "config/pipeline_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "config/env_substitution.hpp"
#include "core/error.hpp"

namespace sluice {
namespace {

// Where a message points: "pipeline.yaml:12: source.url".
struct Place {
  const std::string& file;
  int line;
  std::string key;
  std::string str() const { return fmt::format("{}:{}: {}", file, line, key); }
};

[[noreturn]] void fail(const Place& at, std::string_view what) {
  throw ConfigError(fmt::format("{}: {}", at.str(), what));
}

std::string scalar(const YAML::Node& node, const Place& at) {
  if (!node.IsScalar()) fail(at, "expected a single value");
  return node.Scalar();
}

std::string non_empty(const YAML::Node& node, const Place& at) {
  std::string value = scalar(node, at);
  if (value.empty()) fail(at, "must not be empty");
  return value;
}

int64_t integer(const YAML::Node& node, const Place& at, int64_t min, int64_t max) {
  std::string text = scalar(node, at);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    fail(at, fmt::format("expected an integer, got '{}'", text));
  if (value < min || value > max) fail(at, fmt::format("must be between {} and {}", min, max));
  return value;
}

std::chrono::milliseconds duration(const YAML::Node& node, const Place& at) {
  std::string text = scalar(node, at);
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size());
  int64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m" || unit == "min")
    factor = 60000;
  if (ec != std::errc{} || factor == 0 || amount < 0)
    fail(at, fmt::format("expected a duration like 500ms, 2s or 1m, got '{}'", text));
  return std::chrono::milliseconds(amount * factor);
}

std::vector<std::string> string_list(const YAML::Node& node, const Place& at) {
  if (!node.IsSequence()) fail(at, "expected a list, like [a, b]");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) out.push_back(scalar(item, at));
  return out;
}

std::string one_of(const YAML::Node& node, const Place& at,
                   std::initializer_list<std::string_view> allowed) {
  std::string value = scalar(node, at);
  for (std::string_view a : allowed)
    if (value == a) return value;
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
  fail(at, fmt::format("'{}' is not one of: {}", value, list));
}

// One source.tables entry: a name, or a one-key map of a name to its warehouse name (a
// null value keeps the name).
void add_table(const YAML::Node& name, const YAML::Node& warehouse_name, const Place& at,
               SourceConfig& source) {
  std::string table = non_empty(name, at);
  if (std::ranges::find(source.tables, table) != source.tables.end())
    fail(at, fmt::format("{} is listed twice", table));
  source.tables.push_back(table);
  if (warehouse_name.IsNull()) return;
  // Qualified, it names one table whatever the search_path or URL database.
  if (table.find('.') == std::string::npos)
    fail(at, fmt::format("map a qualified name (public.{0}: new_name, or for MySQL "
                         "database.{0}: new_name)",
                         table));
  Place mapped{at.file, at.line, at.key + "." + table};
  source.warehouse_names.emplace(table, non_empty(warehouse_name, mapped));
}

// A list of names whose entries may map a name to a warehouse name
// ([public.users, auth.users: auth_users]), or a map of names to warehouse names.
void table_list(const YAML::Node& node, const Place& at, SourceConfig& source) {
  auto entry_place = [&](const YAML::Node& entry) {
    return Place{at.file, entry.Mark().line + 1, at.key};
  };
  if (node.IsMap()) {
    for (const auto& entry : node)
      add_table(entry.first, entry.second, entry_place(entry.first), source);
    return;
  }
  if (!node.IsSequence()) fail(at, "expected a list, like [public.orders, auth.users: auth_users]");
  for (const YAML::Node& item : node) {
    if (!item.IsMap()) {
      add_table(item, YAML::Node(), entry_place(item), source);
      continue;
    }
    if (item.size() != 1)
      fail(entry_place(item), "expected one `source_table: warehouse_table` per list entry");
    add_table(item.begin()->first, item.begin()->second, entry_place(item), source);
  }
}

// "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT". Without a host the endpoint binds to
// loopback only: metrics and status name tables and positions, which a user should expose
// beyond the machine only by choice.
ObservabilityConfig listen_address(const YAML::Node& node, const Place& at) {
  std::string text = scalar(node, at);
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string port_text = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find_first_of("[]:") != std::string::npos)
    fail(at, fmt::format("expected HOST:PORT like 127.0.0.1:9187, got '{}'", text));
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
    fail(at, fmt::format("expected HOST:PORT with a port from 1 to 65535, got '{}'", text));
  return {host.empty() ? "127.0.0.1" : host, static_cast<uint16_t>(port)};
}

// One row per key of the pipeline file. The parser, the unknown-key check and the
// generated reference (docs/configuration.md) all read this table.
struct KeySpec {
  std::string_view path;  // "flows.*.sql": * stands for a flow name
  bool required;
  std::string_view default_text;
  std::string_view description;
  std::function<void(const YAML::Node&, const Place&, PipelineConfig&, FlowConfig*)> apply;
};

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = {
      {"name", true, "",
       "Pipeline name, 1 to 40 lowercase letters, digits and _: names the replication slot "
       "and publication (sluice_<name>) and the checkpoint row.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.name = scalar(n, at);
         // PostgreSQL accepts only these in replication slot names, and sluice_<name>
         // is also the publication and the MySQL replica's name.
         for (char ch : c.name)
           if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
             fail(at, fmt::format("'{}': use only lowercase letters, digits and _ (it becomes "
                                  "the replication slot and publication name)",
                                  c.name));
         if (c.name.empty() || c.name.size() > 40) fail(at, "must be 1 to 40 characters");
       }},
      {"source.type", true, "", "postgres | mysql.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.source.type = one_of(n, at, {"postgres", "mysql"}) == "postgres" ? SourceType::kPostgres
                                                                            : SourceType::kMysql;
       }},
      {"source.url", true, "",
       "postgresql://user:pass@host:port/db or mysql://user:pass@host:port/db. Use ${ENV} for the "
       "password.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.source.url = scalar(n, at);
       }},
      {"source.tables", false, "every table with a primary key",
       "Tables to capture, optionally schema-qualified (public.orders; for MySQL "
       "database.table). Each lands in the sink schema under its bare name; an entry "
       "`auth.users: auth_users` names its warehouse table instead. Two captured tables "
       "whose warehouse names collide (public.users, auth.users) stop the start until one "
       "is mapped. A map (`{public.users: , auth.users: auth_users}`) works as well.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         table_list(n, at, c.source);
       }},
      {"source.snapshot_parallelism", false, "2", "Tables copied at once during the snapshot.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.source.snapshot_parallelism = static_cast<int>(integer(n, at, 1, 64));
       }},
      {"source.server_id", false, "derived from name",
       "MySQL only: the replica server_id sluice uses; must be unique among replicas.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.source.server_id = static_cast<uint32_t>(integer(n, at, 1, 4294967295));
       }},
      {"source.connect_timeout", false, "30s",
       "A source not reached once since sluice started (wrong host or port) is retried this "
       "long, then sluice exits 1; once connected, lost connections are retried without end.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.source.connect_timeout = duration(n, at);
       }},
      {"sink.type", true, "", "postgres | redshift.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.type = one_of(n, at, {"postgres", "redshift"}) == "postgres" ? SinkType::kPostgres
                                                                             : SinkType::kRedshift;
       }},
      {"sink.url", true, "", "postgresql://user:pass@host:port/db of the warehouse.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.url = scalar(n, at);
       }},
      {"sink.schema", false, "public", "Warehouse schema for destination and checkpoint tables.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.schema = scalar(n, at);
       }},
      {"sink.connect_timeout", false, "30s", "As source.connect_timeout, for the warehouse.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.connect_timeout = duration(n, at);
       }},
      {"sink.s3", false, "off",
       "Redshift only: flushes of at least sink.s3.min_rows changes, and snapshots of tables "
       "of at least that many rows, go through S3 and COPY. Objects are deleted after the "
       "commit; a crash can leave some behind, so give the bucket a lifecycle rule that "
       "expires the prefix.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         if (!n.IsMap()) fail(at, "expected a mapping of keys");
         c.sink.s3.enabled = true;
         c.sink.s3.line = at.line;
       }},
      {"sink.s3.bucket", true, "", "Bucket the staged objects are uploaded to.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.bucket = non_empty(n, at);
       }},
      {"sink.s3.region", true, "", "Region of the bucket, e.g. eu-west-1.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.region = non_empty(n, at);
       }},
      {"sink.s3.prefix", false, "sluice/",
       "Objects are named <prefix><pipeline name>/<unique name>.csv.gz (a snapshot's "
       "manifest: .manifest).",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.prefix = scalar(n, at);
       }},
      {"sink.s3.endpoint", false, "https://s3.<region>.amazonaws.com",
       "http(s)://host[:port] of an S3-compatible store; given, requests use path style "
       "(/bucket/key), otherwise virtual-host style (bucket.s3.<region>.amazonaws.com).",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.endpoint = scalar(n, at);
         if (!c.sink.s3.endpoint.starts_with("http://") &&
             !c.sink.s3.endpoint.starts_with("https://"))
           fail(at, "expected a URL starting with http:// or https://");
       }},
      {"sink.s3.access_key_id", true, "", "Access key sluice signs uploads with. Use ${ENV}.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.access_key_id = non_empty(n, at);
       }},
      {"sink.s3.secret_access_key", true, "", "Its secret key. Use ${ENV}; never printed.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.secret_access_key = non_empty(n, at);
       }},
      {"sink.s3.session_token", false, "none",
       "Session token of temporary credentials. Use ${ENV}; never printed.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.session_token = scalar(n, at);
       }},
      {"sink.s3.iam_role", false, "none",
       "ARN of the role Redshift assumes to read the objects (COPY ... IAM_ROLE); absent, "
       "COPY passes the access keys.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.iam_role = scalar(n, at);
       }},
      {"sink.s3.min_rows", false, "10000",
       "Flushes with fewer changes, and snapshot tables with fewer rows, than this keep "
       "multi-row INSERT: a COPY costs about a second whatever its size.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.sink.s3.min_rows = static_cast<size_t>(integer(n, at, 1, 100000000));
       }},
      {"batch.max_rows", false, "50000", "A batch closes at this many changes...",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.batch.max_rows = static_cast<size_t>(integer(n, at, 1, 10000000));
       }},
      {"batch.max_delay", false, "500ms", "...or when its first change is this old.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.batch.max_delay = duration(n, at);
       }},
      {"observability.listen", false, "off",
       "HOST:PORT for the HTTP endpoint serving /metrics (Prometheus), /healthz and /status "
       "(JSON), e.g. 127.0.0.1:9187. A bare port (9187 or :9187) listens on loopback only.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.observability = listen_address(n, at);
       }},
      {"transport.type", false, "", "kafka: `sluice capture` and `sluice apply` meet in Kafka.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         one_of(n, at, {"kafka"});
         c.transport.enabled = true;
       }},
      {"transport.brokers", false, "", "host:port[,host:port...] of the Kafka bootstrap brokers.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.transport.brokers = scalar(n, at);
         c.transport.enabled = true;
       }},
      {"transport.topic_prefix", false, "sluice.<name>",
       "Topics are <prefix>.<schema>.<table> (or <prefix> alone), plus <prefix>.offsets.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.transport.topic_prefix = scalar(n, at);
         if (c.transport.topic_prefix.empty()) fail(at, "must not be empty");
       }},
      {"transport.topic_per_table", false, "true",
       "true: one topic per source table; false: every table in the topic <prefix>.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.transport.topic_per_table = one_of(n, at, {"true", "false"}) == "true";
       }},
      {"transport.partitions", false, "6",
       "Partitions of the topics sluice creates: the most apply processes that share work.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.transport.partitions = static_cast<int>(integer(n, at, 1, 10000));
       }},
      {"transport.topics", false, "sluice's own topics",
       "Topics `sluice apply` reads instead, e.g. written by Debezium (^regex allowed).",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         c.transport.topics = string_list(n, at);
       }},
      {"transport.properties", false, "{}",
       "librdkafka properties passed as-is (SASL, TLS, tuning). Values of keys containing "
       "password, secret or key are never printed.",
       [](const YAML::Node& n, const Place& at, PipelineConfig& c, FlowConfig*) {
         if (!n.IsMap()) fail(at, "expected a mapping of librdkafka property to value");
         for (const auto& entry : n)
           c.transport.properties.emplace_back(entry.first.Scalar(), scalar(entry.second, at));
       }},
      {"flows.*.key", true, "", "Destination primary key columns.",
       [](const YAML::Node& n, const Place& at, PipelineConfig&, FlowConfig* f) {
         f->key = string_list(n, at);
         if (f->key.empty()) fail(at, "needs at least one column");
       }},
      {"flows.*.operations", false, "[insert, update, delete]",
       "Which source operations on the driving table reach the destination.",
       [](const YAML::Node& n, const Place& at, PipelineConfig&, FlowConfig* f) {
         f->insert = f->update = f->remove = false;
         for (const std::string& op : string_list(n, at)) {
           if (op == "insert")
             f->insert = true;
           else if (op == "update")
             f->update = true;
           else if (op == "delete")
             f->remove = true;
           else
             fail(at, fmt::format("'{}' is not one of: insert | update | delete", op));
         }
       }},
      {"flows.*.sql", true, "", "One SELECT; see docs/flows.md.",
       [](const YAML::Node& n, const Place& at, PipelineConfig&, FlowConfig* f) {
         f->sql = scalar(n, at);
         // A block scalar (sql: |) starts on the line after the key.
         f->sql_line = at.line + (f->sql.find('\n') != std::string::npos ? 1 : 0);
       }},
      {"flows.*.on_error", false, "fail",
       "fail | dead_letter | skip: what a row whose expression fails does.",
       [](const YAML::Node& n, const Place& at, PipelineConfig&, FlowConfig* f) {
         std::string v = one_of(n, at, {"fail", "dead_letter", "skip"});
         f->on_error = v == "fail"   ? OnError::kFail
                       : v == "skip" ? OnError::kSkip
                                     : OnError::kDeadLetter;
       }},
  };
  return specs;
}

const KeySpec* find_spec(std::string_view path) {
  for (const KeySpec& spec : key_specs())
    if (spec.path == path) return &spec;
  return nullptr;
}

bool has_children_under(std::string_view prefix) {
  for (const KeySpec& spec : key_specs())
    if (spec.path.starts_with(prefix) && spec.path.size() > prefix.size() &&
        spec.path[prefix.size()] == '.')
      return true;
  return false;
}

// Keys seen so far, with the line each was on.
using SeenKeys = std::map<std::string, int, std::less<>>;

// Walks a mapping, dispatching every key to its spec and refusing unknown ones. A
// section with a row of its own (sink.s3) is applied, then walked.
void walk(const YAML::Node& map, const std::string& prefix, const std::string& file,
          PipelineConfig& config, FlowConfig* flow, SeenKeys& seen) {
  for (const auto& entry : map) {
    std::string key = entry.first.Scalar();
    if (prefix.empty() && key == "flows") continue;  // parsed separately, per flow
    std::string spec_path = prefix.empty() ? key : prefix + "." + key;
    std::string shown = spec_path;
    if (flow != nullptr) shown = "flows." + flow->name + "." + key;
    Place at{file, entry.first.Mark().line + 1, shown};
    const KeySpec* spec = find_spec(spec_path);
    if (spec != nullptr) {
      spec->apply(entry.second, at, config, flow);
      seen.emplace(spec_path, at.line);
    }
    if (has_children_under(spec_path)) {
      if (!entry.second.IsMap()) fail(at, "expected a mapping of keys");
      seen.emplace(spec_path, at.line);
      walk(entry.second, spec_path, file, config, flow, seen);
    } else if (spec == nullptr) {
      fail(at, "unknown key (see docs/configuration.md)");
    }
  }
}

// The optional section (like sink.s3) a key belongs to, or "" for keys that are
// required whenever their scope is: top-level sections and flow keys.
std::string_view optional_section(std::string_view path, std::string_view scope) {
  std::string_view rest = scope.empty() ? path : path.substr(scope.size() + 1);
  size_t last = rest.rfind('.');
  if (last == std::string_view::npos || rest.substr(0, last).find('.') == std::string_view::npos)
    return "";
  return path.substr(0, path.size() - rest.size() + last);
}

void check_required(const SeenKeys& seen, std::string_view scope, int line, const std::string& file,
                    std::string_view shown_prefix) {
  for (const KeySpec& spec : key_specs()) {
    bool in_scope = scope.empty() ? !spec.path.starts_with("flows.") : spec.path.starts_with(scope);
    if (!in_scope || !spec.required || seen.contains(spec.path)) continue;
    int at_line = line;
    if (std::string_view section = optional_section(spec.path, scope); !section.empty()) {
      auto present = seen.find(section);
      if (present == seen.end()) continue;
      at_line = present->second;
    }
    std::string name = std::string(shown_prefix) + std::string(spec.path.substr(scope.size()));
    throw ConfigError(fmt::format("{}:{}: {}: required key is missing", file, at_line, name));
  }
}

void check_s3(const PipelineConfig& config) {
  if (config.sink.s3.enabled && config.sink.type != SinkType::kRedshift)
    throw ConfigError(fmt::format("{}:{}: sink.s3: only valid with sink.type: redshift",
                                  config.file, config.sink.s3.line));
}

void check_transport(const PipelineConfig& config) {
  if (config.transport.enabled && config.transport.brokers.empty())
    throw ConfigError(
        fmt::format("{}: transport.brokers: required when a transport is configured", config.file));
}

}  // namespace

PipelineConfig parse_pipeline_config(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(substitute_environment(text, file));
  } catch (const YAML::Exception& e) {
    // e.msg alone: e.what() may quote the line, which can hold a substituted secret.
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw ConfigError(fmt::format("{}:1: expected a mapping of keys", file));

  PipelineConfig config;
  config.file = file;
  SeenKeys seen;
  for (const auto& entry : root) {
    if (entry.first.Scalar() != "flows") continue;
    Place at{file, entry.first.Mark().line + 1, "flows"};
    if (!entry.second.IsMap()) fail(at, "expected a mapping of flow name to flow");
    for (const auto& flow_entry : entry.second) {
      FlowConfig flow;
      flow.name = flow_entry.first.Scalar();
      int line = flow_entry.first.Mark().line + 1;
      if (!flow_entry.second.IsMap())
        fail({file, line, "flows." + flow.name}, "expected a mapping with key, sql, ...");
      SeenKeys flow_seen;
      walk(flow_entry.second, "flows.*", file, config, &flow, flow_seen);
      check_required(flow_seen, "flows.*", line, file, "flows." + flow.name);
      config.flows.push_back(std::move(flow));
    }
  }
  walk(root, "", file, config, nullptr, seen);
  check_required(seen, "", 1, file, "");
  check_transport(config);
  check_s3(config);
  return config;
}

PipelineConfig load_pipeline_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot read the pipeline file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_pipeline_config(text.str(), path);
}

std::string configuration_reference() {
  std::string out =
      "# Pipeline file reference\n\nGenerated by `sluice config-reference` from the table the "
      "parser uses. `${NAME}` anywhere in the file is replaced by the environment variable NAME "
      "(`$${` for a literal `${`); a missing variable is an error naming the line.\n\n"
      "| key | required | default | meaning |\n|---|---|---|---|\n";
  for (const KeySpec& spec : key_specs()) {
    std::string path(spec.path);
    if (path.starts_with("flows.*")) path = "flows.<table>" + path.substr(7);
    auto cell = [](std::string_view text) {
      std::string escaped;
      for (char c : text) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
      return escaped;
    };
    out += fmt::format("| `{}` | {} | {} | {} |\n", path, spec.required ? "yes" : "no",
                       cell(spec.default_text), cell(spec.description));
  }
  return out;
}

}  // namespace sluice
