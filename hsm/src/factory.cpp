#include "cardd/hsm/factory.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstdlib>

#include "files/private_file.h"
#include "pkcs11/pkcs11_hsm.h"
#include "soft/soft_hsm.h"

namespace cardd::hsm {

Result<SecureBytes> read_secret(const std::string& env_name, const std::string& file) {
  std::string text;
  if (!file.empty()) {
    auto fd = open_private_file(file, "secret file");
    if (!fd) return fd.error();
    auto content = read_all(fd->get(), file, 4096);
    if (!content) return content.error();
    text = std::move(*content);
    if (const auto eol = text.find('\n'); eol != std::string::npos) {
      std::fill(text.begin() + static_cast<std::ptrdiff_t>(eol), text.end(), '\0');
      text.resize(eol);
    }
  } else if (const char* value = std::getenv(env_name.c_str()); value != nullptr) {
    text = value;
  } else {
    return make_error(HsmError::login_failed,
                      fmt::format("no secret: set {} or give a secret file", env_name));
  }
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
  SecureBytes secret(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  std::fill(text.begin(), text.end(), '\0');
  if (secret.empty()) return make_error(HsmError::login_failed, "the secret is empty");
  return secret;
}

std::string describe_unsupported(const Hsm& hsm, std::span<const Requirement> required) {
  std::string out;
  for (const Requirement& r : hsm.unsupported(required)) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", to_string(r.algorithm), r.operation);
  }
  return out;
}

namespace {

Result<std::unique_ptr<Hsm>> open_backend(const HsmConfig& config) {
  if (config.backend == "soft") {
    if (config.soft.keystore_path.empty())
      return make_error(HsmError::invalid_argument, "soft backend needs a keystore path");
    auto passphrase = read_secret(config.soft.passphrase_env, config.soft.passphrase_file);
    if (!passphrase) return passphrase.error();
    return open_soft_hsm(config.soft.keystore_path, std::move(*passphrase), config.soft.create);
  }
  if (config.backend == "pkcs11") return open_pkcs11_hsm(config.pkcs11);
  return make_error(HsmError::invalid_argument,
                    fmt::format("unknown HSM backend '{}' (soft or pkcs11)", config.backend));
}

}  // namespace

Result<std::unique_ptr<Hsm>> open_hsm(const HsmConfig& config) {
  // Key values (soft backend, ceremony components, PIN blocks) must not end
  // up in a core dump. Non-dumpable also means other processes of the same
  // user can no longer ptrace this one (or read its /proc memory).
  if (::prctl(PR_SET_DUMPABLE, 0) != 0)
    return make_error(HsmError::internal, "cannot make the process non-dumpable");
  auto hsm = open_backend(config);
  if (hsm) {
    if (const std::string missing = describe_unsupported(**hsm, config.required); !missing.empty())
      spdlog::warn("hsm: the {} backend cannot do what the configuration needs: {}",
                   (*hsm)->backend(), missing);
  }
  return hsm;
}

}  // namespace cardd::hsm
