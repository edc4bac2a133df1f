#include "core/change.hpp"

namespace sluice {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kInsert:
      return "insert";
    case Op::kUpdate:
      return "update";
    case Op::kDelete:
      return "delete";
    case Op::kTruncate:
      return "truncate";
  }
  return "?";
}

}  // namespace sluice
