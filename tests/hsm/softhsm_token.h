// Test support: a fresh SoftHSM2 token in a temporary directory.
//
// The constructor writes a softhsm2.conf (token directory inside the temp
// dir, file object store, log level ERROR), points SOFTHSM2_CONF of this
// process at it and initialises one token with softhsm2-util:
//   label "cardd", user PIN 1234, SO PIN 5678.
// config() gives the Pkcs11Config for it (module /usr/lib/softhsm/
// libsofthsm2.so, PIN from a file in the temp dir). The destructor restores
// the previous SOFTHSM2_CONF and removes the directory.
//
// SoftHSM reads SOFTHSM2_CONF only in C_Initialize. The pkcs11 backend calls
// C_Initialize when the first Hsm on the module opens and C_Finalize when the
// last one closes, so: close every Hsm of one SoftHsmToken before the next
// SoftHsmToken is created, or the module keeps serving the old (deleted)
// token directory. One SoftHsmToken at a time per process.
//
// Failures (softhsm2-util missing or failing) throw std::runtime_error.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "secret_file.h"

namespace cardd::test {

class SoftHsmToken {
 public:
  static constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
  static constexpr const char* kLabel = "cardd";
  static constexpr const char* kPin = "1234";
  static constexpr const char* kSoPin = "5678";

  SoftHsmToken() {
    if (const char* previous = ::getenv("SOFTHSM2_CONF")) previous_conf_ = previous;
    const std::filesystem::path tokens = dir_.path() / "tokens";
    std::filesystem::create_directories(tokens);
    const std::string conf = (dir_.path() / "softhsm2.conf").string();
    std::ofstream(conf) << "directories.tokendir = " << tokens.string() << "\n"
                        << "objectstore.backend = file\n"
                        << "log.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    const RunResult r = run_command({"softhsm2-util", "--init-token", "--free", "--label", kLabel,
                                     "--pin", kPin, "--so-pin", kSoPin});
    if (r.exit_code != 0)
      throw std::runtime_error("softhsm2-util --init-token failed (" + std::to_string(r.exit_code) +
                               "): " + r.err);
    write_pin_file(pin_file(), kPin);
  }

  ~SoftHsmToken() {
    if (previous_conf_) {
      ::setenv("SOFTHSM2_CONF", previous_conf_->c_str(), 1);
    } else {
      ::unsetenv("SOFTHSM2_CONF");
    }
  }

  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string pin_file() const { return (dir_.path() / "pin").string(); }

  // The backend configuration for this token.
  hsm::Pkcs11Config config() const {
    hsm::Pkcs11Config c;
    c.module_path = kModule;
    c.token_label = kLabel;
    c.pin_file = pin_file();
    return c;
  }
  // The whole HSM configuration: the pkcs11 backend on this token.
  hsm::HsmConfig hsm_config() const {
    hsm::HsmConfig c;
    c.backend = "pkcs11";
    c.pkcs11 = config();
    return c;
  }

  // Writes `pin` to `path` (one line), e.g. a wrong PIN for a test.
  static void write_pin_file(const std::string& path, const std::string& pin) {
    write_secret_file(path, pin);
  }

 private:
  TempDir dir_;
  std::optional<std::string> previous_conf_;
};

// The token's user PIN, as the backend's session pool reads it.
inline Result<hsm::SecureBytes> token_pin() {
  const std::string_view pin = SoftHsmToken::kPin;
  return hsm::SecureBytes(std::span(reinterpret_cast<const std::uint8_t*>(pin.data()), pin.size()));
}

}  // namespace cardd::test
