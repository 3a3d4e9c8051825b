// BER-TLV parsing on arbitrary bytes: never a crash, never a read past the end;
// what parses must encode back to a parse of the same objects.
#include <cstddef>
#include <cstdint>

#include "cardd/card/ber_tlv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardd::card;
  for (const bool padding : {false, true}) {
    auto parsed = parse_tlv(ByteView(data, size), TlvParseOptions{8, padding});
    if (!parsed) continue;
    const Bytes encoded = encode_tlvs(*parsed);
    auto again = parse_tlv(encoded);
    if (!again || again->size() != parsed->size()) __builtin_trap();
  }
  return 0;
}
