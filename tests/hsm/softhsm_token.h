// (temporary minimal version by the lead; the pkcs11 work replaces it)
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "cardd/hsm/factory.h"
#include "child_process.h"

namespace cardd::test {

class SoftHsmToken {
 public:
  SoftHsmToken() {
    std::filesystem::create_directories(dir_.path() / "tokens");
    const std::string conf = (dir_.path() / "softhsm2.conf").string();
    std::ofstream(conf) << "directories.tokendir = " << (dir_.path() / "tokens").string()
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    const auto r = run_command({"softhsm2-util", "--init-token", "--free", "--label", "cardd",
                                "--pin", "1234", "--so-pin", "5678"});
    if (r.exit_code != 0) throw std::runtime_error("softhsm2-util failed: " + r.err);
    std::ofstream(pin_file()) << "1234\n";
  }
  std::string pin_file() const { return (dir_.path() / "pin").string(); }
  hsm::Pkcs11Config config() const {
    hsm::Pkcs11Config c;
    c.pin_file = pin_file();
    return c;
  }

 private:
  TempDir dir_;
};

}  // namespace cardd::test
