#include "cardd/common/sha256.h"

#include <openssl/sha.h>

namespace cardd {

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

}  // namespace cardd
