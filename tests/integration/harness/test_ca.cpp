#include "harness/test_ca.hpp"

#include <fstream>
#include <vector>

#include "harness/test_dir.hpp"

namespace sluice::test {

TestCa::TestCa(const std::string& server_user) : dir_(make_subdir("ca")) {
  write_configs();
  std::string ca_key = (dir_ / "ca.key").string();
  std::string csr = (dir_ / "server.csr").string();
  openssl({"req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out",
           ca_file(), "-days", "2", "-config", (dir_ / "ca.cnf").string(), "-extensions", "ca"});
  openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key_file(), "-out", csr,
           "-config", (dir_ / "server.cnf").string()});
  openssl({"x509", "-req", "-in", csr, "-CA", ca_file(), "-CAkey", ca_key, "-set_serial", "2",
           "-days", "2", "-out", cert_file(), "-extfile", (dir_ / "server.cnf").string(),
           "-extensions", "server"});
  std::filesystem::permissions(
      key_file(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  give_to_user(key_file(), server_user);
  give_to_user(cert_file(), server_user);
}

// Configuration files of our own, so the system's openssl.cnf defaults do not matter.
// Clients check the server's name against subjectAltName: both the name and the address
// the tests connect to are in it.
void TestCa::write_configs() const {
  std::ofstream(dir_ / "ca.cnf") << "[req]\nprompt = no\ndistinguished_name = dn\n"
                                 << "[dn]\nCN = sluice test CA\n"
                                 << "[ca]\nbasicConstraints = critical,CA:TRUE\n"
                                 << "keyUsage = critical,keyCertSign,cRLSign\n"
                                 << "subjectKeyIdentifier = hash\n";
  std::ofstream(dir_ / "server.cnf") << "[req]\nprompt = no\ndistinguished_name = dn\n"
                                     << "[dn]\nCN = localhost\n"
                                     << "[server]\nbasicConstraints = CA:FALSE\n"
                                     << "keyUsage = critical,digitalSignature,keyEncipherment\n"
                                     << "extendedKeyUsage = serverAuth\n"
                                     << "subjectAltName = DNS:localhost,IP:127.0.0.1\n";
}

void TestCa::openssl(const std::vector<std::string>& args) const {
  std::vector<std::string> command = {"openssl"};
  command.insert(command.end(), args.begin(), args.end());
  run_or_throw(command, dir_ / "openssl.log");
}

}  // namespace sluice::test
