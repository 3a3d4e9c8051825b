// The secure channel's unwrapping of card responses (SCP03, AES and SM4) on
// arbitrary bytes. The oracle is the virtual card's own SCP03, written apart
// from the host's: each input opens a fresh session (host keys in a soft
// HSM, the card's in the clear; the two sides must agree), the host wraps a
// command the card must accept, and then the card's answer is
//   - the input's bytes as they come: at a level with R-MAC an answer whose
//     status word the card protects is refused (nobody forges the MAC), any
//     other answer is passed through unchanged;
//   - the input's bytes protected by the card: unwrapped to exactly them;
//   - the same with one bit flipped: refused while the status word is still
//     one the card protects.
//
// Input: byte 0 picks the cipher (bit 0), the security level (bits 1-2) and
// the answer (bits 3-4); bytes 1-2 are the status word; byte 3 the bit to
// flip (from 240 on, one of the status word's); the rest is the answer's data.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "card_scp03.h"  // the card's side, private to the vcard library
#include "cardd/personalization/scp03.h"
#include "fuzz_support.h"

namespace {

namespace fs = std::filesystem;
using namespace cardd;
using card::Bytes;

using fuzz::must;

const Bytes kEnc = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                    0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
const Bytes kMac = {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
                    0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F};
const Bytes kKdd = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
const Bytes kHostChallenge = {1, 2, 3, 4, 5, 6, 7, 8};
const Bytes kCardChallenge = {9, 10, 11, 12, 13, 14, 15, 16};
constexpr std::uint8_t kLevels[] = {0x01, 0x11, 0x13, 0x33};

struct Harness {
  fs::path dir;
  std::unique_ptr<hsm::Hsm> hsm;

  Harness() {
    spdlog::set_level(spdlog::level::warn);
    dir = fuzz::make_temp_folder("cardd-fuzz-scp-");
    hsm = fuzz::open_soft_hsm(dir);
    for (const auto& [prefix, algorithm] :
         {std::pair{"aes", hsm::Algorithm::aes128}, std::pair{"sm4", hsm::Algorithm::sm4}}) {
      import(std::string(prefix) + "/enc", algorithm, kEnc);
      import(std::string(prefix) + "/mac", algorithm, kMac);
    }
  }

  ~Harness() {
    hsm.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // Two components whose XOR is `value` (a ceremony takes at least two).
  void import(const std::string& name, hsm::Algorithm algorithm, const Bytes& value) {
    hsm::SecureBytes parts[2] = {hsm::SecureBytes(value.size()), hsm::SecureBytes(value.size())};
    for (std::size_t i = 0; i < value.size(); ++i) {
      parts[0][i] = static_cast<std::uint8_t>(0xA5 ^ (i * 7));
      parts[1][i] = static_cast<std::uint8_t>(value[i] ^ parts[0][i]);
    }
    must(hsm->import_components(hsm::KeySpec{name, algorithm, {hsm::Usage::derive}, 1}, parts));
  }
};

Harness& harness() {
  static Harness h;
  return h;
}

bool protects(std::uint8_t level, card::StatusWord sw) {
  return (level & personalization::scp03_level::kRMac) != 0 &&
         (sw.ok() || sw.sw1() == 0x62 || sw.sw1() == 0x63);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4 || size > 1024) return -1;
  const bool sm4 = (data[0] & 0x01) != 0;
  const std::uint8_t level = kLevels[(data[0] >> 1) & 0x03];
  const int answer = (data[0] >> 3) & 0x03;
  const auto sw = static_cast<std::uint16_t>(data[1] << 8 | data[2]);
  const std::size_t flip = data[3];
  const Bytes payload(data + 4, data + size);

  vcard::CardScp03 card;
  const vcard::StaticKeys keys{sm4 ? vcard::Cipher::sm4 : vcard::Cipher::aes, kEnc, kMac, kMac,
                               0x30};
  const Bytes iu = card.initialize_update(keys, kKdd, kHostChallenge, kCardChallenge, 1);
  const std::string prefix = sm4 ? "sm4" : "aes";
  auto host = must(personalization::Scp03Session::open(
      *harness().hsm, {prefix + "/enc", prefix + "/mac"}, kHostChallenge, iu, level));
  if (card.external_authenticate(must(host.external_authenticate())) != 0x9000) __builtin_trap();
  const card::CommandApdu command{0x80, 0xCA, 0x00, 0x66, {0x5C, 0x01, 0x66}, 256u};
  const auto seen = card.unwrap(must(host.wrap(command)));
  const auto* plain = std::get_if<card::CommandApdu>(&seen);
  if (plain == nullptr || plain->data != command.data || plain->ins != command.ins)
    __builtin_trap();

  if (answer == 0) {
    if (payload.size() < 2) return 0;
    const auto raw = card::ResponseApdu::parse(payload);
    if (!raw) return 0;
    const auto got = host.unwrap(*raw);
    if (protects(level, raw->sw)) {
      if (got) __builtin_trap();
    } else if (!got || got->data != raw->data || got->sw != raw->sw) {
      __builtin_trap();
    }
    return 0;
  }
  card::ResponseApdu response{card.protect_response(payload, sw), card::StatusWord(sw)};
  if (answer == 1 || answer == 3) {
    const auto got = host.unwrap(response);
    if (!got || got->data != payload || got->sw != response.sw) __builtin_trap();
    return 0;
  }
  if (flip >= 240 || response.data.empty()) {
    response.sw = card::StatusWord(static_cast<std::uint16_t>(sw ^ (1u << (flip % 16))));
  } else {
    const std::size_t bit = flip % (response.data.size() * 8);
    response.data[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
  const auto got = host.unwrap(response);
  if (protects(level, response.sw) && protects(level, card::StatusWord(sw)) && got)
    __builtin_trap();
  return 0;
}
