#include "cardd/card/feeder.h"

#include <algorithm>

namespace cardd::card {
namespace {

constexpr std::uint8_t kReaderClass = 0xFF, kInsEject = 0xEE;

}  // namespace

CommandApdu eject_command() { return CommandApdu{kReaderClass, kInsEject, 0x00, 0x00, {}, {}}; }

bool is_eject_command(ByteView apdu) {
  const Bytes expected = {kReaderClass, kInsEject, 0x00, 0x00};
  return std::ranges::equal(apdu, expected);
}

}  // namespace cardd::card
