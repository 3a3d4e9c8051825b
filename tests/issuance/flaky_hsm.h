// Test double below the real processes: an Hsm in front of another (the
// soft one) that can be made to go away, as a PKCS#11 token that is pulled
// or a network HSM out of reach: while gone, every call fails with
// token_unavailable, as the pkcs11 backend reports it (session_pool.h).
// SoftHSM2, which really goes away in the pkcs11 tests, cannot do either
// shipped card profile, so an encoding session needs this double.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cardd/hsm/hsm.h"

namespace cardd::test {

class FlakyHsm final : public hsm::Hsm {
 public:
  explicit FlakyHsm(std::unique_ptr<hsm::Hsm> inner) : inner_(std::move(inner)) {}

  void set_gone(bool gone) { gone_ = gone; }

  std::string_view backend() const override { return inner_->backend(); }
  std::vector<hsm::Requirement> unsupported(
      std::span<const hsm::Requirement> needed) const override {
    return inner_->unsupported(needed);
  }

 protected:
  Result<hsm::KeyInfo> do_generate(const hsm::KeySpec& spec) override {
    if (auto s = there(); !s) return s.error();
    return inner_->generate(spec);
  }
  Result<hsm::KeyInfo> do_import(const hsm::KeySpec&, const hsm::SecureBytes&) override {
    return make_error(hsm::HsmError::invalid_argument, "not in this double");
  }
  Result<hsm::KeyInfo> do_import_wrapped(const hsm::KeySpec&, hsm::ByteView,
                                         const hsm::KeyInfo&) override {
    return make_error(hsm::HsmError::invalid_argument, "not in this double");
  }
  Result<hsm::KeyInfo> do_find(std::string_view name) override {
    if (auto s = there(); !s) return s.error();
    return inner_->info(name);
  }
  Result<std::vector<hsm::KeyInfo>> do_list() override {
    if (auto s = there(); !s) return s.error();
    return inner_->list();
  }
  Status do_destroy(const hsm::KeyInfo& key) override {
    if (auto s = there(); !s) return s;
    return inner_->destroy(key.spec.name);
  }
  Result<hsm::Bytes> do_crypt(const hsm::KeyInfo& key, bool encrypt, hsm::CipherMode mode,
                              hsm::ByteView iv, hsm::ByteView data) override {
    if (auto s = there(); !s) return s.error();
    return encrypt ? inner_->encrypt(key.spec.name, mode, iv, data)
                   : inner_->decrypt(key.spec.name, mode, iv, data);
  }
  Result<hsm::Bytes> do_mac(const hsm::KeyInfo& key, hsm::MacMethod method,
                            hsm::ByteView data) override {
    if (auto s = there(); !s) return s.error();
    return inner_->mac(key.spec.name, method, data);
  }
  Result<hsm::KeyInfo> do_derive(const hsm::KeyInfo& base, const hsm::Derivation& how,
                                 const hsm::KeySpec& out, bool persistent) override {
    if (auto s = there(); !s) return s.error();
    return inner_->derive(base.spec.name, how, out, persistent);
  }
  Result<hsm::Bytes> do_wrap(const hsm::KeyInfo& wrapping_key, hsm::CipherMode mode,
                             const hsm::KeyInfo& key) override {
    if (auto s = there(); !s) return s.error();
    return inner_->wrap(wrapping_key.spec.name, mode, key.spec.name);
  }
  // The value is an ISO 9564 format 2 PIN block (2L PPPP… FF…): its digits
  // go to the inner HSM, which forms the same block again.
  Result<hsm::Bytes> do_wrap_value(const hsm::KeyInfo& wrapping_key,
                                   const hsm::SecureBytes& block) override {
    if (auto s = there(); !s) return s.error();
    const std::size_t digits = block[0] & 0x0Fu;
    hsm::SecureBytes pin(digits);
    for (std::size_t i = 0; i < digits; ++i) {
      const std::uint8_t byte = block[1 + i / 2];
      pin[i] = static_cast<std::uint8_t>('0' + (i % 2 == 0 ? byte >> 4 : byte & 0x0Fu));
    }
    return inner_->wrap_pin_block(wrapping_key.spec.name, pin);
  }
  Result<hsm::Bytes> do_random(std::size_t length) override {
    if (auto s = there(); !s) return s.error();
    return inner_->random(length);
  }

 private:
  Status there() const {
    if (gone_) return make_error(hsm::HsmError::token_unavailable, "the token is gone (test)");
    return {};
  }

  std::unique_ptr<hsm::Hsm> inner_;
  std::atomic<bool> gone_ = false;
};

}  // namespace cardd::test
