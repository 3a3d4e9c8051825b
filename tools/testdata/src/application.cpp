#include "application.h"

#include <cstdio>
#include <string_view>

#include "id_numbers.h"
#include "json_writer.h"
#include "names.h"
#include "places.h"

namespace cardd::testdata {
namespace {

std::string random_time_2026(Prng& rng, const std::string& utc_offset) {
  // Before 2026-11-01, so never in the future; office-ish local hours.
  Date day = random_date(rng, 2026, 2026);
  while (day.month > 10) day = random_date(rng, 2026, 2026);
  // One draw per statement: the order of a call's arguments is the
  // compiler's choice, and a seed must give the same applications with any.
  const int second = rng.range(0, 59);
  const int minute = rng.range(0, 59);
  const int hour = rng.range(7, 22);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d%s", iso_date(day).c_str(), hour, minute, second,
                utc_offset.c_str());
  return buf;
}

int age_on(Date birth, Date day) {
  int age = day.year - birth.year;
  if (day.month < birth.month || (day.month == birth.month && day.day < birth.day)) --age;
  return age;
}

const std::string& pick_image(Prng& rng, const std::vector<std::string>& images) {
  return images[static_cast<std::size_t>(rng.below(images.size()))];
}

// The first channel whose cumulative share covers `roll` (the last catches rounding).
const ChannelShare& pick_channel(const RegionPlaces& places, double roll) {
  double cumulative = 0;
  for (const auto& c : places.channels) {
    cumulative += c.share;
    if (roll < cumulative) return c;
  }
  return places.channels.back();
}

}  // namespace

Application make_valid_application(Prng& rng, const RegionPlaces& places, const ImagePool& pool,
                                   std::string application_id) {
  Application app;
  app.application_id = std::move(application_id);

  const ChannelShare& channel = pick_channel(places, rng.unit());
  app.channel = channel.channel;
  app.collection = channel.branch && rng.chance(0.4) ? "branch" : "mail";
  app.include_recipient = app.collection == "mail";
  app.submitted_at = random_time_2026(rng, places.utc_offset);

  const bool male = rng.chance(0.48);
  PersonName name = make_person_name(rng, !male);
  app.name = name.text;
  app.surname = name.surname;
  app.ethnicity = name.ethnicity;

  const Date birth = random_date(rng, 1940, 1966);
  const IdNumber id = make_id_number(rng, places, birth, male);
  app.id_type = "resident_id";
  app.id_number = id.text;
  app.gender = male ? "male" : "female";
  app.birth_date = iso_date(birth);

  // Cards issued from 2005 on; from 46 years of age they never expire, before
  // that they run 20 years (and a card that would have expired by now was
  // renewed ten years later).
  Date from{rng.range(2005, 2024), rng.range(1, 12), rng.range(1, 28)};
  if (age_on(birth, from) < 46 && from.year < 2007) from.year += 10;
  app.id_valid_from = iso_date(from);
  app.id_valid_to =
      age_on(birth, from) >= 46 ? "长期" : iso_date(Date{from.year + 20, from.month, from.day});

  app.nationality = "CHN";
  app.occupation = "retired";
  const std::span<const PlaceDistrict> districts(places.districts);
  const PlaceDistrict& home = rng.pick(districts);
  app.residence_district = home.code;
  app.residence_address = make_address(rng, places, home);
  app.mobile = make_mobile(rng);

  const std::span<const std::string> banks(places.banks);
  const std::string_view bank = rng.pick(banks);
  const PlaceDistrict& branch_district = rng.chance(0.8) ? home : rng.pick(districts);
  app.pension_bank = std::string(bank);
  app.pension_branch = make_branch(rng, bank, branch_district.code);
  app.first_application = rng.chance(0.95);
  app.issuing_bank = app.pension_bank;
  app.issuing_branch = app.pension_branch;
  if (!app.first_application && rng.chance(0.5)) {
    // A replacement card may move to another bank near home.
    const std::string_view other = rng.pick(banks);
    app.issuing_bank = std::string(other);
    app.issuing_branch = make_branch(rng, other, home.code);
  }

  // Mostly mailed to the holder at home, sometimes to a son or daughter.
  Recipient& r = app.recipient;
  const bool to_child = name.kind == NameKind::han && rng.chance(0.25);
  r.name = to_child ? make_relative_name(rng, name.surname) : app.name;
  r.mobile = to_child || rng.chance(0.2) ? make_mobile(rng) : app.mobile;
  const PlaceDistrict& mail_district = rng.chance(0.85) ? home : rng.pick(districts);
  r.district = mail_district.code;
  r.postal_code = mail_district.postal_code;
  r.address = &mail_district == &home && rng.chance(0.9) ? app.residence_address
                                                         : make_address(rng, places, mail_district);

  app.photo = &pick_image(rng, pool.photos);
  app.id_front = &pick_image(rng, pool.id_fronts);
  app.id_back = &pick_image(rng, pool.id_backs);
  return app;
}

std::string to_json(const Application& app) {
  std::string out;
  out.reserve(app.photo->size() + app.id_front->size() + app.id_back->size() + 2048);
  JsonObjectWriter w(out);
  w.string("application_id", app.application_id);
  w.string("channel", app.channel);
  w.string("submitted_at", app.submitted_at);
  w.string("name", app.name);
  w.string("id_type", app.id_type);
  w.string("id_number", app.id_number);
  w.string("id_valid_from", app.id_valid_from);
  w.string("id_valid_to", app.id_valid_to);
  w.string("gender", app.gender);
  w.string("birth_date", app.birth_date);
  w.string("nationality", app.nationality);
  w.string("ethnicity", app.ethnicity);
  w.string("occupation", app.occupation);
  w.string("residence_district", app.residence_district);
  w.string("residence_address", app.residence_address);
  w.string("mobile", app.mobile);
  w.string("issuing_bank", app.issuing_bank);
  w.string("issuing_branch", app.issuing_branch);
  w.string("pension_bank", app.pension_bank);
  w.string("pension_branch", app.pension_branch);
  w.boolean("first_application", app.first_application);
  w.string("collection", app.collection);
  if (app.include_recipient) {
    w.begin_object("recipient");
    w.string("name", app.recipient.name);
    w.string("mobile", app.recipient.mobile);
    w.string("district", app.recipient.district);
    w.string("postal_code", app.recipient.postal_code);
    w.string("address", app.recipient.address);
    w.end_object();
  }
  w.string("photo", *app.photo);
  w.string("id_front", *app.id_front);
  w.string("id_back", *app.id_back);
  w.begin_object("consents");
  w.boolean("disclaimer_agreed", app.disclaimer_agreed);
  w.boolean("declaration_agreed", app.declaration_agreed);
  w.end_object();
  w.finish();
  return out;
}

}  // namespace cardd::testdata
