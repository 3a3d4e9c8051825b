#include "cardd/personalization/reader.h"

namespace cardd::personalization {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "reader"; }
  std::string message(int code) const override {
    switch (static_cast<ReaderError>(code)) {
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
      case ReaderError::protocol:
        return "protocol";
      case ReaderError::timeout:
        return "timeout";
    }
    return "unknown";
  }
};

// A card that keeps answering 61xx forever must not hang a worker.
constexpr int kMaxGetResponses = 64;

}  // namespace

const std::error_category& reader_category() {
  static const Category category;
  return category;
}

Result<ResponseApdu> transmit_all(Reader& reader, const CommandApdu& command) {
  auto response = reader.transmit(command);
  if (!response) return response;
  if (response->sw.wrong_le()) {
    CommandApdu again = command;
    again.le = response->sw.sw2() == 0 ? 256u : response->sw.sw2();
    response = reader.transmit(again);
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

}  // namespace cardd::personalization
