#include "cardd/personalization/encoding_session.h"
#include "cardd/common/error_category.h"
#include "cardd/common/hex.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <set>

#include "card_image.h"
#include "card_keys.h"
#include "card_reading.h"
#include "cardd/card/apdu.h"
#include "cardd/personalization/card_reader.h"
#include "cardd/personalization/scp02.h"
#include "cardd/personalization/scp03.h"
#include "chip_values.h"
#include "data_items.h"

namespace cardd::personalization {
namespace {

const card::Bytes kIsdAid = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
// Plain data per protected short STORE DATA: 255 - 8 (MAC) - padding block.
constexpr std::size_t kStoreDataBlock = 239;
constexpr std::uint8_t kStoreDataLast = 0x80, kStoreDataEncrypted = 0x60;
constexpr std::uint16_t kDgiAccessRule = 0xA000;
constexpr std::uint8_t kTerminated = 0xFF;  // GlobalPlatform card life cycle
// SET STATUS / GET STATUS P1: the card (its ISD) or the applications.
constexpr std::uint8_t kStatusOfCard = 0x80, kStatusOfApplications = 0x40;
constexpr std::uint8_t kApplicationSelectable = 0x07;

// VERIFY with the PIN in BCD, an odd count padded with F.
card::CommandApdu verify_command(std::string_view pin) {
  card::Bytes data((pin.size() + 1) / 2, 0xFF);
  for (std::size_t i = 0; i < pin.size(); ++i) {
    const auto digit = static_cast<std::uint8_t>(pin[i] - '0');
    data[i / 2] = i % 2 == 0 ? static_cast<std::uint8_t>(digit << 4 | 0x0F)
                             : static_cast<std::uint8_t>((data[i / 2] & 0xF0) | digit);
  }
  return card::CommandApdu{0x00, 0x20, 0x00, 0x00, std::move(data), std::nullopt};
}

card::Bytes install_for_personalization(const card::Bytes& aid) {
  card::Bytes data = {0x00, 0x00, static_cast<std::uint8_t>(aid.size())};
  data.insert(data.end(), aid.begin(), aid.end());
  data.insert(data.end(), {0x00, 0x00, 0x00});
  return data;
}

// A file's access rule as the card takes it (DGI A0sf): read, then update,
// each a condition byte and a key reference.
card::Bytes access_rule(const AccessRule& rule) {
  return {static_cast<std::uint8_t>(rule.read.kind), rule.read.key,
          static_cast<std::uint8_t>(rule.update.kind), rule.update.key};
}

// INSTALL, STORE DATA and SET STATUS change the card.
bool writes(std::uint8_t ins) { return ins == 0xE6 || ins == 0xE2 || ins == 0xF0; }

// The failure of one step, classified by where it came from.
Error classify(const Error& e, std::string_view step) {
  EncodeError code = EncodeError::bad_card;
  const auto& cat = e.code.category();
  if (cat == card::reader_category()) {
    switch (static_cast<card::ReaderError>(e.code.value())) {
      case card::ReaderError::no_card:
      case card::ReaderError::card_removed:
        code = EncodeError::card_removed;
        break;
      case card::ReaderError::mute_card:
      case card::ReaderError::timeout:
      case card::ReaderError::protocol:
        code = EncodeError::mute_card;
        break;
      case card::ReaderError::no_reader:
      case card::ReaderError::reader_lost:
      case card::ReaderError::no_service:
        code = EncodeError::reader_lost;
        break;
    }
  } else if (cat == card::status_word_category()) {
    code = EncodeError::wrong_status_word;
  } else if (cat == secure_channel_category()) {
    code = EncodeError::secure_channel;
  } else if (cat == hsm::hsm_category()) {
    code = EncodeError::hsm_failure;
  } else if (cat == prepare_category()) {
    code = EncodeError::bad_data;
  } else if (cat == encode_category()) {
    code = static_cast<EncodeError>(e.code.value());
  }
  return make_error(code, fmt::format("{}: {}", step, e.message));
}

// Counts the APDUs the session exchanges (GET RESPONSEs included).
class CountingReader final : public card::Reader {
 public:
  explicit CountingReader(card::Reader& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  Result<card::Bytes> connect() override { return inner_.connect(); }
  Status disconnect() override { return inner_.disconnect(); }
  Status eject() override { return inner_.eject(); }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& command) override {
    ++count;
    return inner_.transmit(command);
  }
  Status wait_for_card(std::chrono::milliseconds t) override { return inner_.wait_for_card(t); }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    return inner_.wait_for_removal(t);
  }
  int count = 0;

 private:
  card::Reader& inner_;
};

class Session {
 public:
  Session(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile, const PreparedCard& card,
          const EncodeHooks& hooks)
      : reader_(reader), hsm_(hsm), profile_(profile), card_(card), hooks_(hooks) {}

  Result<EncodeResult> run() {
    auto image = begin();
    if (!image) return image.error();
    if (hooks_.claim_chip) {
      if (auto s = hooks_.claim_chip(result_.chip_id); !s)
        return make_error(EncodeError::chip_refused, s.error().message);
    }

    if (auto s = step("secure channel", [&] { return open_channel(); }); !s) return s.error();
    if (auto s = step("blank", [&] { return still_blank(); }); !s) return s.error();
    for (const auto& app : *image)
      if (auto s = step("store data " + app.spec->name, [&] { return store(app); }); !s)
        return s.error();
    if (auto s = check(*image); !s) return s.error();
    if (auto s = step("lock", [&] { return lock(*image); }); !s) return s.error();
    result_.commands = reader_.count;
    return result_;
  }

  Result<EncodeResult> verify() {
    auto image = begin();
    if (!image) return image.error();
    if (auto s = check(*image); !s) return s.error();
    auto chip = from_hex(result_.chip_id).value_or(card::Bytes{});
    auto cycles = life_cycles(chip);
    if (!cycles) return classify(cycles.error(), "life cycle");
    if (cycles->card != profile_.final_life_cycle)
      return make_error(EncodeError::lock_failed, "the card's personalization is still open (" +
                                                      card_life_cycle_name(cycles->card) + ")");
    for (const auto& app : profile_.applications)
      if (cycles->applications[app.name] != app.final_life_cycle)
        return make_error(EncodeError::lock_failed,
                          app.name + " still takes personalization (" +
                              application_life_cycle_name(cycles->applications[app.name]) + ")");
    result_.commands = reader_.count;
    return result_;
  }

  // GET STATUS of the card manager and of the applications, in a channel
  // opened with the card's keys (`keys_`, or derived here).
  Result<LifeCycles> life_cycles(card::ByteView chip_id) {
    if (keys_.enc.empty())
      if (auto s = derive_keys(chip_id, false); !s) return s.error();
    if (auto s = open_channel(); !s) return s.error();
    return get_status({kStatusOfCard, kStatusOfApplications});
  }

  // GET STATUS in the open channel for each scope (card, applications).
  Result<LifeCycles> get_status(std::initializer_list<std::uint8_t> scopes) {
    LifeCycles out;
    for (const std::uint8_t scope : scopes) {
      auto r =
          send_secure(card::CommandApdu{0x80, 0xF2, scope, 0x02, {0x4F, 0x00}, 256u}, "GET STATUS");
      if (!r) return r.error();
      auto entries = card::parse_tlv(r->data);
      if (!entries) return make_error(EncodeError::bad_card, "GET STATUS: not TLV");
      for (const card::Tlv& e : *entries) {
        const card::Tlv* aid = e.find(0x4F);
        const card::Tlv* state = e.find(0x9F70);
        if (e.tag != 0xE3 || aid == nullptr || state == nullptr || state->value.empty())
          return make_error(EncodeError::bad_card, "GET STATUS: an entry without AID or state");
        if (scope == kStatusOfCard) out.card = state->value[0];
        for (const auto& app : profile_.applications)
          if (scope == kStatusOfApplications && app.aid == aid->value)
            out.applications[app.name] = state->value[0];
      }
    }
    return out;
  }

  Status terminate() {
    if (auto image = begin(); !image) return image.error();
    return step("terminate", [&]() -> Status {
      if (auto s = open_channel(); !s) return s;
      auto r = send_secure(card::CommandApdu{0x80, 0xF0, 0x80, kTerminated, {}, std::nullopt},
                           "SET STATUS TERMINATED");
      if (!r) return r.error();
      // A terminated card answers GET DATA only: one that still selects its
      // card manager kept its life cycle, and with it the data it holds.
      auto probe =
          card::transmit_all(reader_, card::CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsdAid, 256u});
      if (!probe) return probe.error();
      if (probe->sw.ok())
        return make_error(EncodeError::lock_failed,
                          "the card still selects its card manager after SET STATUS TERMINATED");
      return {};
    });
  }

 private:
  // Powers the card up and gets everything a session needs before it
  // writes: the chip, the card image and every card key.
  Result<std::vector<ApplicationImage>> begin() {
    if (auto atr = reader_.connect(); !atr) {
      if (atr.error().code == card::ReaderError::no_card)
        return make_error(EncodeError::no_card, "power up: no card in the reader");
      return classify(atr.error(), "power up");
    }
    auto chip = read_chip_id(reader_);
    if (!chip) return chip.error();
    result_.chip_id = *chip;
    progress(fmt::format("chip {}", *chip));
    const card::Bytes chip_id = from_hex(*chip).value_or(card::Bytes{});
    auto cic = card_identification_code(profile_.issuer, chip_id);
    if (!cic) return classify(cic.error(), "card identification code");
    result_.card_identification_code = to_hex(*cic, HexCase::upper);
    PreparedCard full = card_;
    full.items.insert_or_assign(std::string(kCardIdentificationCode), std::move(*cic));
    auto image = build_card_image(profile_, full);
    if (!image) return classify(image.error(), "card image");
    // Every card key is derived before the chip is claimed: an HSM that is
    // away or lacks a master key costs no card.
    if (auto s = derive_keys(chip_id); !s) return classify(s.error(), "card keys");
    return image;
  }

  // kdf3 diversifies by the card's KDD, which only INITIALIZE UPDATE tells
  // (without EXTERNAL AUTHENTICATE it changes nothing but the sequence counter).
  Status derive_keys(card::ByteView chip_id, bool application_keys = true) {
    if (profile_.secure_channel.diversification == Diversification::kdf3) {
      auto iu = initialize_update();
      if (!iu) return iu.error();
      if (auto s = card::check(iu->second, "INITIALIZE UPDATE"); !s) return s;
      if (iu->second.data.size() < 10)
        return make_error(EncodeError::bad_card, "INITIALIZE UPDATE: no key diversification data");
      kdd_.assign(iu->second.data.begin(), iu->second.data.begin() + 10);
    }
    auto keys = CardKeys::derive(hsm_, profile_, chip_id,
                                 application_keys ? card_.card_number : std::string_view{}, kdd_);
    if (!keys) return keys.error();
    keys_ = std::move(*keys);
    return {};
  }

  Status check(const std::vector<ApplicationImage>& image) {
    for (const auto& app : image) {
      if (auto s = step("read back " + app.spec->name, [&] { return read_back(app); }); !s)
        return s;
      if (auto s = step("key proof " + app.spec->name, [&] { return prove_keys(*app.spec); }); !s)
        return s;
    }
    return {};
  }

  Status hold_claim() {
    if (!hooks_.hold_claim) return {};
    if (auto s = hooks_.hold_claim(); !s)
      return make_error(EncodeError::claim_lost, s.error().message);
    return {};
  }
  template <typename F>
  Status step(const std::string& name, F&& body) {
    Status s = body();
    if (!s) return classify(s.error(), name);
    progress(name);
    return {};
  }

  void progress(std::string_view line) {
    if (hooks_.progress) hooks_.progress(line);
  }

  Result<card::ResponseApdu> send(const card::CommandApdu& c, std::string_view what,
                                  std::initializer_list<card::StatusWord> allowed = {
                                      card::sw::kSuccess}) {
    auto r = card::transmit_all(reader_, c);
    if (!r) return r.error();
    if (auto s = card::check(*r, what, allowed); !s) return s.error();
    return r;
  }

  Result<card::ResponseApdu> send_secure(const card::CommandApdu& c, std::string_view what,
                                         std::initializer_list<card::StatusWord> allowed = {
                                             card::sw::kSuccess}) {
    if (writes(c.ins))
      if (auto s = hold_claim(); !s) return s.error();
    auto wrapped = channel_->wrap(c);
    if (!wrapped) return wrapped.error();
    auto r = card::transmit_all(reader_, *wrapped);
    if (!r) return r.error();
    auto plain = channel_->unwrap(*r);
    if (!plain) return plain.error();
    if (auto s = card::check(*plain, what, allowed); !s) return s.error();
    return plain;
  }

  // SELECT of the card manager, then INITIALIZE UPDATE with a fresh host
  // challenge: the challenge and the card's answer.
  Result<std::pair<card::Bytes, card::ResponseApdu>> initialize_update() {
    if (auto r =
            send(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsdAid, 256u}, "SELECT card manager");
        !r)
      return r.error();
    auto challenge = hsm_.random(8);
    if (!challenge) return challenge.error();
    auto iu = card::transmit_all(
        reader_, initialize_update_command(profile_.secure_channel.key_version, *challenge));
    if (!iu) return iu.error();
    return std::pair{card::Bytes(challenge->begin(), challenge->end()), std::move(*iu)};
  }

  Status open_channel() {
    channel_.reset();
    auto opened = initialize_update();
    if (!opened) return opened.error();
    const card::Bytes& challenge = opened->first;
    const card::ResponseApdu* iu = &opened->second;
    const auto& sc = profile_.secure_channel;
    if (iu->sw == card::sw::kAuthenticationBlocked)
      return make_error(EncodeError::secure_channel,
                        "INITIALIZE UPDATE: 6983, the card manager keys are blocked");
    if (auto s = card::check(*iu, "INITIALIZE UPDATE"); !s) return s.error();
    if (!kdd_.empty() &&
        (iu->data.size() < kdd_.size() || !std::equal(kdd_.begin(), kdd_.end(), iu->data.begin())))
      return make_error(EncodeError::secure_channel,
                        "INITIALIZE UPDATE: the card's key diversification data changed");
    if (sc.protocol == ScpProtocol::scp03) {
      auto s = Scp03Session::open(hsm_, Scp03Keys{keys_.enc, keys_.mac}, challenge, iu->data,
                                  sc.security_level);
      if (!s) return s.error();
      channel_ = std::make_unique<Scp03Session>(std::move(*s));
      dek_ = keys_.dek;
    } else {
      auto s = Scp02Session::open(hsm_, Scp02Keys{keys_.enc, keys_.mac, keys_.dek}, challenge,
                                  iu->data, sc.security_level, sc.option);
      if (!s) return s.error();
      dek_ = s->session_dek();
      channel_ = std::make_unique<Scp02Session>(std::move(*s));
    }
    auto auth = channel_->external_authenticate();
    if (!auth) return auth.error();
    auto answer = card::transmit_all(reader_, *auth);
    if (!answer) return answer.error();
    if (!answer->sw.ok())
      return make_error(EncodeError::secure_channel,
                        "EXTERNAL AUTHENTICATE: " + answer->sw.to_string());
    return {};
  }

  // Clear DGIs packed into as few commands as fit, then the encrypted ones.
  Result<std::vector<std::pair<card::Bytes, bool>>> blocks_for(const ApplicationImage& app) {
    std::vector<std::pair<card::Bytes, bool>> blocks;
    const auto add = [&](std::uint16_t dgi, card::ByteView value, bool encrypted) {
      card::Bytes one;
      append_dgi(one, dgi, value);
      if (one.size() > kStoreDataBlock) {
        // A clear DGI longer than a command (the photo) continues in the
        // following commands, as EMV CPS allows.
        for (std::size_t at = 0; at < one.size(); at += kStoreDataBlock) {
          const auto from = one.begin() + static_cast<std::ptrdiff_t>(at);
          const auto to =
              one.begin() + static_cast<std::ptrdiff_t>(std::min(one.size(), at + kStoreDataBlock));
          blocks.emplace_back(card::Bytes(from, to), encrypted);
        }
        return;
      }
      if (blocks.empty() || blocks.back().second != encrypted ||
          blocks.back().first.size() + one.size() > kStoreDataBlock)
        blocks.emplace_back(card::Bytes{}, encrypted);
      blocks.back().first.insert(blocks.back().first.end(), one.begin(), one.end());
    };
    for (const auto& file : app.files)
      add(static_cast<std::uint16_t>(kDgiAccessRule | file.spec->sfi),
          access_rule(file.spec->access), false);
    for (const auto& file : app.files) {
      const auto sfi = static_cast<std::uint16_t>(file.spec->sfi << 8);
      if (file.spec->type == FileType::transparent) add(sfi, file.content, false);
      for (std::size_t n = 0; n < file.records.size(); ++n)
        if (file.records[n])
          add(static_cast<std::uint16_t>(sfi | (n + 1)), *file.records[n], false);
    }
    const ApplicationSpec& spec = *app.spec;
    if (spec.pin) {
      const auto limit = static_cast<std::uint8_t>(spec.pin->try_limit);
      add(0x9010, card::Bytes{limit, limit}, false);
      const std::string& digits = spec.pin->initial;
      const hsm::SecureBytes initial(
          std::span(reinterpret_cast<const std::uint8_t*>(digits.data()), digits.size()));
      auto pin = hsm_.wrap_pin_block(dek_, initial);
      if (!pin) return pin.error();
      add(0x8010, *pin, true);
    }
    for (const auto& key : spec.keys) {
      auto wrapped = hsm_.wrap(dek_, hsm::CipherMode::ecb, keys_.app_key(spec.name, key.reference));
      if (!wrapped) return wrapped.error();
      add(static_cast<std::uint16_t>(0x8100 | key.reference), *wrapped, true);
    }
    return blocks;
  }

  Status install(const ApplicationSpec& app) {
    auto r = send_secure(
        card::CommandApdu{0x80, 0xE6, 0x20, 0x00, install_for_personalization(app.aid), 256u},
        "INSTALL for personalization");
    if (!r) return r.error();
    return {};
  }

  Status store(const ApplicationImage& app) {
    if (auto s = install(*app.spec); !s) return s;
    auto blocks = blocks_for(app);
    if (!blocks) return blocks.error();
    if (first_block_.empty() && !blocks->empty()) first_block_ = blocks->front().first;
    for (std::size_t i = 0; i < blocks->size(); ++i) {
      const auto& [data, encrypted] = (*blocks)[i];
      const auto p1 = static_cast<std::uint8_t>((encrypted ? kStoreDataEncrypted : 0) |
                                                (i + 1 == blocks->size() ? kStoreDataLast : 0));
      if (auto r = send_secure(
              card::CommandApdu{0x80, 0xE2, p1, static_cast<std::uint8_t>(i), data, std::nullopt},
              fmt::format("STORE DATA block {}", i));
          !r)
        return r.error();
    }
    return {};
  }

  Status select(const ApplicationSpec& app) {
    auto r = send(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, app.aid, 256u}, "SELECT " + app.name);
    if (!r) return r.error();
    return {};
  }

  // A protected file must refuse to be read before the terminal proves
  // what its rule asks, and open after.
  Status open_for_reading(const ApplicationSpec& app, const FileImage& file,
                          std::set<std::uint8_t>& proven) {
    const AccessCondition& rule = file.spec->access.read;
    if (rule.kind == AccessCondition::Kind::free || proven.contains(rule.key)) return {};
    const std::string what = "READ " + file.spec->name + " before authentication";
    const auto present =
        std::ranges::find_if(file.records, [](const auto& r) { return r.has_value(); });
    if (present != file.records.end()) {
      const auto n = static_cast<std::size_t>(present - file.records.begin());
      if (auto r =
              send(read_record_command(*file.spec, n), what, {card::sw::kSecurityNotSatisfied});
          !r)
        return make_error(EncodeError::readback_mismatch, r.error().message);
    }
    if (rule.kind == AccessCondition::Kind::key) {
      if (auto s = authenticate_terminal(reader_, hsm_, keys_.app_key(app.name, rule.key), rule.key,
                                         profile_.block_size());
          !s)
        return s;
    } else if (app.pin) {
      if (auto r = send(verify_command(app.pin->initial), "VERIFY"); !r) return r.error();
    }
    proven.insert(rule.key);
    return {};
  }

  Status read_back(const ApplicationImage& app) {
    if (auto s = select(*app.spec); !s) return s;
    std::set<std::uint8_t> proven;
    for (const auto& file : app.files) {
      if (file.spec->access.read.kind == AccessCondition::Kind::never) continue;
      if (auto s = open_for_reading(*app.spec, file, proven); !s) return s;
      if (file.spec->type == FileType::transparent) {
        auto content = read_transparent(reader_, *file.spec);
        if (!content) return content.error();
        if (*content != file.content)
          return make_error(EncodeError::readback_mismatch,
                            "READ BINARY " + file.spec->name + " differs from what was written");
      }
      for (std::size_t n = 0; n < file.records.size(); ++n) {
        const std::string what = fmt::format("READ RECORD {} record {}", file.spec->name, n + 1);
        auto r = send(read_record_command(*file.spec, n), what,
                      {card::sw::kSuccess, card::sw::kRecordNotFound});
        if (!r) return r.error();
        const bool present = r->sw.ok();
        if (present != file.records[n].has_value() || (present && r->data != *file.records[n]))
          return make_error(EncodeError::readback_mismatch,
                            what + " differs from what was written");
      }
    }
    return {};
  }

  Status prove_keys(const ApplicationSpec& app) {
    if (app.pin) {
      // VERIFY without data asks for the tries left: proof that the PIN is
      // set with the profile's limit, without sending the PIN in clear.
      auto r =
          card::transmit_all(reader_, card::CommandApdu{0x00, 0x20, 0x00, 0x00, {}, std::nullopt});
      if (!r) return r.error();
      const auto expected = static_cast<std::uint16_t>(0x63C0 | app.pin->try_limit);
      if (r->sw.value() != expected)
        return make_error(
            EncodeError::key_proof_failed,
            fmt::format("VERIFY (tries left): {}, expected {:04X}", r->sw.to_string(), expected));
    }
    for (const auto& key : app.keys) {
      auto challenge = hsm_.random(profile_.block_size());
      if (!challenge) return challenge.error();
      const std::string what = fmt::format("INTERNAL AUTHENTICATE key {:02X}", key.reference);
      auto r = send(card::CommandApdu{0x00, 0x88, 0x00, key.reference, *challenge, 256u}, what);
      if (!r) return r.error();
      auto expected = hsm_.encrypt(keys_.app_key(app.name, key.reference), hsm::CipherMode::ecb, {},
                                   *challenge);
      if (!expected) return expected.error();
      if (r->data != *expected)
        return make_error(EncodeError::key_proof_failed,
                          what + ": the card's answer does not match the key");
    }
    return {};
  }

  // A card someone personalized already (its applications refuse STORE
  // DATA) is refused before anything is written: never terminated by us.
  Status still_blank() {
    auto cycles = get_status({kStatusOfApplications});
    if (!cycles) return cycles.error();
    for (const auto& [name, state] : cycles->applications)
      if (state != kApplicationSelectable)
        return make_error(EncodeError::chip_refused,
                          fmt::format("{} is {} already: the card was personalized before", name,
                                      application_life_cycle_name(state)));
    return {};
  }

  // Each application PERSONALIZED, then the card SECURED (GlobalPlatform):
  // card management stays possible, the applications refuse STORE DATA.
  // The card's SET STATUS comes last: a card that reached it is complete.
  Status lock(const std::vector<ApplicationImage>& image) {
    if (auto s = open_channel(); !s) return s;
    for (const auto& app : image)
      if (auto r = send_secure(
              card::CommandApdu{0x80, 0xF0, kStatusOfApplications, app.spec->final_life_cycle,
                                app.spec->aid, std::nullopt},
              "SET STATUS " + app.spec->name);
          !r)
        return r.error();
    if (auto r = send_secure(
            card::CommandApdu{
                0x80, 0xF0, kStatusOfCard, profile_.final_life_cycle, {}, std::nullopt},
            "SET STATUS card");
        !r)
      return r.error();
    // The application must now refuse personalization: its first block
    // again is the harmless probe (rewriting it would change nothing).
    if (first_block_.empty() || image.empty()) return {};
    if (auto s = install(*image.front().spec); !s) return s;
    auto r = send_secure(
        card::CommandApdu{0x80, 0xE2, kStoreDataLast, 0x00, first_block_, std::nullopt},
        "STORE DATA after SET STATUS", {card::sw::kConditionsNotSatisfied, card::sw::kSuccess});
    if (!r) return r.error();
    if (r->sw.ok())
      return make_error(EncodeError::lock_failed,
                        image.front().spec->name + " accepted STORE DATA after SET STATUS");
    return {};
  }

  CountingReader reader_;
  hsm::Hsm& hsm_;
  const CardProfile& profile_;
  const PreparedCard& card_;
  const EncodeHooks& hooks_;
  CardKeys keys_;
  std::unique_ptr<SecureChannel> channel_;
  std::string dek_;
  card::Bytes kdd_;  // the card's key diversification data (kdf3 only)
  card::Bytes first_block_;
  EncodeResult result_;
};

}  // namespace

const std::error_category& encode_category() {
  static const ErrorCategory<EncodeError> c("encode", spoil_reason);
  return c;
}

std::string_view spoil_reason(EncodeError e) {
  switch (e) {
    case EncodeError::card_removed:
      return "card_removed";
    case EncodeError::mute_card:
      return "mute_card";
    case EncodeError::reader_lost:
      return "reader_lost";
    case EncodeError::no_card:
      return "no_card";
    case EncodeError::wrong_status_word:
      return "wrong_status_word";
    case EncodeError::secure_channel:
      return "secure_channel";
    case EncodeError::readback_mismatch:
      return "readback_mismatch";
    case EncodeError::key_proof_failed:
      return "key_proof_failed";
    case EncodeError::lock_failed:
      return "lock_failed";
    case EncodeError::hsm_failure:
      return "hsm_failure";
    case EncodeError::chip_refused:
      return "chip_refused";
    case EncodeError::bad_card:
      return "bad_card";
    case EncodeError::bad_data:
      return "bad_data";
    case EncodeError::claim_lost:
      return "claim_lost";
  }
  return "unknown";
}

Result<EncodeResult> encode_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                                 const PreparedCard& card, const EncodeHooks& hooks) {
  return Session(reader, hsm, profile, card, hooks).run();
}

Result<EncodeResult> verify_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                                 const PreparedCard& card) {
  const EncodeHooks none;
  return Session(reader, hsm, profile, card, none).verify();
}

Status terminate_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                      const PreparedCard& card) {
  const EncodeHooks none;
  return Session(reader, hsm, profile, card, none).terminate();
}

Result<LifeCycles> read_life_cycles(card::Reader& reader, hsm::Hsm& hsm,
                                    const CardProfile& profile) {
  auto chip = read_chip_id(reader);
  if (!chip) return chip.error();
  const PreparedCard card;
  const EncodeHooks none;
  Session session(reader, hsm, profile, card, none);
  auto cycles = session.life_cycles(from_hex(*chip).value_or(card::Bytes{}));
  if (!cycles) return classify(cycles.error(), "life cycle");
  return cycles;
}

std::string card_life_cycle_name(std::uint8_t value) {
  switch (value) {
    case 0x01:
      return "OP_READY";
    case 0x07:
      return "INITIALIZED";
    case 0x0F:
      return "SECURED";
    case 0x7F:
      return "CARD_LOCKED";
    case 0xFF:
      return "TERMINATED";
    default:
      return fmt::format("{:02X}", value);
  }
}

std::string application_life_cycle_name(std::uint8_t value) {
  if (value == 0x03) return "INSTALLED";
  if (value == 0x07) return "SELECTABLE";
  if (value == 0x0F) return "PERSONALIZED";
  if ((value & 0x80) != 0) return "LOCKED";
  return fmt::format("{:02X}", value);
}

Result<std::string> read_chip_id(card::Reader& reader) {
  auto r = card::transmit_all(reader, card::CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  if (!r) {
    if (r.error().code == card::ReaderError::no_card)
      return make_error(EncodeError::no_card, "read chip serial: no card in the reader");
    return classify(r.error(), "read chip serial");
  }
  if (auto s = card::check(*r, "GET DATA CPLC"); !s) return classify(s.error(), "read chip serial");
  auto tlvs = card::parse_tlv(r->data);
  const card::Tlv* cplc = tlvs ? card::find_tlv(*tlvs, 0x9F7F) : nullptr;
  if (cplc == nullptr || cplc->value.size() < 18)
    return make_error(EncodeError::bad_card, "read chip serial: the CPLC is malformed");
  // IC fabricator, IC type, then the IC serial number.
  const card::ByteView value = cplc->value;
  return to_hex(value.subspan(0, 4), HexCase::upper) + to_hex(value.subspan(12, 4), HexCase::upper);
}

}  // namespace cardd::personalization
