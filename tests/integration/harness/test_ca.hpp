#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::test {

// A throwaway certificate authority made with the openssl command line, and a server
// certificate it signed for "localhost" and 127.0.0.1, in a fresh folder. The server's
// key is given to `server_user` (mode 0600, as PostgreSQL requires) when running as root.
class TestCa {
 public:
  explicit TestCa(const std::string& server_user);
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  std::string cert_file() const { return (dir_ / "server.pem").string(); }
  std::string key_file() const { return (dir_ / "server.key").string(); }

 private:
  void write_configs() const;
  void openssl(const std::vector<std::string>& args) const;

  std::filesystem::path dir_;
};

}  // namespace sluice::test
