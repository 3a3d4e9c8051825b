#include "personal_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "cardd/db/error.h"

namespace cardd::db {
namespace {

using nlohmann::json;

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Sealed binary values (images) are kept as they are; a missing one stays
// empty rather than sealing nothing.
Result<std::string> seal_if_any(Sealer& sealer, std::string_view plain, std::string_view ad) {
  if (plain.empty()) return std::string();
  return sealer.seal(plain, ad);
}

Result<std::string> open_if_any(Sealer& sealer, std::string_view sealed, std::string_view ad) {
  if (sealed.empty()) return std::string();
  return sealer.open(sealed, ad);
}

}  // namespace

std::string associated_data(std::string_view table, std::string_view column, std::string_view row) {
  return fmt::format("cardd/{}/{}/{}", table, column, row);
}

Error no_sealer() {
  return make_error(DbError::no_sealer,
                    "this store was opened without a sealer: personal data can be neither stored "
                    "nor read (open it with the HSM's storage keys)");
}

std::string details_to_json(const ApplicationDetails& d) {
  json j = {{"channel", d.channel},
            {"submitted_at", d.submitted_at},
            {"id_type", d.id_type},
            {"id_valid_from", d.id_valid_from},
            {"id_valid_to", d.id_valid_to},
            {"gender", d.female ? "female" : "male"},
            {"birth_date", d.birth_date.to_iso()},
            {"nationality", d.nationality},
            {"ethnicity", d.ethnicity},
            {"occupation", d.occupation},
            {"residence_district", d.residence_district},
            {"issuing_bank", d.issuing_bank},
            {"issuing_branch", d.issuing_branch},
            {"pension_bank", d.pension_bank},
            {"pension_branch", d.pension_branch},
            {"first_application", d.first_application},
            {"collection", to_string(d.collection)}};
  if (d.collection == CollectionMethod::mail)
    j["recipient"] = {{"district", d.recipient_district}, {"postal_code", d.recipient_postal_code}};
  return j.dump();
}

Result<ApplicationDetails> details_from_json(std::string_view text_json) {
  const json j = json::parse(text_json, nullptr, false);
  if (!j.is_object()) return make_error(DbError::corrupt, "application details are not JSON");
  ApplicationDetails d;
  d.channel = text(j, "channel");
  d.submitted_at = text(j, "submitted_at");
  d.id_type = text(j, "id_type");
  d.id_valid_from = text(j, "id_valid_from");
  d.id_valid_to = text(j, "id_valid_to");
  d.female = text(j, "gender") == "female";
  const auto birth = CivilDate::parse_iso(text(j, "birth_date"));
  if (!birth) return make_error(DbError::corrupt, "application details without a birth date");
  d.birth_date = *birth;
  d.nationality = text(j, "nationality");
  d.ethnicity = text(j, "ethnicity");
  d.occupation = text(j, "occupation");
  d.residence_district = text(j, "residence_district");
  d.issuing_bank = text(j, "issuing_bank");
  d.issuing_branch = text(j, "issuing_branch");
  d.pension_bank = text(j, "pension_bank");
  d.pension_branch = text(j, "pension_branch");
  d.first_application = j.value("first_application", false);
  d.collection = collection_from_string(text(j, "collection")).value_or(CollectionMethod::unknown);
  if (const auto r = j.find("recipient"); r != j.end() && r->is_object()) {
    d.recipient_district = text(*r, "district");
    d.recipient_postal_code = text(*r, "postal_code");
  }
  return d;
}

Result<std::vector<RejectionReason>> rejection_from_json(std::string_view text_json) {
  std::vector<RejectionReason> out;
  if (text_json.empty()) return out;
  const json j = json::parse(text_json, nullptr, false);
  if (!j.is_array()) return make_error(DbError::corrupt, "rejection reasons are not JSON");
  for (const auto& e : j)
    if (e.is_object()) out.push_back({text(e, "field"), text(e, "code"), text(e, "message")});
  return out;
}

std::string id_number_tail(std::string_view id_number) {
  std::string tail(id_number.substr(id_number.size() - std::min(id_number.size(), kIdTailLength)));
  std::transform(tail.begin(), tail.end(), tail.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return tail;
}

Result<SealedPersonal> seal_personal(Sealer& sealer, std::string_view id, const PersonalData& p) {
  const json j = {{"name", p.name},
                  {"id_number", p.id_number},
                  {"mobile", p.mobile},
                  {"residence_address", p.residence_address},
                  {"recipient_name", p.recipient_name},
                  {"recipient_mobile", p.recipient_mobile},
                  {"recipient_address", p.recipient_address}};
  SealedPersonal s;
  auto personal = sealer.seal(j.dump(), associated_data("applications", "personal", id));
  if (!personal) return personal.error();
  s.personal = std::move(*personal);
  for (const auto& [plain, out, column] :
       {std::tuple{&p.photo, &s.photo, "photo"}, std::tuple{&p.id_front, &s.id_front, "id_front"},
        std::tuple{&p.id_back, &s.id_back, "id_back"}}) {
    auto sealed = seal_if_any(sealer, *plain, associated_data("application_images", column, id));
    if (!sealed) return sealed.error();
    *out = std::move(*sealed);
  }
  auto id_hash = sealer.keyed_hash(kHashIdNumber, p.id_number);
  if (!id_hash) return id_hash.error();
  auto name_hash = sealer.keyed_hash(kHashName, p.name);
  if (!name_hash) return name_hash.error();
  auto tail_hash = sealer.keyed_hash(kHashIdTail, id_number_tail(p.id_number));
  if (!tail_hash) return tail_hash.error();
  s.id_number_hash = std::move(*id_hash);
  s.name_hash = std::move(*name_hash);
  s.id_tail_hash = std::move(*tail_hash);
  return s;
}

Result<PersonalData> open_personal(Sealer& sealer, std::string_view id, const SealedPersonal& s) {
  auto personal = sealer.open(s.personal, associated_data("applications", "personal", id));
  if (!personal) return personal.error();
  const json j = json::parse(*personal, nullptr, false);
  if (!j.is_object()) return make_error(DbError::corrupt, "personal data are not JSON");
  PersonalData p;
  p.name = text(j, "name");
  p.id_number = text(j, "id_number");
  p.mobile = text(j, "mobile");
  p.residence_address = text(j, "residence_address");
  p.recipient_name = text(j, "recipient_name");
  p.recipient_mobile = text(j, "recipient_mobile");
  p.recipient_address = text(j, "recipient_address");
  for (const auto& [sealed, out, column] :
       {std::tuple{&s.photo, &p.photo, "photo"}, std::tuple{&s.id_front, &p.id_front, "id_front"},
        std::tuple{&s.id_back, &p.id_back, "id_back"}}) {
    auto plain = open_if_any(sealer, *sealed, associated_data("application_images", column, id));
    if (!plain) return plain.error();
    *out = std::move(*plain);
  }
  return p;
}

Result<std::string> seal_prepared(Sealer& sealer, std::string_view id, const PreparedRecord& r) {
  const json j = {{"pan", r.pan}, {"name", r.name}, {"id_number", r.id_number}, {"data", r.data}};
  return sealer.seal(j.dump(), associated_data("prepared_cards", "data", id));
}

Status open_prepared(Sealer& sealer, std::string_view id, std::string_view sealed,
                     PreparedRecord& r) {
  auto plain = sealer.open(sealed, associated_data("prepared_cards", "data", id));
  if (!plain) return plain.error();
  const json j = json::parse(*plain, nullptr, false);
  if (!j.is_object()) return make_error(DbError::corrupt, "prepared record is not JSON");
  r.pan = text(j, "pan");
  r.name = text(j, "name");
  r.id_number = text(j, "id_number");
  r.data = text(j, "data");
  return {};
}

}  // namespace cardd::db
