#include "card_reading.h"

#include <fmt/format.h>

#include "cardd/card/apdu.h"
#include "cardd/personalization/encoding_session.h"

namespace cardd::personalization {

card::CommandApdu read_record_command(const FileSpec& file, std::size_t n) {
  const bool by_tag = file.addressing == Addressing::tag;
  const auto p1 = static_cast<std::uint8_t>(by_tag ? file.records[n].tag : n + 1);
  const auto p2 = static_cast<std::uint8_t>(file.sfi << 3 | (by_tag ? 0x00 : 0x04));
  return card::CommandApdu{0x00, 0xB2, p1, p2, {}, 256u};
}

Result<card::Bytes> read_transparent(card::Reader& reader, const FileSpec& file) {
  const card::Bytes fid = {static_cast<std::uint8_t>(file.fid >> 8),
                           static_cast<std::uint8_t>(file.fid)};
  auto selected =
      card::transmit_all(reader, card::CommandApdu{0x00, 0xA4, 0x02, 0x0C, fid, std::nullopt});
  if (!selected) return selected.error();
  if (auto s = card::check(*selected, "SELECT " + file.name); !s) return s.error();
  card::Bytes content;
  constexpr std::size_t kPiece = 256;
  while (content.size() < 32768) {
    auto r =
        card::transmit_all(reader, card::CommandApdu{0x00,
                                                     0xB0,
                                                     static_cast<std::uint8_t>(content.size() >> 8),
                                                     static_cast<std::uint8_t>(content.size()),
                                                     {},
                                                     static_cast<std::uint32_t>(kPiece)});
    if (!r) return r.error();
    if (r->sw == card::StatusWord{0x6282}) break;  // end of file reached
    if (auto s = card::check(*r, "READ BINARY " + file.name); !s) return s.error();
    content.insert(content.end(), r->data.begin(), r->data.end());
    if (r->data.size() < kPiece) break;
  }
  return content;
}

Status authenticate_terminal(card::Reader& reader, hsm::Hsm& hsm, const std::string& key,
                             std::uint8_t reference, std::size_t block) {
  auto challenge = card::transmit_all(reader, card::CommandApdu{0x00, 0x84, 0x00, 0x00, {}, 8u});
  if (!challenge) return challenge.error();
  if (auto s = card::check(*challenge, "GET CHALLENGE"); !s) return s;
  card::Bytes padded = challenge->data;
  padded.resize(block, 0x00);
  auto cryptogram = hsm.encrypt(key, hsm::CipherMode::ecb, {}, padded);
  if (!cryptogram) return cryptogram.error();
  auto r = card::transmit_all(
      reader, card::CommandApdu{0x00, 0x82, 0x00, reference, *cryptogram, std::nullopt});
  if (!r) return r.error();
  if (!r->sw.ok())
    return make_error(
        EncodeError::key_proof_failed,
        fmt::format("EXTERNAL AUTHENTICATE with key {:02X}: {}", reference, r->sw.to_string()));
  return {};
}

}  // namespace cardd::personalization
