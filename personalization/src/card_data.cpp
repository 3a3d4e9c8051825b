#include "cardd/personalization/card_data.h"
#include "cardd/common/error_category.h"
#include "cardd/common/hex.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "chip_photo.h"
#include "chip_values.h"

namespace cardd::personalization {
namespace {

std::string_view to_string(PrepareError e) {
  switch (e) {
    case PrepareError::unencodable_text:
      return "unencodable_text";
    case PrepareError::too_long:
      return "too_long";
    case PrepareError::unknown_bank:
      return "unknown_bank";
    case PrepareError::bad_value:
      return "bad_value";
    case PrepareError::bad_record:
      return "bad_record";
  }
  return {};
}

bool leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

CivilDate add_years(CivilDate d, int years) {
  d.year += years;
  if (d.month == 2 && d.day == 29 && !leap_year(d.year)) d.day = 28;
  return d;
}

CivilDate day_before(CivilDate d) {
  if (d.day > 1) {
    --d.day;
    return d;
  }
  if (d.month == 1) return CivilDate{d.year - 1, 12, 31};
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  d.month = d.month - 1;
  d.day = d.month == 2 && leap_year(d.year) ? 29 : kDays[d.month - 1];
  return d;
}

CivilDate expiry_date(const IssuerSpec& issuer, CivilDate issue) {
  const CivilDate anniversary = add_years(issue, issuer.validity_years);
  return issuer.expiry == ExpiryRule::day_before ? day_before(anniversary) : anniversary;
}

std::string yymmdd(const CivilDate& d) { return compact_date(d).substr(2); }

const ElementSpec* find_element(const CardProfile& profile, std::string_view item) {
  for (const auto& app : profile.applications)
    for (const auto& file : app.files) {
      if (file.content && file.content->item == item) return &*file.content;
      for (const auto& rec : file.records)
        for (const auto& el : rec.elements)
          if (el.item == item) return &el;
    }
  return nullptr;
}

// Splits a name at a character boundary so that the first part fits
// `first_bytes` of GB 18030 (the name record) and the rest goes to the
// extension record.
Result<std::pair<std::string, std::string>> split_name(std::string_view name,
                                                       std::size_t first_bytes) {
  std::size_t used = 0, cut = 0;
  for (std::size_t i = 0; i < name.size();) {
    // The name is validated UTF-8: the lead byte gives the sequence length.
    const auto lead = static_cast<std::uint8_t>(name[i]);
    const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    auto bytes = to_gb18030(name.substr(i, n));
    if (!bytes)
      return make_error(
          PrepareError::unencodable_text,
          fmt::format("character {} of the name cannot be encoded in GB 18030", i + 1));
    if (used + bytes->size() > first_bytes) break;
    used += bytes->size();
    i += n;
    cut = i;
  }
  return std::pair{std::string(name.substr(0, cut)), std::string(name.substr(cut))};
}

}  // namespace

const std::error_category& prepare_category() {
  static const ErrorCategory<PrepareError> c("prepare", to_string);
  return c;
}

char luhn_check_digit(std::string_view digits) {
  int sum = 0;
  bool twice = true;  // the rightmost payload digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

char card_number_check_character(std::string_view eight) {
  static constexpr int kWeights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < eight.size() && i < 8; ++i) {
    const char c = eight[i];
    sum += kWeights[i] * (c <= '9' ? c - '0' : c - 'A' + 10);
  }
  const int check = 11 - sum % 11;
  return check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
}

std::string format_card_number(const IssuerSpec& issuer, std::int64_t counter) {
  const std::string eight =
      fmt::format("{}{:0{}}", issuer.card_number_prefix, counter, issuer.card_number_digits());
  return eight + card_number_check_character(eight);
}

std::string make_pan(const BankSpec& bank, std::int64_t account) {
  const std::string payload = fmt::format("{}{:0{}}", bank.bin, account, bank.account_digits);
  return payload + luhn_check_digit(payload);
}

Result<card::Bytes> card_identification_code(const IssuerSpec& issuer, card::ByteView chip_id) {
  auto region = encode_chip_value(Encoding::cn, 3, issuer.region_code);
  if (!region || issuer.region_code.size() != 6 || chip_id.size() != 8)
    return make_error(PrepareError::bad_value,
                      "the identification code needs a 6-digit region code and an 8-byte CHIP ID");
  card::Bytes code = std::move(*region);
  code.insert(code.end(), issuer.identification_rid.begin(), issuer.identification_rid.end());
  if (issuer.identification_tail == IdentificationTail::ic_serial) {
    code.insert(code.end(), 4, 0x00);
    code.insert(code.end(), chip_id.begin() + 4, chip_id.end());
  } else {
    code.insert(code.end(), chip_id.begin(), chip_id.end());
  }
  return code;
}

Result<PreparedCard> prepare_card(const CardProfile& profile, const HolderData& holder,
                                  std::string card_number, std::string pan, CivilDate issue_date) {
  PreparedCard card;
  card.profile = profile.name;
  card.card_number = std::move(card_number);
  card.pan = std::move(pan);
  card.issue_date = issue_date;
  card.expiry_date = expiry_date(profile.issuer, issue_date);

  std::string name = holder.name, extension;
  if (const ElementSpec* ext = find_element(profile, "holder.name_extension"); ext != nullptr) {
    const ElementSpec* first = find_element(profile, "holder.name");
    auto parts = split_name(holder.name, first != nullptr ? first->length : 0);
    if (!parts) return parts.error();
    std::tie(name, extension) = std::move(*parts);
  }
  // 出生地: the region of the ID number's first six digits (GB/T 2260).
  const std::string birth_place = holder.id_number.substr(0, 6);
  const std::map<std::string_view, std::string> text = {
      {"card.type", profile.issuer.card_type},
      {"card.spec_version", profile.issuer.spec_version},
      {"card.issuer_org", profile.issuer.issuer_org},
      {"card.issue_date", compact_date(card.issue_date)},
      {"card.expiry_date", compact_date(card.expiry_date)},
      {"card.number", card.card_number},
      {"holder.ssn", holder.id_number},
      {"holder.name", name},
      {"holder.name_extension", extension},
      {"holder.gender", holder.female ? "2" : "1"},
      {"holder.ethnicity", holder.ethnicity},
      {"holder.birth_place", birth_place},
      {"holder.birth_date", compact_date(holder.birth_date)},
      {"fin.pan", card.pan},
      {"fin.expiry", yymmdd(card.expiry_date)},
      {"fin.effective", yymmdd(card.issue_date)},
      {"fin.service_code", "0" + profile.issuer.service_code},
      {"fin.name", holder.name},
  };
  for (const auto& [item, value] : text) {
    const ElementSpec* spec = find_element(profile, item);
    if (spec == nullptr || value.empty()) continue;
    auto bytes = encode_chip_value(spec->encoding, spec->length, value, spec->pad);
    if (!bytes)
      return make_error(static_cast<PrepareError>(bytes.error().code.value()),
                        std::string(item) + ": " + bytes.error().message);
    card.items.emplace(std::string(item), std::move(*bytes));
  }
  if (const ElementSpec* spec = find_element(profile, "holder.photo"); spec != nullptr) {
    auto photo = photo_for_chip(holder.photo, spec->length);
    if (!photo) return photo.error();
    card.items.emplace("holder.photo", std::move(*photo));
  }
  return card;
}

std::string to_json(const PreparedCard& card) {
  nlohmann::json items = nlohmann::json::object();
  for (const auto& [name, bytes] : card.items) items[name] = to_hex(bytes, HexCase::upper);
  return nlohmann::json{{"profile", card.profile},
                        {"card_number", card.card_number},
                        {"pan", card.pan},
                        {"issue_date", card.issue_date.to_iso()},
                        {"expiry_date", card.expiry_date.to_iso()},
                        {"items", items}}
      .dump();
}

Result<PreparedCard> prepared_card_from_json(std::string_view json) {
  const auto bad = [] {
    return make_error(PrepareError::bad_record, "unreadable prepared record");
  };
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad();
  try {
    PreparedCard card;
    card.profile = j.at("profile").get<std::string>();
    card.card_number = j.at("card_number").get<std::string>();
    card.pan = j.at("pan").get<std::string>();
    auto issue = CivilDate::parse_iso(j.at("issue_date").get<std::string>());
    auto expiry = CivilDate::parse_iso(j.at("expiry_date").get<std::string>());
    if (!issue || !expiry) return bad();
    card.issue_date = *issue;
    card.expiry_date = *expiry;
    for (const auto& [name, hex_value] : j.at("items").items()) {
      auto bytes = from_hex(hex_value.get<std::string>());
      if (!bytes) return bad();
      card.items.emplace(name, std::move(*bytes));
    }
    return card;
  } catch (const std::exception&) {
    return bad();
  }
}

}  // namespace cardd::personalization
