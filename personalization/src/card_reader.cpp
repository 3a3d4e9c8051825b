#include "cardd/personalization/card_reader.h"

#include <fmt/format.h>

#include <set>

#include "card_keys.h"
#include "card_reading.h"
#include "cardd/card/apdu.h"
#include "cardd/common/hex.h"
#include "cardd/personalization/encoding_session.h"
#include "chip_values.h"

namespace cardd::personalization {
namespace {

Status decode_into(CardContents& out, const ElementSpec& e, card::ByteView value) {
  auto text = decode_chip_value(e.encoding, value);
  if (!text) return make_error(EncodeError::bad_card, e.item + ": " + text.error().message);
  out.items[e.item] = std::move(*text);
  return {};
}

Status read_record(card::Reader& reader, CardContents& out, const FileSpec& file, std::size_t n) {
  const RecordSpec& spec = file.records[n];
  auto r = card::transmit_all(reader, read_record_command(file, n));
  if (!r) return r.error();
  if (r->sw == card::sw::kRecordNotFound) return {};
  if (auto s = card::check(*r, "READ RECORD " + file.name); !s) return s;
  auto tlvs = card::parse_tlv(r->data);
  if (!tlvs || tlvs->size() != 1 || tlvs->front().tag != spec.tag)
    return make_error(EncodeError::bad_card,
                      "READ RECORD " + file.name + ": not the expected record");
  const card::Tlv& record = tlvs->front();
  if (!spec.constructed) return decode_into(out, spec.elements.front(), record.value);
  for (const auto& e : spec.elements)
    if (const card::Tlv* t = record.find(e.tag))
      if (auto s = decode_into(out, e, t->value); !s) return s;
  return {};
}

class CardReading {
 public:
  CardReading(card::Reader& reader, const CardProfile& profile, hsm::Hsm* hsm,
              std::string_view card_number)
      : reader_(reader), profile_(profile), hsm_(hsm), card_number_(card_number) {
    if (hsm_ != nullptr) keys_ = CardKeys::none(*hsm_);
  }

  Result<CardContents> run() {
    if (auto atr = reader_.connect(); !atr) return atr.error();
    auto chip = read_chip_id(reader_);
    if (!chip) return chip.error();
    out_.chip_id = *chip;
    for (const auto& app : profile_.applications)
      if (auto s = read_application(app); !s) return s.error();
    if (auto ext = out_.items.find("holder.name_extension"); ext != out_.items.end()) {
      out_.items["holder.name"] += ext->second;
      out_.items.erase(ext);
    }
    if (auto s = read_life_cycles(); !s) return s.error();
    return std::move(out_);
  }

 private:
  Status read_application(const ApplicationSpec& app) {
    auto selected =
        card::transmit_all(reader_, card::CommandApdu{0x00, 0xA4, 0x04, 0x00, app.aid, 256u});
    if (!selected) return selected.error();
    if (selected->sw == card::sw::kFileNotFound) return {};
    if (auto s = card::check(*selected, "SELECT " + app.name); !s) return s;
    std::set<std::uint8_t> proven;  // keys this selection has proved
    for (const auto& file : app.files) {
      auto open = open_for_reading(app, file, proven);
      if (!open) return open.error();
      if (!*open) continue;
      if (file.type == FileType::transparent && file.content) {
        auto content = read_transparent(reader_, file);
        if (!content) return content.error();
        if (!content->empty())
          if (auto s = decode_into(out_, *file.content, *content); !s) return s;
      }
      for (std::size_t n = 0; n < file.records.size(); ++n)
        if (auto s = read_record(reader_, out_, file, n); !s) return s;
    }
    return {};
  }

  // Whether the file can be read: free, or its key proved now. A file this
  // terminal cannot open is listed in `unread` with the reason.
  Result<bool> open_for_reading(const ApplicationSpec& app, const FileSpec& file,
                                std::set<std::uint8_t>& proven) {
    const AccessCondition& rule = file.access.read;
    using Kind = AccessCondition::Kind;
    if (rule.kind == Kind::free || (rule.kind == Kind::key && proven.contains(rule.key)))
      return true;
    if (rule.kind != Kind::key) {
      out_.unread.push_back(
          file.name + (rule.kind == Kind::pin ? ": needs the holder's PIN" : ": never readable"));
      return false;
    }
    const std::string needs =
        fmt::format("{}: needs the key \"{}\" ({:02X})", file.name, rule.role, rule.key);
    if (hsm_ == nullptr) {
      out_.unread.push_back(needs + ": no HSM");
      return false;
    }
    const std::string number = card_number();
    if (number.empty())
      return make_error(EncodeError::bad_card, needs + ": the card number was not read first");
    if (!keys_->has_app_key(app.name, rule.key)) {
      for (const auto& key : app.keys)
        if (key.reference == rule.key)
          if (auto s = keys_->add_application_key(*hsm_, profile_, app, key, number); !s)
            return Error{s.error().code,
                         needs + " (" + key.master_key + " in the HSM): " + s.error().message};
    }
    if (auto s = authenticate_terminal(reader_, *hsm_, keys_->app_key(app.name, rule.key), rule.key,
                                       profile_.block_size());
        !s)
      return Error{s.error().code, needs + ": " + s.error().message};
    proven.insert(rule.key);
    return true;
  }

  std::string card_number() const {
    if (!card_number_.empty()) return card_number_;
    const auto it = out_.items.find("card.number");
    return it == out_.items.end() ? std::string() : it->second;
  }

  Status read_life_cycles() {
    if (hsm_ == nullptr) {
      out_.life_cycle = "UNKNOWN (needs the card manager's keys)";
      return {};
    }
    auto cycles = personalization::read_life_cycles(reader_, *hsm_, profile_);
    if (!cycles) {
      if (cycles.error().code == EncodeError::hsm_failure) {
        out_.life_cycle = "UNKNOWN (" + cycles.error().message + ")";
        return {};
      }
      return cycles.error();
    }
    out_.life_cycle = card_life_cycle_name(cycles->card);
    for (const auto& [name, value] : cycles->applications)
      out_.application_life_cycles[name] = application_life_cycle_name(value);
    return {};
  }

  card::Reader& reader_;
  const CardProfile& profile_;
  hsm::Hsm* hsm_;
  std::string card_number_;
  std::optional<CardKeys> keys_;
  CardContents out_;
};

}  // namespace

Result<CardContents> read_card(card::Reader& reader, const CardProfile& profile, hsm::Hsm* hsm,
                               std::string_view card_number) {
  return CardReading(reader, profile, hsm, card_number).run();
}

}  // namespace cardd::personalization
