// The virtual card's command parser and dispatcher on arbitrary APDUs: every
// input gets a response with a status word, nothing crashes.
#include <cstddef>
#include <cstdint>

#include "cardd/vcard/virtual_card.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardd::vcard;
  static VirtualCard card([] {
    CardState s;
    s.keys = StaticKeys{Cipher::aes, Bytes(16, 0x40), Bytes(16, 0x41), Bytes(16, 0x42), 0x30, 0x55};
    return s;
  }());
  // Split the input into several APDUs so that sequences reach deeper states.
  std::size_t pos = 0;
  while (pos < size) {
    const std::size_t length = std::min<std::size_t>(data[pos], size - pos - 1);
    const Bytes response = card.process(ByteView(data + pos + 1, length));
    if (response.size() < 2) __builtin_trap();
    pos += length + 1;
  }
  return 0;
}
