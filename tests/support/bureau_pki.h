// Throwaway certificates and keys for the bureau link, made with the openssl
// CLI in a fresh directory: the bureau's CA, its server certificate for
// 127.0.0.1/localhost, one for another name, our client certificate, a wrong
// CA (with a server and a client certificate of its own), and Ed25519 page
// signing keys. Everything is removed with the object.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "child_process.h"

namespace cardd::test {

class BureauPki {
 public:
  BureauPki() {
    ca_ = make_ca("bureau-test-ca");
    wrong_ca_ = make_ca("someone-else-ca");
    server_ = make_leaf("server", ca_, "127.0.0.1", "IP:127.0.0.1,DNS:localhost", "serverAuth");
    other_name_ =
        make_leaf("other-name", ca_, "bureau.invalid", "DNS:bureau.invalid", "serverAuth");
    wrong_server_ = make_leaf("wrong-server", wrong_ca_, "127.0.0.1", "IP:127.0.0.1,DNS:localhost",
                              "serverAuth");
    client_ = make_leaf("client", ca_, "cardd-test-bank", "DNS:cardd-test-bank", "clientAuth");
    wrong_client_ = make_leaf("wrong-client", wrong_ca_, "cardd-test-bank", "DNS:cardd-test-bank",
                              "clientAuth");
    sign_key_ = make_ed25519("sign");
    other_sign_key_ = make_ed25519("other-sign");
  }

  struct Pair {
    std::string cert, key;
  };
  struct Ed25519 {
    std::string private_key, public_key;
  };

  const std::string& ca() const { return ca_.cert; }
  const std::string& wrong_ca() const { return wrong_ca_.cert; }
  const Pair& server() const { return server_; }
  const Pair& other_name_server() const { return other_name_; }
  const Pair& wrong_server() const { return wrong_server_; }
  const Pair& client() const { return client_; }
  const Pair& wrong_client() const { return wrong_client_; }
  const Ed25519& sign_key() const { return sign_key_; }
  const Ed25519& other_sign_key() const { return other_sign_key_; }

  // bureau-sim arguments for HTTPS with `pair`, requiring clients of our CA.
  std::vector<std::string> sim_tls_args(const Pair& pair) const {
    return {"--tls-cert", pair.cert, "--tls-key", pair.key, "--client-ca", ca_.cert};
  }

 private:
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  void openssl(std::vector<std::string> args) const {
    args.insert(args.begin(), "openssl");
    const RunResult r = run_command(args);
    if (r.exit_code != 0) ADD_FAILURE() << "openssl " << args[1] << " failed: " << r.err;
  }

  Pair make_ca(const std::string& name) const {
    Pair ca{path(name + ".pem"), path(name + ".key")};
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", ca.key, "-out", ca.cert, "-days", "2", "-subj", "/CN=" + name});
    return ca;
  }

  Pair make_leaf(const std::string& name, const Pair& ca, const std::string& cn,
                 const std::string& san, const std::string& usage) const {
    Pair leaf{path(name + ".pem"), path(name + ".key")};
    const std::string csr = path(name + ".csr");
    const std::string ext = path(name + ".ext");
    std::ofstream(ext) << "basicConstraints=CA:FALSE\nsubjectAltName=" << san
                       << "\nextendedKeyUsage=" << usage << "\n";
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             leaf.key, "-out", csr, "-subj", "/CN=" + cn});
    openssl({"x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial",
             std::to_string(++serial_), "-days", "2", "-extfile", ext, "-out", leaf.cert});
    return leaf;
  }

  Ed25519 make_ed25519(const std::string& name) const {
    Ed25519 key{path(name + ".key"), path(name + ".pub")};
    openssl({"genpkey", "-algorithm", "ed25519", "-out", key.private_key});
    openssl({"pkey", "-in", key.private_key, "-pubout", "-out", key.public_key});
    return key;
  }

  TempDir dir_;
  mutable int serial_ = 1000;
  Pair ca_, wrong_ca_, server_, other_name_, wrong_server_, client_, wrong_client_;
  Ed25519 sign_key_, other_sign_key_;
};

}  // namespace cardd::test
