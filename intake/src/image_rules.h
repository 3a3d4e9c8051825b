// The rules for the card photo and the ID card images (base64 JPEG).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "field_reader.h"

namespace cardd::intake {

enum class ImageKind {
  card_photo,  // exact size, colour, 20 KiB..8.75 MiB
  id_card,     // any JPEG up to 8.75 MiB
};

// Decodes and checks the named field; records every problem through
// `fields` and returns the JPEG bytes only when there was none.
std::optional<std::string> read_image(FieldReader& fields, std::string_view name, ImageKind kind);

}  // namespace cardd::intake
