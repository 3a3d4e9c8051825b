// Each branch breaks one rule and leaves every other rule intact, so the
// validator reports exactly the one expected code.
#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include "application.h"
#include "id_numbers.h"
#include "names.h"
#include "places.h"

namespace cardd::testdata {
namespace {

const std::string& pick_image(Prng& rng, const std::vector<std::string>& images) {
  return images[static_cast<std::size_t>(rng.below(images.size()))];
}

Date parse_iso(const std::string& iso) {
  Date d;
  std::sscanf(iso.c_str(), "%d-%d-%d", &d.year, &d.month, &d.day);
  return d;
}

void wrong_check_character(Prng& rng, Application& app) {
  std::string& id = app.id_number;
  const char right = id_check_character(id.substr(0, 17));
  static constexpr std::string_view kChars = "0123456789X";
  char wrong = right;
  while (wrong == right) wrong = kChars[static_cast<std::size_t>(rng.below(kChars.size()))];
  id[17] = wrong;
}

void other_birth_date(Prng& rng, Application& app) {
  // Another real day, still 1940–1966 (a typo, not an absurd date).
  const Date birth = parse_iso(app.birth_date);
  long long shift = static_cast<long long>(rng.range(1, 400));
  Date other = civil_from_days(days_from_civil(birth) + shift);
  if (other.year > 1966) other = civil_from_days(days_from_civil(birth) - shift);
  app.birth_date = iso_date(other);
}

std::string bad_mobile(Prng& rng, const std::string& good) {
  switch (rng.below(4)) {
    case 0:
      return "12345678901";
    case 1:
      return good.substr(0, 10);  // a digit short
    case 2:
      return "12" + good.substr(2);  // no such carrier prefix
    default:
      return good + std::to_string(rng.below(10));  // a digit too many
  }
}

void insert_digit_in_name(Prng& rng, Application& app) {
  // After the first character: every name has at least two.
  const std::size_t at = code_point_offset(app.name, 1);
  app.name.insert(at, 1, static_cast<char>('0' + rng.below(10)));
}

std::string random_time_2099(Prng& rng, const std::string& utc_offset) {
  // One draw per statement, so any compiler draws in the same order.
  const int second = rng.range(0, 59);
  const int minute = rng.range(0, 59);
  const int hour = rng.range(0, 23);
  const int day = rng.range(1, 28);
  const int month = rng.range(1, 12);
  char buf[40];
  std::snprintf(buf, sizeof buf, "2099-%02d-%02dT%02d:%02d:%02d%s", month, day, hour, minute,
                second, utc_offset.c_str());
  return buf;
}

// A channel whose applicants cannot collect at a branch (the loader makes
// sure there is one); two draws as with two such channels before.
const std::string& mail_only_channel(Prng& rng, const RegionPlaces& places) {
  std::vector<const std::string*> mail_only;
  for (const auto& c : places.channels)
    if (!c.branch) mail_only.push_back(&c.channel);
  const bool first = rng.chance(0.5);
  return *mail_only[first || mail_only.size() == 1 ? 0 : 1];
}

}  // namespace

void break_rule(Prng& rng, const RegionPlaces& places, const ImagePool& pool,
                const std::string& kind, Application& app) {
  if (kind == "id_number.checksum") {
    wrong_check_character(rng, app);
  } else if (kind == "id_number.birth_date_mismatch") {
    other_birth_date(rng, app);
  } else if (kind == "gender.mismatch") {
    app.gender = app.gender == "male" ? "female" : "male";
  } else if (kind == "photo.dimensions") {
    app.photo = &pick_image(rng, pool.wrong_dimensions);
  } else if (kind == "photo.too_small") {
    app.photo = &pick_image(rng, pool.too_small);
  } else if (kind == "photo.not_jpeg") {
    app.photo = &pick_image(rng, pool.not_jpeg);
  } else if (kind == "photo.colour_space") {
    app.photo = &pick_image(rng, pool.greyscale);
  } else if (kind == "mobile.format") {
    app.mobile = bad_mobile(rng, app.mobile);
  } else if (kind == "recipient.missing") {
    app.collection = "mail";
    app.include_recipient = false;
  } else if (kind == "collection.not_allowed_for_channel") {
    app.channel = mail_only_channel(rng, places);
    app.collection = "branch";
    app.include_recipient = false;
  } else if (kind == "issuing_bank.must_equal_pension_bank") {
    app.first_application = true;
    app.issuing_branch = app.pension_branch;
    const std::span<const std::string> banks(places.banks);
    std::string_view other = app.pension_bank;
    while (other == app.pension_bank) other = rng.pick(banks);
    app.issuing_bank = std::string(other);
  } else if (kind == "name.invalid_character") {
    insert_digit_in_name(rng, app);
  } else if (kind == "residence_district.unknown_value") {
    app.residence_district = rng.pick(std::span<const std::string>(places.unknown_districts));
  } else if (kind == "consents.declaration_not_agreed") {
    app.declaration_agreed = false;
  } else if (kind == "submitted_at.in_future") {
    app.submitted_at = random_time_2099(rng, places.utc_offset);
  } else if (kind == "id_type.unsupported") {
    app.id_type = "hk_macao_permit";
  } else if (kind == "recipient.postal_code.format") {
    app.collection = "mail";
    app.include_recipient = true;
    app.recipient.postal_code = rng.pick(std::span<const std::string>(places.bad_postal_codes));
  }
}

}  // namespace cardd::testdata
