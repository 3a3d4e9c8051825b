#include "pkcs11/module.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "crypto/block_cipher.h"
#include "pkcs11/ck_error.h"

namespace cardd::hsm::p11 {
namespace {

constexpr std::size_t kLabelSize = 32;

// C_Initialize is per process and module: one registry of loaded modules.
// A Module being destroyed stays listed (expired) until C_Finalize returned,
// and open() waits for that, so initialisation never overlaps finalisation.
struct Registry {
  std::mutex mutex;
  std::condition_variable finalized;
  std::map<std::string, std::weak_ptr<Module>> modules;
};

Registry& registry() {
  static Registry r;
  return r;
}

Error unavailable(std::string message) {
  return make_error(HsmError::token_unavailable, std::move(message));
}

std::string trimmed_label(const unsigned char (&label)[kLabelSize]) {
  std::string s(reinterpret_cast<const char*>(label), kLabelSize);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

Sha256Digest pin_digest(const Bytes& salt, const SecureBytes& pin) {
  SecureBytes both(salt.size() + pin.size());
  std::copy(salt.begin(), salt.end(), both.data());
  std::copy(pin.data(), pin.data() + pin.size(), both.data() + salt.size());
  return sha256(std::string_view(reinterpret_cast<const char*>(both.data()), both.size()));
}

}  // namespace

void Module::DlClose::operator()(void* handle) const {
  if (handle != nullptr) ::dlclose(handle);
}

Result<std::shared_ptr<Module>> Module::open(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::canonical(path, ec);
  if (ec) return unavailable(fmt::format("PKCS#11 module {} not found: {}", path, ec.message()));
  const std::string key = canonical.string();

  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  for (;;) {
    const auto it = r.modules.find(key);
    if (it == r.modules.end()) break;
    if (auto shared = it->second.lock()) return shared;
    r.finalized.wait(lock);  // the previous Module is still finalising
  }

  auto module = std::make_shared<Module>(Key{});
  module->path_ = key;
  module->library_.reset(::dlopen(key.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!module->library_) {
    const char* why = ::dlerror();
    return unavailable(
        fmt::format("cannot load PKCS#11 module {}: {}", key, why ? why : "dlopen failed"));
  }
  void* symbol = ::dlsym(module->library_.get(), "C_GetFunctionList");
  if (symbol == nullptr)
    return unavailable(fmt::format("{} is not a PKCS#11 module (no C_GetFunctionList)", key));
  const auto get_function_list = reinterpret_cast<CK_C_GetFunctionList>(symbol);
  if (const Rv rv = get_function_list(&module->functions_);
      rv != CKR_OK || module->functions_ == nullptr)
    return unavailable(fmt::format("C_GetFunctionList of {}: {}", key, ck_rv_name(rv)));

  struct ck_c_initialize_args args {};
  args.flags = CKF_OS_LOCKING_OK;
  const Rv rv = module->functions_->C_Initialize(&args);
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    spdlog::info(
        "pkcs11: {} was initialised elsewhere in this process; it will not be finalised here", key);
  } else if (rv != CKR_OK) {
    return unavailable(fmt::format("C_Initialize of {}: {}", key, ck_rv_name(rv)));
  } else {
    module->finalize_ = module->owner_ = true;
  }
  module->registered_ = true;
  r.modules[key] = module;
  return module;
}

Module::~Module() {
  if (!registered_) {  // failed in open(), which holds the registry lock
    if (finalize_) functions_->C_Finalize(nullptr);
    return;
  }
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (finalize_) {
    if (const Rv rv = functions_->C_Finalize(nullptr); rv != CKR_OK)
      spdlog::warn("pkcs11: C_Finalize of {}: {}", path_, ck_rv_name(rv));
  }
  library_.reset();
  r.modules.erase(path_);
  r.finalized.notify_all();
}

Status Module::restart() {
  if (!owner_)
    return unavailable(
        fmt::format("{} was initialised by other code in this process; not restarted", path_));
  if (std::exchange(finalize_, false)) functions_->C_Finalize(nullptr);  // the token is gone anyway
  logins_.clear();
  struct ck_c_initialize_args args {};
  args.flags = CKF_OS_LOCKING_OK;
  if (const Rv rv = functions_->C_Initialize(&args); rv != CKR_OK)
    return unavailable(fmt::format("C_Initialize of {} again: {}", path_, ck_rv_name(rv)));
  finalize_ = true;
  ++generation_;
  return {};
}

Result<SlotId> Module::find_token(std::string_view label) const {
  std::vector<SlotId> slots;
  for (int attempt = 0; attempt < 3; ++attempt) {  // the slot list may grow between the two calls
    unsigned long count = 0;
    Rv rv = functions_->C_GetSlotList(kTrue, nullptr, &count);
    if (rv != CKR_OK) return ck_error(rv, fmt::format("C_GetSlotList of {}", path_));
    slots.resize(count);
    rv = functions_->C_GetSlotList(kTrue, slots.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;
    if (rv != CKR_OK) return ck_error(rv, fmt::format("C_GetSlotList of {}", path_));
    slots.resize(count);
    break;
  }
  std::vector<std::string> seen;
  for (const SlotId slot : slots) {
    struct ck_token_info info {};
    if (functions_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
    const std::string name = trimmed_label(info.label);
    if (label.size() <= kLabelSize && name == label) return slot;
    seen.push_back(name);
  }
  return unavailable(
      fmt::format("no token labelled '{}' in {} (tokens: {})", label, path_,
                  seen.empty() ? "none" : fmt::format("'{}'", fmt::join(seen, "', '"))));
}

Status Module::acquire_login(SlotId slot, SessionHandle session, SecureBytes& pin) {
  Login& login = logins_[slot];
  if (login.pools > 0) {
    const Sha256Digest digest = pin_digest(login.salt, pin);
    unsigned char differ = 0;  // constant time
    for (std::size_t i = 0; i < digest.size(); ++i)
      differ = static_cast<unsigned char>(differ | (digest[i] ^ login.digest[i]));
    if (differ != 0)
      return make_error(HsmError::login_failed,
                        "C_Login: the PIN differs from the one this process is logged in with");
    ++login.pools;
    return {};
  }
  const Rv rv = functions_->C_Login(session, CKU_USER, pin.data(), pin.size());
  if (rv == CKR_USER_ALREADY_LOGGED_IN) {
    spdlog::warn(
        "pkcs11: the token in slot {} was logged in by other code in this process; PIN not checked",
        slot);
  } else if (rv != CKR_OK) {
    logins_.erase(slot);
    return ck_error(rv, "C_Login");
  }
  auto salt = crypto::random_bytes(16);
  if (!salt) {
    logins_.erase(slot);
    return salt.error();
  }
  login.salt.assign(salt->data(), salt->data() + salt->size());
  login.digest = pin_digest(login.salt, pin);
  login.pools = 1;
  return {};
}

void Module::release_login(SlotId slot) {
  const auto it = logins_.find(slot);
  if (it != logins_.end() && --it->second.pools <= 0) logins_.erase(it);
}

}  // namespace cardd::hsm::p11
