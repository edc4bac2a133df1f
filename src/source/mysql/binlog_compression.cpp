#include "source/mysql/binlog_compression.hpp"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include "core/error.hpp"
#include "source/mysql/binlog_byte_reader.hpp"

namespace sluice::mysql {
namespace {

using detail::ByteReader;

constexpr uint8_t kQueryCompressedEvent = 165;
constexpr size_t kRowsPostHeader = 8;  // u48 table id, u16 flags
constexpr uint8_t kCompressedFlag = 0x80;
constexpr uint8_t kAlgorithmBits = 0x70;
constexpr uint8_t kLengthBytesBits = 0x07;
// max_allowed_packet cannot exceed 1 GiB, and no event is larger.
constexpr uint64_t kMaxUncompressed = uint64_t{1} << 30;
constexpr uint64_t kMaxDeflateRatio = 1032;

enum PayloadField : uint64_t {
  kHeaderEnd = 0,
  kPayloadSize = 1,
  kCompressionType = 2,
  kUncompressedSize = 3,
};
constexpr uint64_t kZstd = 0;
constexpr uint64_t kNoCompression = 255;

bool is_update(uint8_t plain_type) {
  return plain_type == 24 || plain_type == 31;
}
bool is_rows_v2(uint8_t plain_type) {
  return plain_type >= 30;
}

void check_size(uint64_t size) {
  if (size > kMaxUncompressed)
    throw FatalError(fmt::format("compressed binlog event claims {} uncompressed bytes", size));
}

// Appends the uncompressed bytes of one MariaDB compressed part to `out`.
void append_zlib_part(std::span<const uint8_t> part, std::vector<uint8_t>& out) {
  ByteReader in(part);
  uint8_t header = in.u8();
  if ((header & kCompressedFlag) == 0 || (header & kAlgorithmBits) != 0)
    throw FatalError(
        fmt::format("compressed binlog event with header byte {:#x} (zlib expected)", header));
  uint64_t length = in.be(header & kLengthBytesBits);
  check_size(length);
  std::span<const uint8_t> stream = in.bytes(in.remaining());
  // Deflate expands at most about 1032 to 1: a larger claim is a corrupt length, which
  // must not size an allocation.
  if (length > stream.size() * kMaxDeflateRatio + 64)
    throw FatalError(
        fmt::format("compressed binlog event claims {} uncompressed bytes from {} compressed",
                    length, stream.size()));
  size_t start = out.size();
  out.resize(start + length);
  uLongf produced = static_cast<uLongf>(length);
  int rc = ::uncompress(out.data() + start, &produced, stream.data(), stream.size());
  if (rc != Z_OK || produced != length)
    throw FatalError(fmt::format(
        "compressed binlog event does not inflate to its stated {} bytes (zlib error {})", length,
        rc));
}

// The bytes before the compressed part of a query event: post-header, status variables,
// database name and NUL.
size_t query_prefix_length(std::span<const uint8_t> body) {
  ByteReader in(body);
  in.skip(8);  // thread id, execution time
  uint8_t database_length = in.u8();
  in.skip(2);  // error code
  uint16_t status_length = in.u16();
  in.skip(status_length + database_length + 1u);
  return in.position();
}

size_t rows_prefix_length(uint8_t plain_type, std::span<const uint8_t> body) {
  ByteReader in(body);
  in.skip(kRowsPostHeader);
  if (is_rows_v2(plain_type)) {
    uint16_t extra_length = in.u16();
    if (extra_length < 2) throw FatalError("rows event extra-data length below 2");
    in.skip(extra_length - 2u);
  }
  uint64_t columns = in.lenenc();
  size_t bitmap = (columns + 7) / 8;
  in.skip(is_update(plain_type) ? 2 * bitmap : bitmap);
  return in.position();
}

}  // namespace

std::optional<uint8_t> plain_type_of_compressed(uint8_t event_type) {
  switch (event_type) {
    case kQueryCompressedEvent:
      return 2;
    case 166:
    case 167:
    case 168:
      return static_cast<uint8_t>(event_type - 166 + 23);
    case 169:
    case 170:
    case 171:
      return static_cast<uint8_t>(event_type - 169 + 30);
    default:
      return std::nullopt;
  }
}

std::vector<uint8_t> uncompress_event_body(uint8_t event_type, std::span<const uint8_t> body) {
  std::optional<uint8_t> plain = plain_type_of_compressed(event_type);
  if (!plain) throw FatalError(fmt::format("binlog event type {} is not compressed", event_type));
  size_t prefix = event_type == kQueryCompressedEvent ? query_prefix_length(body)
                                                      : rows_prefix_length(*plain, body);
  std::vector<uint8_t> out(body.begin(), body.begin() + static_cast<ptrdiff_t>(prefix));
  append_zlib_part(body.subspan(prefix), out);
  return out;
}

std::vector<uint8_t> uncompress_transaction_payload(std::span<const uint8_t> body) {
  ByteReader in(body);
  std::optional<uint64_t> payload_size;
  std::optional<uint64_t> uncompressed_size;
  uint64_t compression = kZstd;
  while (true) {
    uint64_t type = in.lenenc();
    if (type == kHeaderEnd) break;
    uint64_t length = in.lenenc();
    switch (type) {
      case kPayloadSize:
        payload_size = in.lenenc();
        break;
      case kCompressionType:
        compression = in.lenenc();
        break;
      case kUncompressedSize:
        uncompressed_size = in.lenenc();
        break;
      default:
        in.skip(length);
    }
  }
  std::span<const uint8_t> payload = in.bytes(payload_size.value_or(in.remaining()));
  if (compression == kNoCompression) return {payload.begin(), payload.end()};
  if (compression != kZstd)
    throw FatalError(fmt::format(
        "TRANSACTION_PAYLOAD event compressed with type {}, which sluice does not know (zstd is 0)",
        compression));
  unsigned long long frame_size = ZSTD_getFrameContentSize(payload.data(), payload.size());
  if (!uncompressed_size && frame_size != ZSTD_CONTENTSIZE_UNKNOWN &&
      frame_size != ZSTD_CONTENTSIZE_ERROR)
    uncompressed_size = frame_size;
  if (!uncompressed_size)
    throw FatalError("TRANSACTION_PAYLOAD event without its uncompressed size");
  check_size(*uncompressed_size);
  std::vector<uint8_t> out(*uncompressed_size);
  size_t produced = ZSTD_decompress(out.data(), out.size(), payload.data(), payload.size());
  if (ZSTD_isError(produced) || produced != out.size())
    throw FatalError(
        fmt::format("TRANSACTION_PAYLOAD event does not decompress to its stated {} bytes ({})",
                    out.size(), ZSTD_isError(produced) ? ZSTD_getErrorName(produced) : "short"));
  return out;
}

}  // namespace sluice::mysql
