// The card's own cryptography (OpenSSL), written independently of cardd's
// hsm/ on purpose: a host and a card that shared code would agree on a shared
// mistake, and the tests would not see it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cardd/vcard/virtual_card.h"

namespace cardd::vcard {

Bytes block_encrypt(Cipher c, ByteView key, ByteView iv_or_empty_for_ecb, ByteView data,
                    bool encrypt);
Bytes cmac(Cipher c, ByteView key, ByteView data);
// SCP03 KDF (SP 800-108 counter mode, CMAC PRF, Amendment D layout).
Bytes scp03_kdf(Cipher c, ByteView key, std::uint8_t constant, std::size_t out_bytes,
                ByteView context);

}  // namespace cardd::vcard
