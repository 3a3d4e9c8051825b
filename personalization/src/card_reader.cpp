#include "cardd/personalization/card_reader.h"

#include "card_reading.h"
#include "cardd/card/apdu.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/personalization/secure_channel.h"
#include "chip_values.h"

namespace cardd::personalization {
namespace {

const card::Bytes kIsdAid = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

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

}  // namespace

Result<CardContents> read_card(card::Reader& reader, const CardProfile& profile) {
  if (auto atr = reader.connect(); !atr) return atr.error();
  CardContents out;
  auto chip = read_chip_id(reader);
  if (!chip) return chip.error();
  out.chip_id = *chip;
  for (const auto& app : profile.applications) {
    auto selected =
        card::transmit_all(reader, card::CommandApdu{0x00, 0xA4, 0x04, 0x00, app.aid, 256u});
    if (!selected) return selected.error();
    if (selected->sw == card::sw::kFileNotFound) continue;
    if (auto s = card::check(*selected, "SELECT " + app.name); !s) return s.error();
    for (const auto& file : app.files) {
      if (file.type == FileType::transparent && file.content) {
        auto content = read_transparent(reader, file);
        if (!content) return content.error();
        if (!content->empty())
          if (auto s = decode_into(out, *file.content, *content); !s) return s.error();
      }
      for (std::size_t n = 0; n < file.records.size(); ++n)
        if (auto s = read_record(reader, out, file, n); !s) return s.error();
    }
  }
  if (auto ext = out.items.find("holder.name_extension"); ext != out.items.end()) {
    out.items["holder.name"] += ext->second;
    out.items.erase(ext);
  }
  auto isd = card::transmit_all(reader, card::CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsdAid, 256u});
  if (!isd) return isd.error();
  // INITIALIZE UPDATE without EXTERNAL AUTHENTICATE changes nothing on the
  // card; its answer tells whether personalization is still open.
  auto iu = card::transmit_all(reader, initialize_update_command(0x00, card::Bytes(8, 0x00)));
  if (!iu) return iu.error();
  out.life_cycle = iu->sw == card::sw::kConditionsNotSatisfied  ? "SECURED"
                   : iu->sw == card::sw::kAuthenticationBlocked ? "BLOCKED"
                   : iu->sw.ok()                                ? "INITIALIZED"
                                 : "UNKNOWN (" + iu->sw.to_string() + ")";
  return out;
}

}  // namespace cardd::personalization
