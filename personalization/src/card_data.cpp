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

CivilDate add_years(CivilDate d, int years) {
  d.year += years;
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.month == 2 && d.day == 29 && !leap) d.day = 28;
  return d;
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

char mod37_36_check_character(std::string_view text) {
  constexpr int m = 36;
  const auto value = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
  int p = m;
  for (const char c : text) {
    int s = (p + value(c)) % m;
    if (s == 0) s = m;
    p = (s * 2) % (m + 1);
  }
  const int check = (m + 1 - p) % m;
  return static_cast<char>(check < 10 ? '0' + check : 'A' + check - 10);
}

std::string format_card_number(const IssuerSpec& issuer, std::int64_t counter) {
  return fmt::format("{}{:0{}}", issuer.card_number_prefix, counter, issuer.card_number_digits());
}

std::string make_pan(const BankSpec& bank, std::int64_t account) {
  const std::string payload = fmt::format("{}{:0{}}", bank.bin, account, bank.account_digits);
  return payload + luhn_check_digit(payload);
}

std::string card_identification_code(const IssuerSpec& issuer, card::ByteView chip_id) {
  std::string code =
      issuer.region_code + "156" + issuer.card_type + issuer.spec_version + issuer.vendor_code;
  code += to_hex(chip_id, HexCase::upper);
  return code + mod37_36_check_character(code);
}

Result<PreparedCard> prepare_card(const CardProfile& profile, const HolderData& holder,
                                  std::string card_number, std::string pan, CivilDate issue_date) {
  PreparedCard card;
  card.profile = profile.name;
  card.card_number = std::move(card_number);
  card.pan = std::move(pan);
  card.issue_date = issue_date;
  card.expiry_date = add_years(issue_date, profile.issuer.validity_years);

  std::string name = holder.name, extension;
  if (const ElementSpec* ext = find_element(profile, "holder.name_extension"); ext != nullptr) {
    const ElementSpec* first = find_element(profile, "holder.name");
    auto parts = split_name(holder.name, first != nullptr ? first->length : 0);
    if (!parts) return parts.error();
    std::tie(name, extension) = std::move(*parts);
  }
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
    auto bytes = encode_chip_value(spec->encoding, spec->length, value);
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
