#include "cardd/card/reader.h"
#include "cardd/common/error_category.h"
#include "cardd/common/hex.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cardd::card {
namespace {

std::string_view to_string(ReaderError e) {
  switch (e) {
    case ReaderError::no_reader:
      return "no_reader";
    case ReaderError::no_card:
      return "no_card";
    case ReaderError::card_removed:
      return "card_removed";
    case ReaderError::mute_card:
      return "mute_card";
    case ReaderError::reader_lost:
      return "reader_lost";
    case ReaderError::no_service:
      return "no_service";
    case ReaderError::protocol:
      return "protocol";
    case ReaderError::timeout:
      return "timeout";
  }
  return {};
}

// A card that keeps answering 61xx forever must not hang a worker.
constexpr int kMaxGetResponses = 64;

// Commands whose data may carry keys, PINs or cryptograms.
bool key_bearing(std::uint8_t ins) {
  switch (ins) {
    case 0xE2:  // STORE DATA
    case 0xD8:  // PUT KEY
    case 0x82:  // EXTERNAL AUTHENTICATE
    case 0x20:  // VERIFY
    case 0x24:  // CHANGE REFERENCE DATA
    case 0x2C:  // RESET RETRY COUNTER
      return true;
    default:
      return false;
  }
}

void trace(const Reader& reader, const CommandApdu& c, const Result<ResponseApdu>& r) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  const std::string data = c.data.empty()       ? ""
                           : key_bearing(c.ins) ? fmt::format(" [{} bytes redacted]", c.data.size())
                                                : " " + to_hex(c.data, HexCase::upper);
  const std::string answer =
      !r ? r.error().describe()
      : key_bearing(c.ins)
          ? fmt::format("[{} bytes] {:04X}", r->data.size(), r->sw.value())
          : fmt::format("{} {:04X}", to_hex(r->data, HexCase::upper), r->sw.value());
  spdlog::debug("apdu {}: {:02X}{:02X}{:02X}{:02X}{} -> {}", reader.name(), c.cla, c.ins, c.p1,
                c.p2, data, answer);
}

Result<ResponseApdu> traced(Reader& reader, const CommandApdu& command) {
  auto response = reader.transmit(command);
  trace(reader, command, response);
  return response;
}

}  // namespace

const std::error_category& reader_category() {
  static const ErrorCategory<ReaderError> category("reader", to_string);
  return category;
}

Result<ResponseApdu> transmit_all(Reader& reader, const CommandApdu& command) {
  auto response = traced(reader, command);
  if (!response) return response;
  if (response->sw.wrong_le()) {
    CommandApdu again = command;
    again.le = response->sw.sw2() == 0 ? 256u : response->sw.sw2();
    response = traced(reader, again);
    if (!response) return response;
  }
  Bytes data = std::move(response->data);
  for (int i = 0; response->sw.bytes_remaining(); ++i) {
    if (i == kMaxGetResponses)
      return make_error(ReaderError::protocol, "the card kept answering 61xx to GET RESPONSE");
    const std::uint32_t le = response->sw.sw2() == 0 ? 256u : response->sw.sw2();
    response = reader.transmit(
        CommandApdu{static_cast<std::uint8_t>(command.cla & 0x03), 0xC0, 0x00, 0x00, {}, le});
    if (!response) return response;
    data.insert(data.end(), response->data.begin(), response->data.end());
  }
  return ResponseApdu{std::move(data), response->sw};
}

}  // namespace cardd::card
