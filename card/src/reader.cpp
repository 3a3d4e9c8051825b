#include "cardd/card/reader.h"
#include "cardd/common/error_category.h"
#include "cardd/common/hex.h"
#include "cardd/common/metrics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>

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

// Secure messaging: GlobalPlatform's proprietary classes and ISO's first
// interindustry classes flag it in b3-b4, the further interindustry classes in b6.
bool secure_messaging(std::uint8_t cla) {
  if ((cla & 0xC0) == 0x40) return (cla & 0x20) != 0;
  return (cla & 0x0C) != 0;
}

// The trace prints data only where it is known to carry neither keys nor
// personal data; everything else (READ RECORD / READ BINARY answers, STORE DATA,
// VERIFY, PUT KEY, authentication, any wrapped command) shows lengths and SWs.
// An allowlist, so a command added later is redacted until someone decides.
bool data_is_public(const CommandApdu& c) {
  if (secure_messaging(c.cla)) return false;
  switch (c.ins) {
    case 0xA4:  // SELECT: AIDs and file identifiers; the answer is the FCI
    case 0x50:  // INITIALIZE UPDATE: challenges, key diversification data, cryptogram
    case 0xF2:  // GET STATUS: life cycles
      return true;
    case 0xCA: {  // GET DATA of the chip's identity and key information only
      const unsigned tag = static_cast<unsigned>(c.p1) << 8 | c.p2;
      return tag == 0x9F7F || tag == 0x0066 || tag == 0x00E0;
    }
    default:
      return false;
  }
}

std::string redacted(std::size_t length) { return fmt::format("[{} bytes redacted]", length); }

void trace(const Reader& reader, const CommandApdu& c, const Result<ResponseApdu>& r) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  const bool shown = data_is_public(c);
  const std::string data = c.data.empty() ? ""
                           : shown        ? " " + to_hex(c.data, HexCase::upper)
                                          : " " + redacted(c.data.size());
  std::string answer;
  if (!r)
    answer = r.error().describe();
  else if (r->data.empty())
    answer = fmt::format("{:04X}", r->sw.value());
  else
    answer =
        fmt::format("{} {:04X}", shown ? to_hex(r->data, HexCase::upper) : redacted(r->data.size()),
                    r->sw.value());
  spdlog::debug("apdu {}: {:02X}{:02X}{:02X}{:02X}{} -> {}", reader.name(), c.cla, c.ins, c.p1,
                c.p2, data, answer);
}

// One histogram per instruction, found once: every APDU passes here.
metrics::Histogram& apdu_latency(std::uint8_t ins) {
  static std::array<std::atomic<metrics::Histogram*>, 256> by_ins{};
  metrics::Histogram* h = by_ins[ins].load(std::memory_order_acquire);
  if (h == nullptr) {
    h = &metrics::histogram("cardd_apdu_seconds", "APDU exchanges with the card, by instruction",
                            {{"ins", fmt::format("{:02X}", ins)}});
    by_ins[ins].store(h, std::memory_order_release);
  }
  return *h;
}

Result<ResponseApdu> traced(Reader& reader, const CommandApdu& command) {
  auto response = [&] {
    const metrics::ScopedTimer timer(apdu_latency(command.ins));
    return reader.transmit(command);
  }();
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
