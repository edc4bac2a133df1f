#include "source/postgres/replication_stream.hpp"

#include <fmt/format.h>
#include <sys/select.h>

#include <cerrno>

#include "core/byte_order.hpp"
#include "core/error.hpp"
#include "source/postgres/pgoutput_decoder.hpp"

namespace sluice::pg {
namespace {

constexpr auto kStatusInterval = std::chrono::seconds(10);

void write_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

int64_t now_pg_us() {
  auto since_unix = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return since_unix.count() - kPgEpochOffsetUs;
}

}  // namespace

ReplicationStream::ReplicationStream(const std::string& url)
    : conn_(url, PgConnection::Mode::kReplication, "source") {}

ReplicationStream::~ReplicationStream() {
  if (buffer_ != nullptr) PQfreemem(buffer_);
}

bool ReplicationStream::slot_exists(const std::string& slot) {
  // A walsender connection speaks only the simple query protocol: no parameters.
  return conn_
      .scalar(fmt::format("SELECT 1 FROM pg_replication_slots WHERE slot_name = {}",
                          conn_.quote_literal(slot)))
      .has_value();
}

void ReplicationStream::drop_slot(const std::string& slot) {
  conn_.exec(fmt::format("DROP_REPLICATION_SLOT {} WAIT", conn_.quote_identifier(slot)));
}

CreatedSlot ReplicationStream::create_slot(const std::string& slot) {
  PgResult r = conn_.query_simple(
      fmt::format("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput (SNAPSHOT 'export')",
                  conn_.quote_identifier(slot)));
  return CreatedSlot{parse_lsn(PQgetvalue(r.get(), 0, 1)), PQgetvalue(r.get(), 0, 2)};
}

void ReplicationStream::start(const std::string& slot, const std::string& publication, Lsn from) {
  std::string sql =
      fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '2', publication_names {})",
                  conn_.quote_identifier(slot), to_string(from), conn_.quote_literal(publication));
  PgResult r(PQexec(conn_.raw(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COPY_BOTH) conn_.fail("START_REPLICATION", r.get());
  flushed_ = from;
  last_status_ = std::chrono::steady_clock::now();
}

bool ReplicationStream::wait_readable(std::chrono::steady_clock::time_point deadline) {
  int fd = PQsocket(conn_.raw());
  if (fd < 0) throw ConnectionError("source: replication connection lost");
  auto remaining = deadline - std::chrono::steady_clock::now();
  // Wake at least every status interval so a long wait still reports progress.
  remaining = std::min<std::chrono::steady_clock::duration>(remaining, kStatusInterval);
  if (remaining <= std::chrono::steady_clock::duration::zero()) return false;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(remaining).count();
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(fd, &readable);
  int n = select(fd + 1, &readable, nullptr, nullptr, &tv);
  if (n < 0 && errno != EINTR)
    throw ConnectionError(fmt::format("source: select failed: errno {}", errno));
  return n > 0;
}

std::optional<std::span<const uint8_t>> ReplicationStream::next_message(
    std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (buffer_ != nullptr) {
      PQfreemem(buffer_);
      buffer_ = nullptr;
    }
    int length = PQgetCopyData(conn_.raw(), &buffer_, /*async=*/1);
    if (length == 0) {
      maybe_send_status();
      bool readable = wait_readable(deadline);
      if (!readable && std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      if (readable && PQconsumeInput(conn_.raw()) == 0)
        throw ConnectionError(
            fmt::format("source: replication connection lost: {}", PQerrorMessage(conn_.raw())));
      continue;
    }
    if (length == -1) {
      PgResult r(PQgetResult(conn_.raw()));
      conn_.fail("replication stream ended", r.get());
    }
    if (length < 0)
      throw ConnectionError(
          fmt::format("source: replication connection lost: {}", PQerrorMessage(conn_.raw())));
    auto data = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buffer_),
                                         static_cast<size_t>(length));
    if (data[0] == 'k') {
      handle_keepalive(data);
      continue;
    }
    if (data[0] != 'w' || data.size() < 25)
      throw FatalError(fmt::format("source: unexpected replication message '{}'", char(data[0])));
    message_lsn_ = Lsn{load_be(data.data() + 1, 8)};
    return data.subspan(25);
  }
}

void ReplicationStream::handle_keepalive(std::span<const uint8_t> data) {
  if (data.size() < 18) throw FatalError("source: short keepalive message");
  wal_end_ = std::max(wal_end_, Lsn{load_be(data.data() + 1, 8)});
  if (data[17] != 0) send_status(flushed_, false);
}

void ReplicationStream::send_status(Lsn flushed, bool request_reply) {
  flushed_ = std::max(flushed_, flushed);
  uint8_t message[34];
  message[0] = 'r';
  write_be64(message + 1, flushed_.value);
  write_be64(message + 9, flushed_.value);
  write_be64(message + 17, flushed_.value);
  write_be64(message + 25, static_cast<uint64_t>(now_pg_us()));
  message[33] = request_reply ? 1 : 0;
  if (PQputCopyData(conn_.raw(), reinterpret_cast<const char*>(message), sizeof message) != 1 ||
      PQflush(conn_.raw()) != 0)
    throw ConnectionError(
        fmt::format("source: cannot send status: {}", PQerrorMessage(conn_.raw())));
  last_status_ = std::chrono::steady_clock::now();
}

void ReplicationStream::maybe_send_status() {
  if (std::chrono::steady_clock::now() - last_status_ >= kStatusInterval)
    send_status(flushed_, false);
}

}  // namespace sluice::pg
