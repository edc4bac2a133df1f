#include "core/error.hpp"

namespace sluice {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kConnectFailed:
      return "connect_failed";
    case Errc::kConnectionLost:
      return "connection_lost";
    case Errc::kSerializationFailure:
      return "serialization_failure";
    case Errc::kDeadlock:
      return "deadlock";
    case Errc::kFenced:
      return "fenced";
    case Errc::kUniqueViolation:
      return "unique_violation";
    case Errc::kRefused:
      return "refused";
    case Errc::kBadInput:
      return "bad_input";
  }
  return "?";
}

}  // namespace sluice
