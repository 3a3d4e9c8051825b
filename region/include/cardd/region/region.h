// A region (an issuer's area: a province-level city or province) as data: everything in
// which one region's cards, rules and documents differ from another's lives
// in profiles/<region>/ and nowhere in code (docs/regions.md).
//
//   region.toml  code, name, civil time, vendor code, hotline, courier,
//                districts, collection rules, banks (code, name, BIN), texts
//   chip.toml    the card profile (personalization::load_card_profile)
//   face.toml    the card face template (printer::load_face_template)
//   testdata.toml  what the test-data generator needs (tools/testdata)
//
// A Region is an immutable value; share it freely between threads.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/intake/region_rules.h"

namespace cardd::region {

enum class RegionError {
  unreadable = 1,  // a file cannot be read or is not TOML
  invalid,         // one or more problems; the message lists each with file, key and line
  not_found,       // no folder of the search path holds the region; the message lists them
};
const std::error_category& region_category();
inline std::error_code make_error_code(RegionError e) {
  return {static_cast<int>(e), region_category()};
}

struct Bank {
  std::string code;  // issuing_bank of an application, e.g. 2-16 of A-Z 0-9
  std::string name;  // as printed on the face, letter and label
  std::string bin;   // 6-8 digits; PAN = BIN + account number + Luhn digit
  int account_digits = 0;
};

// Document wording. "{bank}", "{branch}" and "{name}" are filled in by
// fill(); the loader refuses any other placeholder.
struct Texts {
  std::string letter_title;      // heading of the carrier letter
  std::string label_sender;      // sender line of the mailing label ("{bank}")
  std::string branch_recipient;  // label recipient for branch pickup ("{bank}", "{branch}")
  std::string branch_address;    // label address for branch pickup ("{name}")
};

struct Region {
  std::string id;               // the folder's name, as selected with --region
  std::string code;             // GB/T 2260, 6 digits (also written on the chip)
  std::string name;             // e.g. the city's name as addresses begin with it
  std::string vendor_code;      // card vendor code: chip identification code and face
  std::string service_hotline;  // printed on the back of the card
  std::string courier;          // carrier of mailed cards
  intake::RegionRules rules;    // districts, channels, collection, postal codes, civil time
  std::vector<Bank> banks;
  Texts texts;
  std::filesystem::path folder;  // where region.toml was found

  UtcOffset utc_offset() const { return rules.utc_offset; }
  std::filesystem::path chip_profile() const { return folder / "chip.toml"; }
  std::filesystem::path face_template() const { return folder / "face.toml"; }
  std::filesystem::path testdata() const { return folder / "testdata.toml"; }

  // nullptr for a bank the region does not know.
  const Bank* bank(std::string_view bank_code) const;
  // The bank's name; the code itself for an unknown bank.
  std::string bank_name(std::string_view bank_code) const;
};

// Reads and validates <folder>/region.toml. Every problem is reported at
// once, each as "region.toml: key: what (line N)".
Result<Region> load_region(const std::filesystem::path& folder);
// The same from text; `source` names the file in messages.
Result<Region> parse_region(std::string_view toml_text, std::string_view source,
                            const std::filesystem::path& folder);

// Replaces "{key}" by its value for each pair; other text is kept as it is.
std::string fill(std::string_view text,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace cardd::region

template <>
struct std::is_error_code_enum<cardd::region::RegionError> : std::true_type {};
