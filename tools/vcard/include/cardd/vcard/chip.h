// The chip's identity and the card-manager keys its "vendor" loads before
// personalization, both functions of the 4-byte IC serial number.
//
// CPLC (42 bytes): IC fabricator 47 90 (bytes 0–1), IC type 53 01 (2–3), IC
// serial (12–15), IC batch 00 00 (16–17), everything else zero.
// CHIP ID = CPLC[0..3] || CPLC[12..15]; the key diversification data in
// INITIALIZE UPDATE = 00 00 || CHIP ID.
#pragma once

#include <optional>

#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

Bytes cplc(ByteView serial);
Bytes chip_id(ByteView serial);
Bytes key_diversification_data(ByteView serial);

// The static ENC/MAC/DEK keys diversified from a 16-byte master key (KMC):
//   aes / sm4: SCP03 KDF (SP 800-108 counter mode, CMAC) keyed by the KMC,
//              constant 01 ENC / 02 MAC / 03 DEK, 128 bits, context = CHIP ID;
//              key version 0x30.
//   des3:      EMV CPG 2.x: 3DES-ECB(KMC, KDD[4..9] F0 x KDD[4..9] 0F x),
//              x = 01 / 02 / 03, odd parity; key version 0x20, SCP02 i = 55.
// nullopt when the KMC is not 16 bytes.
// How SCP03 static keys come from the KMC: the SP 800-108 SCP03 layout with
// the CHIP ID as context (cardd's sp800-108-cmac), or GlobalPlatformPro's
// kdf3 (counter first, no L, the whole 10-byte KDD as context).
enum class Scp03Kdf { chip_id, kdf3 };
std::optional<StaticKeys> diversified_keys(Cipher cipher, ByteView kmc, ByteView serial,
                                           Scp03Kdf kdf = Scp03Kdf::chip_id);

}  // namespace cardd::vcard
