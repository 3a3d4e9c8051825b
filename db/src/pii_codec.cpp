#include "pii_codec.h"

#include "cardd/db/error.h"

namespace cardd::db {
namespace {
constexpr char kPlainScheme = '\x00';
}

std::string seal(PiiKind, std::string_view plain) {
  std::string out;
  out.reserve(plain.size() + 1);
  out += kPlainScheme;
  out.append(plain);
  return out;
}

Result<std::string> unseal(PiiKind, std::string_view sealed) {
  if (sealed.empty() || sealed.front() != kPlainScheme)
    return make_error(DbError::corrupt, "sealed value has an unknown scheme");
  return std::string(sealed.substr(1));
}

}  // namespace cardd::db
