#include "hsm_options.h"

#include <iostream>

namespace cardd::cardctl {

void HsmOptions::add_to(CLI::App& cmd, bool makes_keys) {
  cmd.add_option("--hsm", config.backend, "soft | pkcs11")
      ->envname("CARDD_HSM")
      ->check(CLI::IsMember({"soft", "pkcs11"}));
  cmd.add_option("--keystore", config.soft.keystore_path, "soft backend keystore file")
      ->envname("CARDD_KEYSTORE");
  if (makes_keys)
    cmd.add_flag("--create-keystore", config.soft.create,
                 "create the soft keystore when it does not exist yet");
  cmd.add_option("--passphrase-file", config.soft.passphrase_file,
                 "file holding the keystore passphrase (else $CARDD_KEYSTORE_PASSPHRASE)");
  cmd.add_option("--pkcs11-module", config.pkcs11.module_path, "PKCS#11 module path")
      ->envname("CARDD_PKCS11_MODULE");
  cmd.add_option("--token-label", config.pkcs11.token_label, "PKCS#11 token label")
      ->envname("CARDD_TOKEN_LABEL");
  cmd.add_option("--pin-file", config.pkcs11.pin_file,
                 "file holding the token PIN (else $CARDD_HSM_PIN)");
}

std::unique_ptr<hsm::Hsm> HsmOptions::open() const {
  auto opened = hsm::open_hsm(config);
  if (!opened) {
    std::cerr << "cardctl: cannot open the HSM: " << opened.error().describe() << "\n";
    return nullptr;
  }
  return std::move(*opened);
}

}  // namespace cardd::cardctl
