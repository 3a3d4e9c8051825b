// A fixed set of logged-in R/W sessions on one token, lent to one operation
// at a time.
//
// open() opens `size` sessions and logs the user in once (through the
// Module's login bookkeeping); destruction closes them, which also destroys
// every session object (ephemeral key) they created. A Lease hands its
// session back when it goes out of scope; a session reported lost (device
// removed, handle invalid) is closed and replaced by a fresh one, or dropped
// when none can be opened. When no session is left, borrow() fails with
// token_unavailable instead of waiting forever.
//
// Thread safety: borrow() may be called from any thread; a Lease is used by
// the thread that holds it. All leases must be gone before the pool is.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/secure_bytes.h"
#include "pkcs11/cryptoki.h"
#include "pkcs11/module.h"

namespace cardd::hsm::p11 {

class SessionPool;

class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  SessionHandle session() const { return session_; }
  const FunctionList& fn() const;
  // The Error for a failed call ("<what>: CKR_..."); marks the session for
  // replacement when `rv` says it is lost.
  Error fail(Rv rv, std::string_view what);

 private:
  friend class SessionPool;
  Lease(SessionPool* pool, SessionHandle session) : pool_(pool), session_(session) {}

  SessionPool* pool_;
  SessionHandle session_;
  bool lost_ = false;
};

class SessionPool {
 public:
  // Errors: token_unavailable, login_failed. `pin` is wiped by the caller's
  // SecureBytes; no copy of it is kept (only a salted digest, in Module).
  static Result<std::unique_ptr<SessionPool>> open(std::shared_ptr<Module> module, SlotId slot,
                                                   std::size_t size, SecureBytes& pin);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Waits for a free session. Errors: token_unavailable (no session left).
  Result<Lease> borrow();

  const FunctionList& fn() const { return module_->fn(); }
  SlotId slot() const { return slot_; }
  const Module& module() const { return *module_; }

  // Use open().
  SessionPool(std::shared_ptr<Module> module, SlotId slot)
      : module_(std::move(module)), slot_(slot) {}

 private:
  friend class Lease;
  void give_back(SessionHandle session, bool lost);
  void close_all();  // with the module's lifecycle lock held

  std::shared_ptr<Module> module_;
  SlotId slot_;
  bool logged_in_ = false;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<SessionHandle> free_;
  std::size_t alive_ = 0;  // free + lent
};

}  // namespace cardd::hsm::p11
