// The virtual card's command parser and dispatcher on arbitrary APDUs: every
// input gets a response with a status word, nothing crashes.
#include <cstddef>
#include <cstdint>

#include "cardd/vcard/virtual_card.h"

namespace {

using namespace cardd::vcard;

// A card as after personalization but still open for more, so that reads,
// VERIFY and INTERNAL AUTHENTICATE reach their data without a secure channel
// (which a fuzzer cannot open).
CardState personalized_card() {
  CardState s;
  s.keys = StaticKeys{Cipher::aes, Bytes(16, 0x40), Bytes(16, 0x41), Bytes(16, 0x42), 0x30, 0x55};
  s.ssse.records[5] = {{1, {0x01, 0x02, 0x41, 0x42}}, {2, {0x02, 0x01, 0x43}}};
  s.ssse.binaries[8] = Bytes(300, 0x5A);
  s.ssse.keys[1] = Bytes(16, 0x11);
  s.ssse.pin = Pin{{1, 2, 3, 4}, 3, 3};
  s.fin.records[1] = {{1, {0x70, 0x02, 0x5A, 0x00}}};
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A fresh card per input: a crash replays from its input alone.
  VirtualCard card(personalized_card());
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
