// What the chip must hold after personalization, derived from the profile
// and the prepared card: the records and file contents of every application,
// as the bytes STORE DATA writes and READ RECORD/READ BINARY return.
#pragma once

#include <optional>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

struct FileImage {
  const FileSpec* spec = nullptr;
  std::vector<std::optional<card::Bytes>>
      records;          // record n at [n-1]; nullopt: optional, left out
  card::Bytes content;  // transparent files
};

struct ApplicationImage {
  const ApplicationSpec* spec = nullptr;
  std::vector<FileImage> files;
};

// Errors: bad_value when an item the profile needs is missing.
Result<std::vector<ApplicationImage>> build_card_image(const CardProfile& profile,
                                                       const PreparedCard& card);

// One DGI: tag (2 bytes), length (1 byte, or FF + 2 bytes), value.
void append_dgi(card::Bytes& out, std::uint16_t dgi, card::ByteView value);

}  // namespace cardd::personalization
