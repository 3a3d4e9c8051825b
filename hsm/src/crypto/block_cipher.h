// Block-cipher primitives on clear key bytes (OpenSSL 3 EVP). Used by the
// soft backend and for the key ceremony's KCVs; never outside hsm/.
#pragma once

#include "cardd/common/result.h"
#include "cardd/hsm/error.h"
#include "cardd/hsm/secure_bytes.h"
#include "cardd/hsm/types.h"

namespace cardd::hsm::crypto {

// ECB/CBC without padding; `iv` empty means zeros for CBC.
Result<Bytes> crypt(Algorithm algorithm, const SecureBytes& key, bool encrypt, CipherMode mode,
                    ByteView iv, ByteView data);
// NIST SP 800-38B CMAC with the algorithm's block cipher.
Result<Bytes> cmac(Algorithm algorithm, const SecureBytes& key, ByteView data);
// ISO 9797-1 MAC algorithm 3: single-DES CBC-MAC with K1, final block
// decrypted with K2 and encrypted with K1. Data must be padded already.
Result<Bytes> retail_mac(const SecureBytes& key, ByteView data);
// ISO 9797-1 MAC algorithm 1: single-DES CBC-MAC with K1 (first 8 bytes).
Result<Bytes> des_k1_mac(const SecureBytes& key, ByteView data);
// SP 800-108 counter KDF with CMAC in `layout`, `out_length` bytes.
Result<SecureBytes> sp800_108_cmac(Algorithm algorithm, const SecureBytes& key,
                                   std::uint8_t constant, ByteView context, std::size_t out_length,
                                   Sp800108Layout layout = Sp800108Layout::scp03);
Result<SecureBytes> random_bytes(std::size_t length);

}  // namespace cardd::hsm::crypto
