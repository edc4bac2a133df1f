#include "config/config_keys.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/error.hpp"

namespace sluice {

std::string Place::str() const {
  return fmt::format("{}:{}: {}", file, line, key);
}

void fail(const Place& at, std::string_view what) {
  throw ConfigError(fmt::format("{}: {}", at.str(), what));
}

namespace {

std::string join(const std::vector<std::string_view>& words, std::string_view separator,
                 std::string_view suffix = "") {
  std::string out;
  for (std::string_view word : words)
    out += fmt::format("{}{}{}", out.empty() ? "" : separator, word, suffix);
  return out;
}

std::string scalar(const YAML::Node& node, const Place& at) {
  if (!node.IsScalar()) fail(at, "expected a single value");
  return node.Scalar();
}

int64_t integer(const YAML::Node& node, const Place& at, const KeyRange& range) {
  std::string text = scalar(node, at);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    fail(at, fmt::format("expected an integer, got '{}'", text));
  if (value < range.min || value > range.max)
    fail(at, fmt::format("must be between {} and {}", range.min, range.max));
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

// In the largest unit that writes it whole, as a user would: 30s rather than 30000ms.
std::string duration_text(std::chrono::milliseconds value) {
  int64_t ms = value.count();
  if (ms != 0 && ms % 60000 == 0) return fmt::format("{}m", ms / 60000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string non_empty(const YAML::Node& node, const Place& at) {
  std::string value = scalar(node, at);
  if (value.empty()) fail(at, "must not be empty");
  return value;
}

std::vector<std::string> string_list(const YAML::Node& node, const Place& at) {
  if (!node.IsSequence()) fail(at, "expected a list, like [a, b]");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) out.push_back(scalar(item, at));
  return out;
}

std::string list_text(const std::vector<std::string>& items) {
  return fmt::format("[{}]", fmt::join(items, ", "));
}

// The index of `value` in `allowed`.
size_t word_index(const std::string& value, const Place& at,
                  const std::vector<std::string_view>& allowed) {
  auto found = std::ranges::find(allowed, value);
  if (found == allowed.end())
    fail(at, fmt::format("'{}' is not one of: {}", value, join(allowed, " | ")));
  return static_cast<size_t>(found - allowed.begin());
}

size_t one_of(const YAML::Node& node, const Place& at,
              const std::vector<std::string_view>& allowed) {
  return word_index(scalar(node, at), at, allowed);
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
ObservabilityConfig listen_address(const YAML::Node& node, const Place& at, const KeyRange& ports) {
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
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < ports.min ||
      port > ports.max)
    fail(at, fmt::format("expected HOST:PORT with a port from {} to {}, got '{}'", ports.min,
                         ports.max, text));
  return {host.empty() ? "127.0.0.1" : host, static_cast<uint16_t>(port)};
}

// PostgreSQL accepts only these in replication slot names, and sluice_<name> is also the
// publication and the MySQL replica's name.
void apply_name(const KeySpec& self, const YAML::Node& node, const Place& at,
                PipelineConfig& config, FlowConfig*) {
  config.name = scalar(node, at);
  for (char ch : config.name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
      fail(at, fmt::format("'{}': use only lowercase letters, digits and _ (it becomes "
                           "the replication slot and publication name)",
                           config.name));
  auto length = static_cast<int64_t>(config.name.size());
  if (length < self.range.min || length > self.range.max)
    fail(at, fmt::format("must be {} to {} characters", self.range.min, self.range.max));
}

// The flow flags, in the order of the operations row's words.
constexpr std::array<bool FlowConfig::*, 3> kOperationFlags = {
    &FlowConfig::insert, &FlowConfig::update, &FlowConfig::remove};

void apply_operations(const KeySpec& self, const YAML::Node& node, const Place& at, PipelineConfig&,
                      FlowConfig* flow) {
  for (bool FlowConfig::*flag : kOperationFlags) flow->*flag = false;
  for (const std::string& op : string_list(node, at))
    flow->*kOperationFlags[word_index(op, at, self.range.words)] = true;
}

std::string operations_text(const std::vector<std::string_view>& words, const FlowConfig& flow) {
  std::vector<std::string> on;
  for (size_t i = 0; i < kOperationFlags.size(); ++i)
    if (flow.*kOperationFlags[i]) on.emplace_back(words[i]);
  return list_text(on);
}

void apply_tables(const KeySpec&, const YAML::Node& node, const Place& at, PipelineConfig& config,
                  FlowConfig*) {
  table_list(node, at, config.source);
}

void apply_listen(const KeySpec& self, const YAML::Node& node, const Place& at,
                  PipelineConfig& config, FlowConfig*) {
  config.observability = listen_address(node, at, self.range);
}

// Only checked: the walk marks the transport configured when its type or brokers are given.
void apply_transport_type(const KeySpec& self, const YAML::Node& node, const Place& at,
                          PipelineConfig&, FlowConfig*) {
  one_of(node, at, self.range.words);
}

void apply_properties(const KeySpec&, const YAML::Node& node, const Place& at,
                      PipelineConfig& config, FlowConfig*) {
  if (!node.IsMap()) fail(at, "expected a mapping of librdkafka property to value");
  for (const auto& entry : node)
    config.transport.properties.emplace_back(entry.first.Scalar(), scalar(entry.second, at));
}

void apply_flow_key(const KeySpec& self, const YAML::Node& node, const Place& at, PipelineConfig&,
                    FlowConfig* flow) {
  flow->key = string_list(node, at);
  if (static_cast<int64_t>(flow->key.size()) < self.range.min)
    fail(at, "needs at least one column");
}

void apply_sql(const KeySpec&, const YAML::Node& node, const Place& at, PipelineConfig&,
               FlowConfig* flow) {
  flow->sql = scalar(node, at);
  // A block scalar (sql: |) starts on the line after the key.
  flow->sql_line = at.line + (flow->sql.find('\n') != std::string::npos ? 1 : 0);
}

struct Key {
  std::string_view path;
  bool required;
  std::string_view description;
};
constexpr bool kRequired = true;
constexpr bool kOptional = false;

// The member a row fills: `member(&PipelineConfig::sink, &SinkConfig::s3,
// &S3StagingConfig::bucket)`, or `flow_member(&FlowConfig::sql)` for flows.* keys. Works on
// const configs too, for reading defaults.
template <typename... Path>
auto member(Path... path) {
  return [=](auto& config, auto*) -> auto& {
    return (config.*....*path);
  };
}
template <typename T>
auto flow_member(T FlowConfig::*field) {
  return [=](auto&, auto* flow) -> auto& {
    return (*flow).*field;
  };
}

// A row filling the member `access` reaches: `read` converts the YAML value under the
// row's range, `show` writes a value as the reference does. The default column shows the
// member's initial value; `absent`, when given, describes instead what leaving the key out
// means, for a member whose initial value (0, empty) only marks "not given".
template <typename Access, typename Read, typename Show>
KeySpec bound_key(const Key& key, KeyKind kind, KeyRange range, Access access, Read read, Show show,
                  std::string_view absent) {
  const PipelineConfig defaults;
  const FlowConfig flow_defaults;
  const auto& initial = access(defaults, &flow_defaults);
  using Value = std::remove_cvref_t<decltype(initial)>;
  KeySpec spec{key.path, key.required, kind, std::move(range), "", key.description, {}, {}};
  spec.apply = [access, read](const KeySpec& self, const YAML::Node& node, const Place& at,
                              PipelineConfig& config, FlowConfig* flow) {
    access(config, flow) = static_cast<Value>(read(self, node, at));
  };
  if (!absent.empty()) {
    if (!(initial == Value{}))
      throw std::logic_error(fmt::format(
          "config key {}: describes its absence but its member has a default", key.path));
    spec.default_text = absent;
    return spec;
  }
  spec.value_text = [access, show](const PipelineConfig& config, const FlowConfig& flow) {
    return show(access(config, &flow));
  };
  if (!key.required) spec.default_text = show(initial);
  return spec;
}

template <typename Access>
KeySpec integer_key(const Key& key, Access access, int64_t min, int64_t max,
                    std::string_view absent = {}) {
  return bound_key(
      key, KeyKind::kInteger, {.min = min, .max = max}, access,
      [](const KeySpec& self, const YAML::Node& node, const Place& at) {
        return integer(node, at, self.range);
      },
      [](auto value) { return fmt::format("{}", value); }, absent);
}

template <typename Access>
KeySpec duration_key(const Key& key, Access access) {
  return bound_key(
      key, KeyKind::kDuration, {}, access,
      [](const KeySpec&, const YAML::Node& node, const Place& at) { return duration(node, at); },
      duration_text, {});
}

template <typename Value>
struct Word {
  std::string_view text;
  Value value;
};

template <typename Access, typename Value>
KeySpec word_key(const Key& key, KeyKind kind, Access access, std::vector<Word<Value>> words) {
  KeyRange range;
  for (const Word<Value>& word : words) range.words.push_back(word.text);
  return bound_key(
      key, kind, std::move(range), access,
      [words](const KeySpec& self, const YAML::Node& node, const Place& at) {
        return words[one_of(node, at, self.range.words)].value;
      },
      [words](Value value) {
        auto word = std::ranges::find(words, value, &Word<Value>::value);
        return word == words.end() ? std::string() : std::string(word->text);
      },
      {});
}

template <typename Access, typename Value>
KeySpec enum_key(const Key& key, Access access, std::vector<Word<Value>> words) {
  return word_key(key, KeyKind::kEnum, access, std::move(words));
}

template <typename Access>
KeySpec bool_key(const Key& key, Access access) {
  return word_key(key, KeyKind::kBool, access,
                  std::vector<Word<bool>>{{"true", true}, {"false", false}});
}

enum class Empty : uint8_t { kAllowed, kRefused };

template <typename Access>
KeySpec string_key(const Key& key, Access access, Empty empty, std::string_view absent = {}) {
  return bound_key(
      key, KeyKind::kString, {.min = empty == Empty::kRefused ? 1 : 0}, access,
      [](const KeySpec& self, const YAML::Node& node, const Place& at) {
        std::string value = scalar(node, at);
        if (static_cast<int64_t>(value.size()) < self.range.min) fail(at, "must not be empty");
        return value;
      },
      [](const std::string& value) { return value; }, absent);
}

template <typename Access>
KeySpec url_key(const Key& key, Access access, std::vector<std::string_view> schemes,
                std::string_view absent) {
  return bound_key(
      key, KeyKind::kUrl, {.words = std::move(schemes)}, access,
      [](const KeySpec& self, const YAML::Node& node, const Place& at) {
        std::string value = scalar(node, at);
        if (std::ranges::none_of(self.range.words, [&](std::string_view scheme) {
              return value.starts_with(fmt::format("{}://", scheme));
            }))
          fail(at, fmt::format("expected a URL starting with {}", self.range_text()));
        return value;
      },
      [](const std::string& value) { return value; }, absent);
}

template <typename Access>
KeySpec list_key(const Key& key, Access access, std::string_view absent) {
  return bound_key(
      key, KeyKind::kList, {}, access,
      [](const KeySpec&, const YAML::Node& node, const Place& at) { return string_list(node, at); },
      list_text, absent);
}

// A row whose reading is its own: `absent` describes what leaving the key out means.
KeySpec custom_key(const Key& key, KeyKind kind, KeyRange range, decltype(KeySpec::apply) apply,
                   std::string_view absent = {}) {
  return {key.path,        key.required,     kind, std::move(range), std::string(absent),
          key.description, std::move(apply), {}};
}

// flows.*.operations: three flags of the flow, shown and defaulted as the list of words set.
KeySpec operations_key(const Key& key) {
  KeySpec spec = custom_key(key, KeyKind::kWordList, {.words = {"insert", "update", "delete"}},
                            apply_operations);
  spec.value_text = [words = spec.range.words](const PipelineConfig&, const FlowConfig& flow) {
    return operations_text(words, flow);
  };
  spec.default_text = spec.value_text(PipelineConfig{}, FlowConfig{});
  return spec;
}

std::vector<KeySpec> build_key_specs() {
  std::vector<KeySpec> specs;
  specs.push_back(custom_key({"name", kRequired,
                              "Pipeline name of lowercase letters, digits and _: names the "
                              "replication slot and publication (sluice_<name>) and the "
                              "checkpoint row."},
                             KeyKind::kString, {.min = 1, .max = 40}, apply_name));
  specs.push_back(enum_key({"source.type", kRequired, "The database captured."},
                           member(&PipelineConfig::source, &SourceConfig::type),
                           std::vector<Word<SourceType>>{{"postgres", SourceType::kPostgres},
                                                         {"mysql", SourceType::kMysql}}));
  specs.push_back(string_key(
      {"source.url", kRequired,
       "postgresql://user:pass@host:port/db or mysql://user:pass@host:port/db. Use ${ENV} for "
       "the password."},
      member(&PipelineConfig::source, &SourceConfig::url), Empty::kAllowed));
  specs.push_back(custom_key(
      {"source.tables", kOptional,
       "Tables to capture, optionally schema-qualified (public.orders; for MySQL "
       "database.table). Each lands in the sink schema under its bare name; an entry "
       "`auth.users: auth_users` names its warehouse table instead. Two captured tables "
       "whose warehouse names collide (public.users, auth.users) stop the start until one "
       "is mapped. A map (`{public.users: , auth.users: auth_users}`) works as well."},
      KeyKind::kTables, {}, apply_tables, "every table with a primary key"));
  specs.push_back(integer_key(
      {"source.snapshot_parallelism", kOptional, "Tables copied at once during the snapshot."},
      member(&PipelineConfig::source, &SourceConfig::snapshot_parallelism), 1, 64));
  specs.push_back(
      integer_key({"source.server_id", kOptional,
                   "MySQL only: the replica server_id sluice uses; must be unique among replicas."},
                  member(&PipelineConfig::source, &SourceConfig::server_id), 1, 4294967295,
                  "derived from name"));
  specs.push_back(duration_key(
      {"source.connect_timeout", kOptional,
       "A source not reached once since sluice started (wrong host or port) is retried this "
       "long, then sluice exits 1; once connected, lost connections are retried without end."},
      member(&PipelineConfig::source, &SourceConfig::connect_timeout)));
  specs.push_back(enum_key({"sink.type", kRequired, "The warehouse written to."},
                           member(&PipelineConfig::sink, &SinkConfig::type),
                           std::vector<Word<SinkType>>{{"postgres", SinkType::kPostgres},
                                                       {"redshift", SinkType::kRedshift}}));
  specs.push_back(
      string_key({"sink.url", kRequired, "postgresql://user:pass@host:port/db of the warehouse."},
                 member(&PipelineConfig::sink, &SinkConfig::url), Empty::kAllowed));
  specs.push_back(string_key(
      {"sink.schema", kOptional, "Warehouse schema for destination and checkpoint tables."},
      member(&PipelineConfig::sink, &SinkConfig::schema), Empty::kAllowed));
  specs.push_back(duration_key(
      {"sink.connect_timeout", kOptional, "As source.connect_timeout, for the warehouse."},
      member(&PipelineConfig::sink, &SinkConfig::connect_timeout)));
  specs.push_back(custom_key(
      {"sink.s3", kOptional,
       "Redshift only: flushes of at least sink.s3.min_rows changes, and snapshots of tables "
       "of at least that many rows, go through S3 and COPY. Objects are deleted after the "
       "commit; a crash can leave some behind, so give the bucket a lifecycle rule that "
       "expires the prefix."},
      KeyKind::kSection, {}, nullptr, "off"));
  auto s3 = [](auto field) { return member(&PipelineConfig::sink, &SinkConfig::s3, field); };
  specs.push_back(
      string_key({"sink.s3.bucket", kRequired, "Bucket the staged objects are uploaded to."},
                 s3(&S3StagingConfig::bucket), Empty::kRefused));
  specs.push_back(string_key({"sink.s3.region", kRequired, "Region of the bucket, e.g. eu-west-1."},
                             s3(&S3StagingConfig::region), Empty::kRefused));
  specs.push_back(string_key({"sink.s3.prefix", kOptional,
                              "Objects are named <prefix><pipeline name>/<unique name>.csv.gz (a "
                              "snapshot's manifest: .manifest)."},
                             s3(&S3StagingConfig::prefix), Empty::kAllowed));
  specs.push_back(url_key(
      {"sink.s3.endpoint", kOptional,
       "http(s)://host[:port] of an S3-compatible store; given, requests use path style "
       "(/bucket/key), otherwise virtual-host style (bucket.s3.<region>.amazonaws.com)."},
      s3(&S3StagingConfig::endpoint), {"http", "https"}, "https://s3.<region>.amazonaws.com"));
  specs.push_back(string_key(
      {"sink.s3.access_key_id", kRequired, "Access key sluice signs uploads with. Use ${ENV}."},
      s3(&S3StagingConfig::access_key_id), Empty::kRefused));
  specs.push_back(string_key(
      {"sink.s3.secret_access_key", kRequired, "Its secret key. Use ${ENV}; never printed."},
      s3(&S3StagingConfig::secret_access_key), Empty::kRefused));
  specs.push_back(string_key({"sink.s3.session_token", kOptional,
                              "Session token of temporary credentials. Use ${ENV}; never printed."},
                             s3(&S3StagingConfig::session_token), Empty::kAllowed, "none"));
  specs.push_back(string_key(
      {"sink.s3.iam_role", kOptional,
       "ARN of the role Redshift assumes to read the objects (COPY ... IAM_ROLE); absent, "
       "COPY passes the access keys."},
      s3(&S3StagingConfig::iam_role), Empty::kAllowed, "none"));
  specs.push_back(integer_key(
      {"sink.s3.min_rows", kOptional,
       "Flushes with fewer changes, and snapshot tables with fewer rows, than this keep "
       "multi-row INSERT: a COPY costs about a second whatever its size."},
      s3(&S3StagingConfig::min_rows), 1, 100000000));
  specs.push_back(
      integer_key({"batch.max_rows", kOptional, "A batch closes at this many changes..."},
                  member(&PipelineConfig::batch, &BatchConfig::max_rows), 1, 10000000));
  specs.push_back(integer_key(
      {"batch.max_bytes", kOptional,
       "...or at this many bytes of row text (before and after images), so wide rows do not "
       "make a batch of max_rows rows outgrow memory..."},
      member(&PipelineConfig::batch, &BatchConfig::max_bytes), 1024, int64_t{16} << 30));
  specs.push_back(
      duration_key({"batch.max_delay", kOptional, "...or when its first change is this old."},
                   member(&PipelineConfig::batch, &BatchConfig::max_delay)));
  specs.push_back(string_key(
      {"state.dir", kOptional,
       "Folder of this pipeline's flow state (a RocksDB store; `sluice reset` removes it). "
       "`sluice apply` keeps one store per process in its subfolders apply-0, apply-1, ... "
       "Flows only: mirror pipelines keep no state."},
      member(&PipelineConfig::state, &StateConfig::dir), Empty::kRefused,
      "$XDG_STATE_HOME/sluice/<name>, or ~/.local/state/sluice/<name>"));
  specs.push_back(integer_key(
      {"state.cache_size", kOptional,
       "MiB of memory for the flow state's block cache; state beyond it stays on disk."},
      member(&PipelineConfig::state, &StateConfig::cache_mb), 8, 1048576));
  specs.push_back(custom_key(
      {"observability.listen", kOptional,
       "HOST:PORT for the HTTP endpoint serving /metrics (Prometheus), /healthz and /status "
       "(JSON), e.g. 127.0.0.1:9187. A bare port (9187 or :9187) listens on loopback only."},
      KeyKind::kAddress, {.min = 1, .max = 65535}, apply_listen, "off"));
  specs.push_back(custom_key(
      {"transport.type", kOptional, "kafka: `sluice capture` and `sluice apply` meet in Kafka."},
      KeyKind::kEnum, {.words = {"kafka"}}, apply_transport_type));
  auto transport = [](auto field) { return member(&PipelineConfig::transport, field); };
  specs.push_back(string_key(
      {"transport.brokers", kOptional, "host:port[,host:port...] of the Kafka bootstrap brokers."},
      transport(&TransportConfig::brokers), Empty::kAllowed));
  specs.push_back(string_key(
      {"transport.topic_prefix", kOptional,
       "Topics are <prefix>.<schema>.<table> (or <prefix> alone), plus <prefix>.offsets."},
      transport(&TransportConfig::topic_prefix), Empty::kRefused, "sluice.<name>"));
  specs.push_back(
      bool_key({"transport.topic_per_table", kOptional,
                "true: one topic per source table; false: every table in the topic <prefix>."},
               transport(&TransportConfig::topic_per_table)));
  specs.push_back(integer_key(
      {"transport.partitions", kOptional,
       "Partitions of the topics sluice creates: the most apply processes that share work."},
      transport(&TransportConfig::partitions), 1, 10000));
  specs.push_back(
      list_key({"transport.topics", kOptional,
                "Topics `sluice apply` reads instead, e.g. written by Debezium (^regex allowed)."},
               transport(&TransportConfig::topics), "sluice's own topics"));
  specs.push_back(custom_key(
      {"transport.properties", kOptional,
       "librdkafka properties passed as-is (SASL, TLS, tuning). Values of keys containing "
       "password, secret or key are never printed."},
      KeyKind::kMap, {}, apply_properties, "{}"));
  specs.push_back(custom_key({"flows.*.key", kRequired, "Destination primary key columns."},
                             KeyKind::kList, {.min = 1}, apply_flow_key));
  specs.push_back(operations_key({"flows.*.operations", kOptional,
                                  "Which source operations on the driving table reach the "
                                  "destination."}));
  specs.push_back(custom_key({"flows.*.sql", kRequired, "One SELECT; see docs/flows.md."},
                             KeyKind::kString, {}, apply_sql));
  specs.push_back(
      enum_key({"flows.*.on_error", kOptional, "What a row whose expression fails does."},
               flow_member(&FlowConfig::on_error),
               std::vector<Word<OnError>>{{"fail", OnError::kFail},
                                          {"dead_letter", OnError::kDeadLetter},
                                          {"skip", OnError::kSkip}}));
  return specs;
}

}  // namespace

std::string KeySpec::range_text() const {
  switch (kind) {
    case KeyKind::kInteger:
      return fmt::format("{} to {}", range.min, range.max);
    case KeyKind::kAddress:
      return fmt::format("port {} to {}", range.min, range.max);
    case KeyKind::kEnum:
    case KeyKind::kBool:
      return join(range.words, " | ");
    case KeyKind::kWordList:
      return "any of " + join(range.words, ", ");
    case KeyKind::kUrl:
      return join(range.words, " or ", "://");
    case KeyKind::kString:
      if (range.max > 0) return fmt::format("{} to {} characters", range.min, range.max);
      return range.min > 0 ? "not empty" : "";
    case KeyKind::kList:
      return range.min > 0 ? "not empty" : "";
    case KeyKind::kDuration:
    case KeyKind::kTables:
    case KeyKind::kMap:
    case KeyKind::kSection:
      return "";
  }
  return "";
}

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = build_key_specs();
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

std::string configuration_reference() {
  std::string out =
      "# Pipeline file reference\n\nGenerated by `sluice config-reference` from the table the "
      "parser uses. `${NAME}` anywhere in the file is replaced by the environment variable NAME "
      "(`$${` for a literal `${`); a missing variable is an error naming the line.\n\n"
      "| key | required | default | range | meaning |\n|---|---|---|---|---|\n";
  auto cell = [](std::string_view text) {
    std::string escaped;
    for (char c : text) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    return escaped;
  };
  for (const KeySpec& spec : key_specs()) {
    std::string path(spec.path);
    if (path.starts_with("flows.*")) path = "flows.<table>" + path.substr(7);
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", path, spec.required ? "yes" : "no",
                       cell(spec.default_text), cell(spec.range_text()), cell(spec.description));
  }
  return out;
}

}  // namespace sluice
