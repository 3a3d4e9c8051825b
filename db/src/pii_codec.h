// The one codec every ID number, phone number and image passes through on its
// way into and out of the database, so that encryption at rest changes only
// this file. A sealed value starts with a scheme byte: 0x00 = stored as is.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::db {

enum class PiiKind { id_number, mobile, image, prepared_card };

std::string seal(PiiKind kind, std::string_view plain);
// Errors: corrupt (unknown scheme byte or empty value).
Result<std::string> unseal(PiiKind kind, std::string_view sealed);

}  // namespace cardd::db
