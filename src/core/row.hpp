#pragma once
// A row image: one cell per column, each null, unchanged (a PostgreSQL TOAST value the
// change did not carry), or a value in PostgreSQL's canonical text form (what COPY
// text format and pgoutput use). All cell text lives in one buffer, so filling a row
// does not allocate per value once the buffer has grown to its working size.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

enum class CellState : uint8_t { kNull, kValue, kUnchanged };

class Row {
 public:
  void clear() {
    text_.clear();
    cells_.clear();
  }
  void reserve(size_t columns) { cells_.reserve(columns); }

  void append_null() { cells_.push_back({0, 0, CellState::kNull}); }
  void append_unchanged() { cells_.push_back({0, 0, CellState::kUnchanged}); }
  void append(std::string_view text) {
    cells_.push_back({static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(text.size()),
                      CellState::kValue});
    text_.append(text);
  }
  // For decoders that write the text piecewise: begin_value(), then append_text() any
  // number of times; the cell covers everything appended since begin_value().
  void begin_value() {
    cells_.push_back({static_cast<uint32_t>(text_.size()), 0, CellState::kValue});
  }
  void append_text(std::string_view piece) {
    text_.append(piece);
    cells_.back().length = static_cast<uint32_t>(text_.size() - cells_.back().offset);
  }
  void append_char(char c) {
    text_.push_back(c);
    ++cells_.back().length;
  }

  size_t size() const { return cells_.size(); }
  // The bytes of its values' text: what a batch's byte limit counts.
  size_t text_bytes() const { return text_.size(); }
  bool empty() const { return cells_.empty(); }
  CellState state(size_t i) const { return cells_[i].state; }
  bool is_null(size_t i) const { return cells_[i].state == CellState::kNull; }
  bool is_unchanged(size_t i) const { return cells_[i].state == CellState::kUnchanged; }
  std::string_view text(size_t i) const {
    return std::string_view(text_).substr(cells_[i].offset, cells_[i].length);
  }
  bool has_unchanged() const {
    for (const Cell& c : cells_)
      if (c.state == CellState::kUnchanged) return true;
    return false;
  }

  // Copies cell i of another row onto the end of this one.
  void append_cell(const Row& other, size_t i) {
    switch (other.state(i)) {
      case CellState::kNull:
        append_null();
        break;
      case CellState::kUnchanged:
        append_unchanged();
        break;
      case CellState::kValue:
        append(other.text(i));
        break;
    }
  }

  friend bool operator==(const Row& a, const Row& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a.state(i) != b.state(i) || a.text(i) != b.text(i)) return false;
    }
    return true;
  }

 private:
  struct Cell {
    uint32_t offset;
    uint32_t length;
    CellState state;
  };
  std::string text_;
  std::vector<Cell> cells_;
};

}  // namespace sluice
