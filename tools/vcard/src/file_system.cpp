#include "file_system.h"

#include <algorithm>

namespace cardd::vcard {
namespace {

// A record must fit one short READ RECORD response.
constexpr std::size_t kRecordCapacity = 255;

const Bytes kIsdAid = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
// DDF name "sx1.sh.社会保障" in GBK.
const Bytes kSsseAid = {0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9,
                        0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF};
const Bytes kFinAid = {0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x01};

constexpr FileInfo kSsseFiles[] = {
    {0xEF05, 5, FileKind::record, kRecordCapacity},
    {0xEF06, 6, FileKind::record, kRecordCapacity},
    {0xEF07, 7, FileKind::record, kRecordCapacity},
    {0xEF08, 8, FileKind::transparent, 32768},
    // Public and sector data areas, created empty for the bureau's later use.
    {0xDF01, 0, FileKind::dedicated, 0},
    {0xDF02, 0, FileKind::dedicated, 0},
    {0xDF03, 0, FileKind::dedicated, 0},
    {0xDF04, 0, FileKind::dedicated, 0},
};

constexpr FileInfo kFinFiles[] = {
    {0xEF01, 1, FileKind::record, kRecordCapacity},
    {0xEF02, 2, FileKind::record, kRecordCapacity},
};

}  // namespace

const Bytes& isd_aid() { return kIsdAid; }

const Bytes& aid_of(Application a) { return a == Application::ssse ? kSsseAid : kFinAid; }

std::optional<Application> application_by_aid(ByteView aid) {
  for (const Application a : {Application::ssse, Application::fin})
    if (std::ranges::equal(aid, aid_of(a))) return a;
  return std::nullopt;
}

std::span<const FileInfo> files_of(Application a) {
  if (a == Application::ssse) return kSsseFiles;
  return kFinFiles;
}

const FileInfo* file_by_fid(Application a, std::uint16_t fid) {
  const auto files = files_of(a);
  const auto it = std::ranges::find(files, fid, &FileInfo::fid);
  return it == files.end() ? nullptr : &*it;
}

const FileInfo* file_by_sfi(Application a, std::uint8_t sfi) {
  if (sfi == 0) return nullptr;
  const auto files = files_of(a);
  const auto it = std::ranges::find(files, sfi, &FileInfo::sfi);
  return it == files.end() ? nullptr : &*it;
}

}  // namespace cardd::vcard
