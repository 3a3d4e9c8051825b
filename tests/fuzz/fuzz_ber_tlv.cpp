// BER-TLV parsing on arbitrary bytes: never a crash, never a read past the end;
// what parses encodes back to the same objects, tag for tag and byte for
// byte, and that encoding is stable.
#include <cstddef>
#include <cstdint>
#include <span>

#include "cardd/card/ber_tlv.h"

namespace {

using cardd::card::Tlv;

bool same(std::span<const Tlv> a, std::span<const Tlv> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].tag != b[i].tag || a[i].value != b[i].value || !same(a[i].children, b[i].children))
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardd::card;
  for (const bool padding : {false, true}) {
    auto parsed = parse_tlv(ByteView(data, size), TlvParseOptions{8, padding});
    if (!parsed) continue;
    const Bytes encoded = encode_tlvs(*parsed);
    auto again = parse_tlv(encoded);
    if (!again || !same(*again, *parsed)) __builtin_trap();
    if (encode_tlvs(*again) != encoded) __builtin_trap();
  }
  return 0;
}
