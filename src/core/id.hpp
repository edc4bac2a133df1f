#pragma once
// A number that names something inside one protocol (a pgoutput relation, a binlog table
// map, a record's place in the source log) gets a type of its own, as Lsn has, so one kind
// cannot be passed where another is meant.

#include <compare>
#include <cstddef>
#include <functional>

namespace sluice {

template <class Tag, class T>
struct Id {
  T value = 0;
  auto operator<=>(const Id&) const = default;
};

}  // namespace sluice

template <class Tag, class T>
struct std::hash<sluice::Id<Tag, T>> {
  size_t operator()(const sluice::Id<Tag, T>& id) const noexcept {
    return std::hash<T>{}(id.value);
  }
};
