#pragma once
// Connection strings as libpq should read them.

#include <string>
#include <string_view>

namespace sluice {

// libpq splits postgresql://user:password@host at the FIRST '@' and stops looking for it
// at a '/', so a password typed with '@' or '/' would send the rest of it to DNS as the
// host name (and into the error message). sluice reads the user part up to the LAST '@'
// before the query, as redact_url() masks it, and percent-encodes there what libpq would
// misread: '@', '/' and a '%' that starts no escape. Other strings are returned as they are.
std::string libpq_url(std::string_view url);

}  // namespace sluice
