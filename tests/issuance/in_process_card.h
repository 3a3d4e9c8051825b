// Test support: an application encoded on an in-process virtual card (no
// pcscd), for the steps after encoding.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cardd/server/issuance.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "issuance_fixture.h"

namespace cardd::test {

// A blank card of the vendor: keys diversified from the test KMC.
inline std::unique_ptr<vcard::VirtualCard> blank_card(
    std::uint32_t serial, vcard::Cipher cipher = vcard::Cipher::aes,
    vcard::Scp03Kdf kdf = vcard::Scp03Kdf::chip_id) {
  vcard::CardState state;
  state.serial = {static_cast<std::uint8_t>(serial >> 24), static_cast<std::uint8_t>(serial >> 16),
                  static_cast<std::uint8_t>(serial >> 8), static_cast<std::uint8_t>(serial)};
  auto keys = vcard::diversified_keys(cipher, hex(kTestKmc), state.serial, kdf);
  EXPECT_TRUE(keys.has_value());
  state.keys = *keys;
  return std::make_unique<vcard::VirtualCard>(std::move(state));
}

// Encodes `id` on a fresh blank card with IC serial CAFE00<serial> (keys
// diversified from the test KMC) and returns the card as it left the encoder.
// `dir` holds the test keystore; `store` is opened with its sealer.
inline vcard::CardState encode_in_process(const TempDir& dir, db::Store& store,
                                          const personalization::CardProfile& profile,
                                          const std::string& id, std::uint8_t serial) {
  vcard::CardState state;
  state.serial = {0xCA, 0xFE, 0x00, serial};
  state.keys = *vcard::diversified_keys(vcard::Cipher::aes, hex(kTestKmc), state.serial);
  vcard::VirtualCard card(std::move(state));
  vcard::InProcessReader reader(card);
  auto hsm = open_soft_hsm(dir.path());
  server::Issuance issuance(store, *hsm, profile, "test");
  auto encoded = issuance.encode(id, reader);
  EXPECT_TRUE(encoded.ok()) << encoded.error().describe();
  return card.state();
}

}  // namespace cardd::test
