// A loaded PKCS#11 module: dlopen'ed library, its function list, and the
// process-wide C_Initialize/C_Finalize bracket.
//
// Cryptoki is initialised once per process and module, so Module objects are
// shared: open() returns the same Module for the same (canonical) path while
// any holder is alive; the last holder to let go calls C_Finalize (when this
// code called C_Initialize) and dlclose. A module that another part of the
// process initialised already (CKR_CRYPTOKI_ALREADY_INITIALIZED) is used but
// never finalised here. SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, so a new
// configuration takes effect only once every Hsm on the module is closed.
//
// A token that goes away (a network HSM unreachable, a USB token pulled,
// SoftHSM2's token folder gone) often comes back only to a module
// initialised again: restart() finalises and initialises the module once
// more and counts a new generation, so that every pool on it knows its
// sessions and login are gone (see session_pool.h).
//
// Login state in PKCS#11 belongs to the application and token, not to one
// session: the Module keeps, per slot, how many pools are logged in and a
// salted digest of the PIN that logged in, so that a second pool on a token
// already logged in must still present the right PIN.
//
// Thread safety: all methods may be called from several threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/common/sha256.h"
#include "cardd/hsm/secure_bytes.h"
#include "cardd/hsm/types.h"
#include "pkcs11/cryptoki.h"

namespace cardd::hsm::p11 {

class Module {
 public:
  // Errors: token_unavailable (no such file, not a PKCS#11 module,
  // C_Initialize failed).
  static Result<std::shared_ptr<Module>> open(const std::string& path);

  class Key {  // only open() constructs a Module
    friend class Module;
    Key() = default;
  };
  explicit Module(Key) {}
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const FunctionList& fn() const { return *functions_; }
  const std::string& path() const { return path_; }

  // The slot holding an initialised token labelled `label` (compared as the
  // 32-byte blank-padded field). Errors: token_unavailable.
  Result<SlotId> find_token(std::string_view label) const;

  // Opening and closing a logged-in session pool must not interleave with
  // another pool's on the same module (the last session to close logs the
  // token out). Callers hold this lock around open+login and close+release.
  std::unique_lock<std::mutex> lock_lifecycle() { return std::unique_lock(lifecycle_); }
  // With lock_lifecycle() held: logs the user in through `session`, or, when
  // another pool of this process is logged in on `slot`, checks that `pin` is
  // the PIN it used. Errors: login_failed, token_unavailable.
  Status acquire_login(SlotId slot, SessionHandle session, SecureBytes& pin);
  // With lock_lifecycle() held, after the pool's sessions are closed.
  void release_login(SlotId slot);

  // With lock_lifecycle() held: C_Finalize and C_Initialize again; every
  // session and login of the process on this module is gone. Errors:
  // token_unavailable (C_Initialize failed: try again later; or the module
  // was initialised by other code, which this must not finalise).
  Status restart();
  // How many times restart() initialised the module again.
  std::uint64_t generation() const { return generation_.load(); }

 private:
  struct DlClose {
    void operator()(void* handle) const;
  };
  struct Login {
    int pools = 0;
    Bytes salt;
    Sha256Digest digest{};
  };

  std::string path_;
  std::unique_ptr<void, DlClose> library_;
  FunctionList* functions_ = nullptr;
  bool finalize_ = false;    // C_Initialize by this Module is in force
  bool owner_ = false;       // this Module initialised the module first
  bool registered_ = false;  // listed in the process-wide registry
  std::atomic<std::uint64_t> generation_ = 0;

  std::mutex lifecycle_;
  std::map<SlotId, Login> logins_;
};

}  // namespace cardd::hsm::p11
