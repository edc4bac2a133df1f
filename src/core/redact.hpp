#pragma once
// Passwords in connection strings, kept out of logs, errors and /status. Both forms
// libpq and Connector/C accept are understood:
//   URLs      scheme://user:password@host:port/db?key=value&password=...
//   key/value host=h password=secret dbname=x (values may be 'quoted \' with escapes')
// A URL's password runs from the first ':' of the user part to the LAST '@' before the
// query, so a password may hold '@', ':' and '%' as typed. Every key containing
// "password" (password, sslpassword, ssl-password) holds a secret in both forms.

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// The URL or key/value string with every secret value replaced by "****". A key/value
// string that does not parse is masked from its first secret to the end.
std::string redact_url(std::string_view url);

// The secrets the string holds, each as written, as decoded (percent escapes or quotes
// and backslashes) and percent-encoded: the forms a client's error message may quote.
std::vector<std::string> url_secrets(std::string_view url);

// `text` with every occurrence of every secret replaced by "****" (secrets shorter than
// two characters are left: they would mangle the message and reveal nothing).
std::string scrub_secrets(std::string text, std::vector<std::string> secrets);

}  // namespace sluice
