#include "pkcs11/session_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "pkcs11/ck_error.h"

namespace cardd::hsm::p11 {
namespace {

constexpr ck_flags_t kSessionFlags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
// A token that is gone is looked for again at most this often.
constexpr auto kRetryEvery = std::chrono::seconds(1);

Error still_gone(const std::string& label) {
  return make_error(HsmError::token_unavailable,
                    fmt::format("token '{}' is gone; looking for it again", label));
}

}  // namespace

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), session_(other.session_), lost_(other.lost_) {}

Lease::~Lease() {
  if (pool_ != nullptr) pool_->give_back(session_, lost_);
}

const FunctionList& Lease::fn() const { return pool_->fn(); }

Error Lease::fail(Rv rv, std::string_view what) {
  if (auto gone = check_token(); !gone)
    return make_error(HsmError::token_unavailable,
                      fmt::format("{}: {}; {}", what, ck_rv_name(rv), gone.error().message));
  if (session_lost(rv)) lost_ = true;
  return ck_error(rv, what);
}

Status Lease::check_token() {
  struct ck_token_info info {};
  if (const Rv rv = fn().C_GetTokenInfo(pool_->slot(), &info); rv != CKR_OK) {
    lost_ = true;
    return pool_->mark_lost(fmt::format("the token is gone (C_GetTokenInfo: {})", ck_rv_name(rv)));
  }
  return {};
}

Result<std::unique_ptr<SessionPool>> SessionPool::open(std::shared_ptr<Module> module,
                                                       std::string label, std::size_t size,
                                                       PinSource pin) {
  if (size == 0 || size > 64)
    return make_error(HsmError::invalid_argument, "pkcs11 sessions must be 1..64");
  auto pool =
      std::make_unique<SessionPool>(std::move(module), std::move(label), size, std::move(pin));
  auto lifecycle = pool->module_->lock_lifecycle();
  if (auto s = pool->connect(); !s) return s.error();
  return pool;
}

Status SessionPool::connect() {
  auto slot = module_->find_token(label_);
  if (!slot) return slot.error();
  auto pin = pin_();
  if (!pin) return pin.error();
  std::vector<SessionHandle> opened;
  const auto close_opened = [&] {
    for (const SessionHandle session : opened) fn().C_CloseSession(session);
  };
  for (std::size_t i = 0; i < size_; ++i) {
    SessionHandle session = CK_INVALID_HANDLE;
    if (const Rv rv = fn().C_OpenSession(*slot, kSessionFlags, nullptr, nullptr, &session);
        rv != CKR_OK) {
      close_opened();
      return ck_error(rv, fmt::format("C_OpenSession on slot {}", *slot));
    }
    opened.push_back(session);
  }
  if (auto s = module_->acquire_login(*slot, opened.front(), *pin); !s) {
    close_opened();
    return s.error();
  }
  std::lock_guard lock(mutex_);
  slot_ = *slot;
  generation_ = module_->generation();
  free_ = std::move(opened);
  alive_ = size_;
  logged_in_ = true;
  return {};
}

SessionPool::~SessionPool() {
  auto lifecycle = module_->lock_lifecycle();
  close_all();
  if (logged_in_) module_->release_login(slot_);
}

void SessionPool::close_all() {
  std::lock_guard lock(mutex_);
  if (free_.size() != alive_)
    spdlog::error("pkcs11: session pool closed with {} sessions lent", alive_ - free_.size());
  for (const SessionHandle session : free_) fn().C_CloseSession(session);
  free_.clear();
  alive_ = 0;
}

Error SessionPool::mark_lost(std::string why) {
  std::lock_guard lock(mutex_);
  if (!std::exchange(lost_, true)) {
    spdlog::error("pkcs11: token '{}' lost: {}; looking for it again every {} s", label_, why,
                  kRetryEvery.count());
    next_attempt_ = std::chrono::steady_clock::now();
    available_.notify_all();  // callers waiting for a session give up
  }
  return make_error(HsmError::token_unavailable, std::move(why));
}

Result<Lease> SessionPool::borrow() {
  std::unique_lock lock(mutex_);
  if (lost_ || generation_ != module_->generation()) {
    const auto now = std::chrono::steady_clock::now();
    if (reconnecting_ || now < next_attempt_) return still_gone(label_);
    reconnecting_ = true;
    next_attempt_ = now + kRetryEvery;
    lost_ = true;
    available_.notify_all();
    // Lent sessions come back soon: without the token their calls fail.
    available_.wait(lock, [this] { return free_.size() == alive_; });
    lock.unlock();
    const Status back = reconnect();
    lock.lock();
    reconnecting_ = false;
    if (!back) return back.error();
  }
  available_.wait(lock, [this] { return !free_.empty() || alive_ == 0 || lost_; });
  if (lost_) return still_gone(label_);
  if (free_.empty())
    return make_error(HsmError::token_unavailable, "no PKCS#11 session left (token lost?)");
  const SessionHandle session = free_.back();
  free_.pop_back();
  return Lease(this, session);
}

Status SessionPool::reconnect() {
  auto lifecycle = module_->lock_lifecycle();
  close_all();
  if (std::exchange(logged_in_, false)) module_->release_login(slot_);
  // Another pool may have restarted the module since this one lost the token.
  if (generation_ == module_->generation()) {
    if (auto s = module_->restart(); !s) return s;
  }
  if (auto s = connect(); !s) return s;
  {
    std::lock_guard lock(mutex_);
    lost_ = false;
  }
  ++epoch_;
  spdlog::warn("pkcs11: token '{}' is back (slot {}); {} sessions open again", label_, slot_,
               size_);
  return {};
}

void SessionPool::give_back(SessionHandle session, bool lost) {
  bool pool_lost = false;
  {
    std::lock_guard lock(mutex_);
    pool_lost = lost_;
  }
  if (lost && !pool_lost) {
    fn().C_CloseSession(session);
    session = CK_INVALID_HANDLE;
    const Rv rv = fn().C_OpenSession(slot_, kSessionFlags, nullptr, nullptr, &session);
    if (rv != CKR_OK) {
      spdlog::warn("pkcs11: a lost session could not be replaced: {}", ck_rv_name(rv));
      session = CK_INVALID_HANDLE;
    }
  }
  std::lock_guard lock(mutex_);
  if (session == CK_INVALID_HANDLE) {
    --alive_;
    available_.notify_all();  // waiters must see alive_ == 0
  } else {
    free_.push_back(session);
    available_.notify_all();  // a reconnect waits for every session
  }
}

}  // namespace cardd::hsm::p11
