// The card's file system, fixed by the card vendor and the same on every
// card: the MF holds the card manager (ISD), the social security
// application SSSE and the financial application FIN; each application's
// files are listed here with their FIDs and SFIs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

inline constexpr std::uint16_t kMasterFile = 0x3F00;

enum class FileKind { record, transparent, dedicated };

struct FileInfo {
  std::uint16_t fid;
  std::uint8_t sfi;  // 0 for DFs
  FileKind kind;
  std::size_t capacity;  // transparent files: bytes; record files: bytes per record
};

const Bytes& isd_aid();
const Bytes& aid_of(Application a);
std::optional<Application> application_by_aid(ByteView aid);
std::span<const FileInfo> files_of(Application a);
const FileInfo* file_by_fid(Application a, std::uint16_t fid);
const FileInfo* file_by_sfi(Application a, std::uint8_t sfi);

}  // namespace cardd::vcard
