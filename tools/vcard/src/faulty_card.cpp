#include "cardd/vcard/faulty_card.h"

namespace cardd::vcard {
namespace {

constexpr std::uint8_t kInsStoreData = 0xE2, kInsReadRecord = 0xB2, kInsInternalAuthenticate = 0x88,
                       kInsSetStatus = 0xF0, kInsGetData = 0xCA;
constexpr std::size_t kMacSize = 8;

bool answered_ok(const Bytes& r) {
  return r.size() >= 2 && r[r.size() - 2] == 0x90 && r[r.size() - 1] == 0x00;
}

}  // namespace

FaultyCard::Reaction FaultyCard::process(ByteView command) {
  if (faults_.remove_after > 0 && apdus_ >= faults_.remove_after) return {Outcome::removed, {}};
  if (faults_.mute_after > 0 && apdus_ >= faults_.mute_after) return {Outcome::mute, {}};
  ++apdus_;
  const std::uint8_t ins = command.size() > 1 ? command[1] : 0;
  if (faults_.refused_ins && ins == *faults_.refused_ins)
    return {Outcome::answer,
            {static_cast<std::uint8_t>(faults_.refused_sw >> 8),
             static_cast<std::uint8_t>(faults_.refused_sw & 0xFF)}};
  std::optional<CardState> before;
  if (faults_.ignore_set_status && ins == kInsSetStatus) before = card_.state();
  Bytes response = card_.process(command);
  if (before && answered_ok(response)) card_.restore_life_cycles(*before);
  if (ins == kInsStoreData && ++stores_ == faults_.tear_store_data) {
    card_.tear_last_store();
    return {Outcome::torn, {}};
  }
  const bool secured = !command.empty() && (command[0] & 0x04) != 0;
  if (faults_.corrupt_rmac && secured && response.size() >= 2 + kMacSize)
    response[response.size() - 3] ^= 0x01;
  const bool has_data = response.size() > 2 && answered_ok(response);
  if (faults_.corrupt_read && ins == kInsReadRecord && command.size() > 2 &&
      command[2] == *faults_.corrupt_read && has_data)
    response[response.size() - 3] ^= 0x01;
  if (faults_.wrong_internal_auth && ins == kInsInternalAuthenticate && has_data)
    response[0] ^= 0x01;
  if (faults_.short_cplc && ins == kInsGetData && has_data && response.size() > 10)
    response = {0x9F,        0x7F,        0x05,        response[3], response[4],
                response[5], response[6], response[7], 0x90,        0x00};
  return {Outcome::answer, std::move(response)};
}

}  // namespace cardd::vcard
