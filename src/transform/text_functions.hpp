#pragma once
// PostgreSQL string functions over UTF-8 text. Lengths and positions count characters,
// not bytes, as PostgreSQL does in a UTF-8 database. Results are views into the input
// where possible, otherwise into the arena.

#include <cstdint>
#include <optional>
#include <string_view>

#include "transform/scratch_arena.hpp"

namespace sluice::transform {

int64_t utf8_length(std::string_view s);
// Case mapping covers ASCII and Latin-1 letters (U+00C0..U+00FE); other characters are
// kept, which matches PostgreSQL for the C.UTF-8 collation family on that range.
std::string_view lower_text(std::string_view s, ScratchArena& arena);
std::string_view upper_text(std::string_view s, ScratchArena& arena);

// What PostgreSQL's input functions (int8in, float8in, numeric_in, date_in) skip around
// a value: ASCII white space.
std::string_view trim_blanks(std::string_view s);

enum class TrimSide : uint8_t { kBoth, kLeading, kTrailing };
// `chars` is the set of characters to remove (PostgreSQL's default: a space).
std::string_view trim_text(std::string_view s, std::string_view chars, TrimSide side);

// SUBSTRING(s FROM start FOR count) with PostgreSQL's rules for a start before 1;
// nullopt when count is negative (PostgreSQL raises an error).
std::optional<std::string_view> substring_text(std::string_view s, int64_t start,
                                               std::optional<int64_t> count);
std::string_view replace_text(std::string_view s, std::string_view from, std::string_view to,
                              ScratchArena& arena);

}  // namespace sluice::transform
