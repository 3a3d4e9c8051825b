// The seam through which every personal value passes on its way into and out
// of the store. The store decides what is personal and which row a value
// belongs to; the sealer (supplied by the caller, HSM-backed in production:
// server/hsm_sealer.h) decides how it is protected. db/ holds no keys.
//
// Contract:
// - seal(plain, ad) returns an opaque value that open(value, ad) turns back
//   into `plain` only with the same associated data `ad`. The store passes
//   the row's identity ("applications/personal/BJ-1-00000001"), so a value
//   copied into another row, or another column, does not open.
// - open() fails (DbError::unsealable) for a value that was altered, made
//   under other keys, or bound to other associated data.
// - keyed_hash(kind, value) is deterministic for a given key: the same
//   (kind, value) always gives the same text, and without the key nobody
//   can compute it, so it can serve as an index for lookups (by ID number,
//   by name) and uniqueness (PAN) without storing the value.
//
// Thread safety: implementations must allow calls from several threads.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::db {

class Sealer {
 public:
  virtual ~Sealer() = default;

  virtual Result<std::string> seal(std::string_view plain, std::string_view associated_data) = 0;
  virtual Result<std::string> open(std::string_view sealed, std::string_view associated_data) = 0;
  // Printable (hex), at most 64 characters.
  virtual Result<std::string> keyed_hash(std::string_view kind, std::string_view value) = 0;
};

}  // namespace cardd::db
