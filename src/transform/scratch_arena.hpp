#pragma once
// Bump allocator for the text a flow computes while evaluating one row. Pointers stay
// valid until reset(); reset() keeps the memory, so steady-state evaluation allocates
// nothing.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sluice::transform {

class ScratchArena {
 public:
  static constexpr size_t kBlockSize = 64 * 1024;

  char* allocate(size_t n) {
    if (current_ < blocks_.size() && blocks_[current_].size - used_ >= n) {
      char* p = blocks_[current_].data.get() + used_;
      used_ += n;
      return p;
    }
    return allocate_slow(n);
  }

  std::string_view copy(std::string_view text) {
    char* p = allocate(text.size());
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    return {p, text.size()};
  }

  void reset() {
    current_ = 0;
    used_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  char* allocate_slow(size_t n) {
    // Move to the next kept block that fits, or add one in its place.
    for (++current_; current_ < blocks_.size(); ++current_) {
      if (blocks_[current_].size >= n) break;
    }
    if (current_ >= blocks_.size()) {
      size_t size = std::max(kBlockSize, n);
      blocks_.push_back(Block{std::make_unique<char[]>(size), size});
      current_ = blocks_.size() - 1;
    }
    used_ = n;
    return blocks_[current_].data.get();
  }

  std::vector<Block> blocks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace sluice::transform
