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
// The token gone: a failed call whose token no longer answers
// C_GetTokenInfo marks the whole pool lost. From then on borrow() fails at
// once with token_unavailable, except that at most once a second it tries to
// come back: it waits for the lent sessions, closes them all, restarts the
// module (unless another pool already did), finds the token by its label
// again, opens the sessions and logs in with the PIN read anew (the PIN is
// not kept). Each return counts an epoch; session objects of the previous
// one (ephemeral keys) are gone with it.
//
// Thread safety: borrow() may be called from any thread; a Lease is used by
// the thread that holds it. All leases must be gone before the pool is.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
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
  // replacement when `rv` says it is lost, and the pool lost when the token
  // is gone (then the error is token_unavailable).
  Error fail(Rv rv, std::string_view what);
  // token_unavailable when the token no longer answers (the pool is then
  // lost): for calls that "succeed" without it, such as a search finding
  // nothing.
  Status check_token();

 private:
  friend class SessionPool;
  Lease(SessionPool* pool, SessionHandle session) : pool_(pool), session_(session) {}

  SessionPool* pool_;
  SessionHandle session_;
  bool lost_ = false;
};

// Reads the PIN when the pool logs in (again).
using PinSource = std::function<Result<SecureBytes>()>;

class SessionPool {
 public:
  // The token labelled `label`. Errors: token_unavailable, login_failed.
  // The PIN is wiped after use; no copy of it is kept (only a salted digest,
  // in Module).
  static Result<std::unique_ptr<SessionPool>> open(std::shared_ptr<Module> module,
                                                   std::string label, std::size_t size,
                                                   PinSource pin);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Waits for a free session. Errors: token_unavailable (no session left,
  // the token gone and not back yet).
  Result<Lease> borrow();

  const FunctionList& fn() const { return module_->fn(); }
  SlotId slot() const { return slot_; }
  const Module& module() const { return *module_; }
  // Counts the token's returns; a lease of a new epoch sees none of the
  // previous epochs' session objects.
  std::uint64_t epoch() const { return epoch_.load(); }

  // Use open().
  SessionPool(std::shared_ptr<Module> module, std::string label, std::size_t size, PinSource pin)
      : module_(std::move(module)), label_(std::move(label)), size_(size), pin_(std::move(pin)) {}

 private:
  friend class Lease;
  // With the module's lifecycle lock held: finds the token, opens the
  // sessions and logs in.
  Status connect();
  Status reconnect();
  void give_back(SessionHandle session, bool lost);
  void close_all();  // with the module's lifecycle lock held
  Error mark_lost(std::string why);

  std::shared_ptr<Module> module_;
  const std::string label_;
  const std::size_t size_;
  const PinSource pin_;
  SlotId slot_ = 0;
  bool logged_in_ = false;
  std::uint64_t generation_ = 0;  // the module's, when the sessions were opened
  std::atomic<std::uint64_t> epoch_ = 0;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<SessionHandle> free_;
  std::size_t alive_ = 0;  // free + lent
  bool lost_ = false;
  bool reconnecting_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace cardd::hsm::p11
