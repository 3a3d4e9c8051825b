// What the DGIs of one STORE DATA command mean for the target application:
//   SFI<<8 | n (SFI 1–30, n 1–254)  record n of that record file
//   SFI<<8 | 00                     the whole content of that transparent file
//   81kk (encrypted)                application key kk (01–0F), 16 bytes
//   8010 (encrypted)                reference PIN, ISO 9564 format-2 block
//                                   (+ 8 bytes FF for 16-byte-block ciphers)
//   9010 (clear)                    PIN try limit, twice; the counter = limit
//   A0sf (clear)                    access rule of file SFI sf: read, update,
//                                   each a condition (00 free, 01 PIN, 02 key
//                                   + the key reference, FF never) and a key
#pragma once

#include <optional>
#include <span>

#include "dgi_stream.h"
#include "reply.h"

namespace cardd::vcard {

// Where a STORE DATA wrote its last DGI: what a power loss would tear.
struct Written {
  enum class Kind { record, binary, key, pin } kind = Kind::record;
  Application app = Application::ssse;
  std::uint8_t id = 0;      // SFI or key reference
  std::uint8_t record = 0;  // record number
};

// DGI values sent encrypted (STORE DATA P1 b7-b6 = 11): ECB under the DEK,
// no padding removed.
class DgiDecryptor {
 public:
  DgiDecryptor(Cipher cipher, Bytes dek) : cipher_(cipher), dek_(std::move(dek)) {}
  std::size_t block() const { return block_size(cipher_); }
  Bytes decrypt(ByteView value) const;

 private:
  Cipher cipher_;
  Bytes dek_;
};

// Applies all the DGIs or, at the first one that is unknown, addresses a
// file the application does not have or is malformed, none of them (6A80;
// 6A84 when a file's capacity is exceeded). `decryptor` is null for a clear
// command. On success `last` names what was written last.
StatusWord apply_dgis(CardState& state, Application target, std::span<const Dgi> dgis,
                      const DgiDecryptor* decryptor, std::optional<Written>& last);

// Power lost while `w` was being written: only its first half reached the
// EEPROM (records, files and the PIN are cut short; a key keeps its length
// with the second half erased to 00).
void tear(CardState& state, const Written& w);

}  // namespace cardd::vcard
