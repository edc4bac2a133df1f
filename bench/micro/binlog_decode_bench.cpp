// Decoding throughput of the binlog rows decoder on the reference scenario's tables, with
// TABLE_MAP and row images captured from MariaDB 10.11 (tests/data/binlog/rows/).
#include <benchmark/benchmark.h>

#include <string_view>
#include <vector>

#include "source/mysql/binlog_row_decoder.hpp"

namespace {

using sluice::mysql::BinlogFlavor;
using sluice::mysql::parse_table_map;
using sluice::mysql::RowsDecoder;

std::vector<uint8_t> from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

struct Table {
  std::string_view table_map;
  std::string_view event_prefix;  // post-header, column count, columns-present bitmap
  std::vector<std::string_view> row_images;
};

// ticket_activity: INT, INT, TIMESTAMP, TIMESTAMP (two rows, one with a NULL).
const Table kTicketActivity = {
    "19000000000001000673706f727473000f7469636b65745f61637469766974790004030311110200000e0101"
    "00042d097469636b65745f69640c7075726368617365645f62790a637265617465645f61740a757064617465"
    "645f6174080100",
    "1900000000000100040f",
    {"f023050000de0000006118e5a06118e5a0", "fa240500006118e5a1"}};

// customer: INT and three VARCHARs, latin1 (one row with a NULL email).
const Table kCustomer = {
    "18000000000001000673706f7274730008637573746f6d65720004030f0f0f066400c80028000e0101000201"
    "08041d0b637573746f6d65725f6964046e616d6505656d61696c0570686f6e65080100",
    "1800000000000100040f",
    {"f0de0000000c54657265736120537465696e12746572657361406578616d706c652e636f6d0f2b312d323936"
     "2d3630352d38343836",
     "f4df0000000e4afc7267656e204f27427269656e113038372d3233372d393331367832363730"}};

// One WRITE_ROWS event of `rows` rows, as large as MariaDB makes them (about 8 KiB).
std::vector<uint8_t> write_event(const Table& table, size_t rows) {
  std::vector<uint8_t> body = from_hex(table.event_prefix);
  for (size_t i = 0; i < rows; ++i) {
    std::vector<uint8_t> image = from_hex(table.row_images[i % table.row_images.size()]);
    body.insert(body.end(), image.begin(), image.end());
  }
  return body;
}

void decode(benchmark::State& state, const Table& table) {
  constexpr uint8_t kWriteRowsV1 = 23;
  const size_t rows_per_event = static_cast<size_t>(state.range(0));
  RowsDecoder decoder(parse_table_map(from_hex(table.table_map), BinlogFlavor::kMariaDb), {});
  std::vector<uint8_t> event = write_event(table, rows_per_event);
  size_t rows = 0;
  for (auto _ : state) {
    decoder.begin(kWriteRowsV1, event);
    while (decoder.next_row()) {
      benchmark::DoNotOptimize(decoder.after().text(0).data());
      ++rows;
    }
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(event.size() * state.iterations()));
}

void BM_DecodeTicketActivity(benchmark::State& state) {
  decode(state, kTicketActivity);
}
void BM_DecodeCustomer(benchmark::State& state) {
  decode(state, kCustomer);
}

BENCHMARK(BM_DecodeTicketActivity)->Arg(1)->Arg(300);
BENCHMARK(BM_DecodeCustomer)->Arg(1)->Arg(120);

}  // namespace
