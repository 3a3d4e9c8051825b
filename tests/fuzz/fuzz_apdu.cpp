// Command and response APDU parsing on arbitrary bytes; a parsed command must
// encode back to bytes that parse to the same command.
#include <cstddef>
#include <cstdint>

#include "cardd/card/apdu.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardd::card;
  (void)ResponseApdu::parse(ByteView(data, size));
  auto command = CommandApdu::parse(ByteView(data, size));
  if (!command) return 0;
  auto encoded = command->encode();
  if (!encoded) return 0;
  auto again = CommandApdu::parse(*encoded);
  if (!again || again->data != command->data || again->le != command->le) __builtin_trap();
  return 0;
}
