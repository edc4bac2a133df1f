#pragma once
// Which ends ("source", "sink") a connection has been made to since the process started.
// An end never reached is likely a wrong host or port, given up on after its
// connect_timeout; one reached before is worth retrying without end.

#include <string_view>

namespace sluice {

// Thread-safe; called by the client libraries' wrappers on every successful connect.
void note_connected(std::string_view end);
bool was_connected(std::string_view end);

}  // namespace sluice
