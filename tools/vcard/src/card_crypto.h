// The card's own cryptography (OpenSSL), written independently of cardd's
// hsm/ on purpose: a host and a card that shared code would agree on a shared
// mistake, and the tests would not see it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

Bytes block_encrypt(Cipher c, ByteView key, ByteView iv_or_empty_for_ecb, ByteView data,
                    bool encrypt);
Bytes cmac(Cipher c, ByteView key, ByteView data);
// 2-key 3DES and single DES (key = the first 8 bytes), ECB when `iv` is
// empty, else CBC.
Bytes tdes(ByteView key16, ByteView iv, ByteView data, bool encrypt);
Bytes single_des(ByteView key8, ByteView iv, ByteView data, bool encrypt);
// ISO 9797-1 MAC algorithm 3 over padded data, starting from `icv`.
Bytes retail_mac(ByteView key16, ByteView icv, ByteView padded);

// SCP03 KDF (SP 800-108 counter mode, CMAC PRF, Amendment D layout).
Bytes scp03_kdf(Cipher c, ByteView key, std::uint8_t constant, std::size_t out_bytes,
                ByteView context);

}  // namespace cardd::vcard
