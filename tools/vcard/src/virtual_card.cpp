#include "cardd/vcard/virtual_card.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include "application_commands.h"
#include "card_manager.h"
#include "cardd/vcard/chip.h"
#include "file_system.h"

namespace cardd::vcard {
namespace {

const Bytes kAtr = {0x3B, 0x8A, 0x80, 0x01, 'C', 'A', 'R', 'D', 'D', '-', 'S', 'S', 'C', '3', 0x3B};

constexpr std::uint8_t kInsSelect = 0xA4, kInsGetData = 0xCA, kInsReadRecord = 0xB2,
                       kInsReadBinary = 0xB0, kInsVerify = 0x20, kInsInternalAuthenticate = 0x88,
                       kInsUpdateRecord = 0xDC, kInsGetChallenge = 0x84,
                       kInsExternalAuthenticate = 0x82, kInsGetResponse = 0xC0;
constexpr std::uint8_t kSelectByAid = 0x04, kSelectMfDfEf = 0x00, kSelectEf = 0x02;
constexpr std::uint8_t kFciReturned = 0x00, kNoFci = 0x0C;

// The key algorithm flag readers take from the SSSE's FCI (9F0C: 86 01 xx):
// 01 3DES and 03 SM4 as on national cards; 04 marks this simulator's AES.
std::uint8_t algorithm_flag(Cipher c) {
  switch (c) {
    case Cipher::des3:
      return 0x01;
    case Cipher::sm4:
      return 0x03;
    case Cipher::aes:
      return 0x04;
  }
  return 0x00;
}

Bytes fci(ByteView aid, std::optional<std::uint8_t> flag = std::nullopt) {
  Bytes proprietary;
  if (flag) proprietary = {0xA5, 0x06, 0x9F, 0x0C, 0x03, 0x86, 0x01, *flag};
  Bytes out = {0x6F, static_cast<std::uint8_t>(2 + aid.size() + proprietary.size()), 0x84,
               static_cast<std::uint8_t>(aid.size())};
  out.insert(out.end(), aid.begin(), aid.end());
  out.insert(out.end(), proprietary.begin(), proprietary.end());
  return out;
}

Bytes fcp(std::uint16_t fid) {
  return {
      0x62, 0x04, 0x83, 0x02, static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
}

}  // namespace

struct VirtualCard::Impl {
  explicit Impl(CardState s) : state(std::move(s)) {}

  CardState state;
  CardManager manager{state};
  enum class Selected { nothing, mf, isd, application } selected = Selected::nothing;
  ApplicationSession app;
  Bytes pending;  // what GET RESPONSE returns (a SELECT by AID sent without Le)
  std::uint64_t generation = 0;

  void deselect() {
    manager.reset();
    selected = Selected::nothing;
    app = {};
  }

  Reply handle(const CommandApdu& c) {
    if (state.life_cycle == LifeCycle::terminated && c.ins != kInsGetData)
      return no_data(sw::kFunctionNotSupported);
    Bytes response = std::exchange(pending, {});
    if (c.ins == kInsGetResponse) {
      if (response.empty()) return no_data(sw::kConditionsNotSatisfied);
      return Reply{std::move(response), sw::kSuccess};
    }
    if (c.ins == kInsSelect) return select(c);
    if (c.ins == kInsGetData) {
      if (c.p1 != 0x9F || c.p2 != 0x7F) return no_data(sw::kReferencedDataNotFound);
      Bytes out = {0x9F, 0x7F, 42};
      const Bytes data = cplc(state.serial);
      out.insert(out.end(), data.begin(), data.end());
      return Reply{out, sw::kSuccess};
    }
    if (selected == Selected::isd) {
      if (!CardManager::handles(c.ins)) return no_data(sw::kInsNotSupported);
      ++generation;
      return manager.handle(c);
    }
    if (selected == Selected::application) return application_command(c);
    return no_data(sw::kConditionsNotSatisfied);
  }

  Reply application_command(const CommandApdu& c) {
    ApplicationData& data = state.data(app.app);
    switch (c.ins) {
      case kInsReadRecord:
        return read_record(data, app, c);
      case kInsReadBinary:
        return read_binary(data, app, c);
      case kInsVerify: {
        const auto before = data.pin;
        Reply r = verify(data, app, c);
        if (data.pin != before) ++generation;
        return r;
      }
      case kInsInternalAuthenticate:
        return internal_authenticate(data, state.keys.cipher, c);
      case kInsGetChallenge:
        return get_challenge(app, c);
      case kInsExternalAuthenticate:
        return external_authenticate(data, app, state.keys.cipher, c);
      case kInsUpdateRecord: {
        Reply r = update_record(data, app, c);
        if (r.sw.ok()) ++generation;
        return r;
      }
      default:
        return no_data(sw::kInsNotSupported);
    }
  }

  // The applications exist from pre-personalization on, in every life cycle.
  Reply select(const CommandApdu& c) {
    if (c.p2 != kFciReturned && c.p2 != kNoFci) return no_data(sw::kIncorrectP1P2);
    Reply r;
    if (c.p1 == kSelectByAid) {
      r = select_application(c.data);
    } else if (c.p1 == kSelectMfDfEf || c.p1 == kSelectEf) {
      r = select_file(c);
    } else {
      return no_data(sw::kIncorrectP1P2);
    }
    if (c.p2 == kNoFci) r.data.clear();
    // Without Le a file answers a bare 9000; an application says its FCI
    // waits for GET RESPONSE (61xx), as readers of national cards expect.
    if (!c.le && !r.data.empty()) {
      if (c.p1 != kSelectByAid) return no_data(sw::kSuccess);
      pending = std::move(r.data);
      return no_data(StatusWord(0x61, static_cast<std::uint8_t>(pending.size())));
    }
    return r;
  }

  Reply select_application(ByteView aid) {
    const bool isd = aid.empty() || std::ranges::equal(aid, isd_aid());
    const auto application = application_by_aid(aid);
    if (!isd && !application) return no_data(sw::kFileNotFound);
    deselect();
    if (isd) {
      selected = Selected::isd;
      return Reply{fci(isd_aid()), sw::kSuccess};
    }
    selected = Selected::application;
    app.app = *application;
    const bool ssse = *application == Application::ssse;
    return Reply{fci(aid_of(*application),
                     ssse ? std::optional(algorithm_flag(state.keys.cipher)) : std::nullopt),
                 sw::kSuccess};
  }

  Reply select_file(const CommandApdu& c) {
    const bool mf = c.data.empty() && c.p1 == kSelectMfDfEf;
    if (!mf && c.data.size() != 2) return no_data(sw::kWrongLength);
    const auto fid = mf ? kMasterFile : static_cast<std::uint16_t>(c.data[0] << 8 | c.data[1]);
    if (fid == kMasterFile) {
      deselect();
      selected = Selected::mf;
      return Reply{fcp(kMasterFile), sw::kSuccess};
    }
    if (selected != Selected::application) return no_data(sw::kFileNotFound);
    const FileInfo* f = file_by_fid(app.app, fid);
    if (!f) return no_data(sw::kFileNotFound);
    app.current = f;
    return Reply{fcp(fid), sw::kSuccess};
  }
};

const Bytes& card_manager_aid() { return isd_aid(); }
const Bytes& social_security_aid() { return aid_of(Application::ssse); }
const Bytes& financial_aid() { return aid_of(Application::fin); }

VirtualCard::VirtualCard(CardState state) : impl_(std::make_unique<Impl>(std::move(state))) {}
VirtualCard::~VirtualCard() = default;

Bytes VirtualCard::atr() const { return kAtr; }

void VirtualCard::reset() { impl_->deselect(); }

const CardState& VirtualCard::state() const { return impl_->state; }

std::uint64_t VirtualCard::generation() const { return impl_->generation; }

void VirtualCard::tear_last_store() {
  if (const auto& w = impl_->manager.last_written()) {
    tear(impl_->state, *w);
    ++impl_->generation;
  }
}

void VirtualCard::restore_life_cycles(const CardState& previous) {
  impl_->state.life_cycle = previous.life_cycle;
  impl_->state.ssse.life_cycle = previous.ssse.life_cycle;
  impl_->state.fin.life_cycle = previous.fin.life_cycle;
  ++impl_->generation;
}

Bytes VirtualCard::process(ByteView command) {
  auto parsed = CommandApdu::parse(command);
  if (!parsed) return encode(no_data(sw::kWrongLength));
  // Interindustry (00) and GlobalPlatform (80, 84) classes, channel 0 only.
  const std::uint8_t cla = parsed->cla & 0xFC;
  if (cla != 0x00 && cla != 0x80 && cla != 0x84) return encode(no_data(sw::kClaNotSupported));
  try {
    return encode(impl_->handle(*parsed));
  } catch (const std::exception& e) {
    // A broken card answers 6F00; the simulator says why on its log.
    spdlog::error("vcard: {}", e.what());
    return encode(no_data(sw::kNoPreciseDiagnosis));
  }
}

Result<card::Bytes> InProcessReader::connect() {
  card_.reset();
  return card_.atr();
}

Result<card::ResponseApdu> InProcessReader::transmit(const card::CommandApdu& command) {
  auto encoded = command.encode();
  if (!encoded) return encoded.error();
  return card::ResponseApdu::parse(card_.process(*encoded));
}

}  // namespace cardd::vcard
