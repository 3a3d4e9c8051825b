#include "pkcs11/session_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "pkcs11/ck_error.h"

namespace cardd::hsm::p11 {
namespace {

constexpr ck_flags_t kSessionFlags = CKF_SERIAL_SESSION | CKF_RW_SESSION;

}  // namespace

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), session_(other.session_), lost_(other.lost_) {}

Lease::~Lease() {
  if (pool_ != nullptr) pool_->give_back(session_, lost_);
}

const FunctionList& Lease::fn() const { return pool_->fn(); }

Error Lease::fail(Rv rv, std::string_view what) {
  if (session_lost(rv)) lost_ = true;
  return ck_error(rv, what);
}

Result<std::unique_ptr<SessionPool>> SessionPool::open(std::shared_ptr<Module> module, SlotId slot,
                                                       std::size_t size, SecureBytes& pin) {
  if (size == 0 || size > 64)
    return make_error(HsmError::invalid_argument, "pkcs11 sessions must be 1..64");
  auto pool = std::make_unique<SessionPool>(std::move(module), slot);
  const FunctionList& fn = pool->fn();
  auto lifecycle = pool->module_->lock_lifecycle();
  for (std::size_t i = 0; i < size; ++i) {
    SessionHandle session = CK_INVALID_HANDLE;
    if (const Rv rv = fn.C_OpenSession(slot, kSessionFlags, nullptr, nullptr, &session);
        rv != CKR_OK) {
      pool->close_all();
      return ck_error(rv, fmt::format("C_OpenSession on slot {}", slot));
    }
    pool->free_.push_back(session);
    ++pool->alive_;
  }
  if (auto s = pool->module_->acquire_login(slot, pool->free_.front(), pin); !s) {
    pool->close_all();
    return s.error();
  }
  pool->logged_in_ = true;
  return pool;
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

Result<Lease> SessionPool::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !free_.empty() || alive_ == 0; });
  if (free_.empty())
    return make_error(HsmError::token_unavailable, "no PKCS#11 session left (token lost?)");
  const SessionHandle session = free_.back();
  free_.pop_back();
  return Lease(this, session);
}

void SessionPool::give_back(SessionHandle session, bool lost) {
  if (lost) {
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
    available_.notify_one();
  }
}

}  // namespace cardd::hsm::p11
