// The fields of one generated application before it is written as JSON, and
// the two steps that produce it: a valid application, then (optionally) one
// broken rule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cardd/testdata/region_places.h"
#include "prng.h"

namespace cardd::testdata {

struct Recipient {
  std::string name;
  std::string mobile;
  std::string district;
  std::string postal_code;
  std::string address;
};

struct Application {
  std::string application_id;
  std::string channel;
  std::string submitted_at;
  std::string name;
  std::string surname;
  std::string id_type;
  std::string id_number;
  std::string id_valid_from;
  std::string id_valid_to;
  std::string gender;
  std::string birth_date;
  std::string nationality;
  std::string ethnicity;
  std::string occupation;
  std::string residence_district;
  std::string residence_address;
  std::string mobile;
  std::string issuing_bank;
  std::string issuing_branch;
  std::string pension_bank;
  std::string pension_branch;
  bool first_application = true;
  std::string collection;
  // Always drawn so that switching collection to "mail" has one at hand;
  // written only when include_recipient is set.
  Recipient recipient;
  bool include_recipient = false;
  const std::string* photo = nullptr;  // base64, owned by the generator's pool
  const std::string* id_front = nullptr;
  const std::string* id_back = nullptr;
  bool disclaimer_agreed = true;
  bool declaration_agreed = true;
};

// The pools of base64 images an application picks from.
struct ImagePool {
  std::vector<std::string> photos;
  std::vector<std::string> id_fronts;
  std::vector<std::string> id_backs;
  // Only filled when invalid applications are wanted.
  std::vector<std::string> wrong_dimensions;
  std::vector<std::string> too_small;
  std::vector<std::string> not_jpeg;
  std::vector<std::string> greyscale;
};

// A valid application (every rule of spec/application.md holds).
Application make_valid_application(Prng& rng, const RegionPlaces& places, const ImagePool& pool,
                                   std::string application_id);

// Breaks exactly the rule behind `kind` (an error code from invalid_kinds(),
// except "json.malformed", which is applied to the JSON text instead).
void break_rule(Prng& rng, const RegionPlaces& places, const ImagePool& pool,
                const std::string& kind, Application& app);

// One line of JSON, fixed key order.
std::string to_json(const Application& app);

}  // namespace cardd::testdata
