// Beijing districts, addresses, postal codes, banks and mobile numbers.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "prng.h"

namespace cardd::testdata {

struct District {
  std::string_view code;         // GB/T 2260
  std::string_view name;         // e.g. "朝阳区"
  std::string_view postal_code;  // main post office, "10xxxx"
  std::span<const std::string_view> streets;
};

std::span<const District> beijing_districts();

// "北京市朝阳区建国路88号院3号楼2单元501" style, well under 120 characters.
std::string make_address(Prng& rng, const District& district);

// The eight pension-paying banks.
std::span<const std::string_view> bank_codes();
// "ICBC-110105-001": bank, district of the branch, branch number.
std::string make_branch(Prng& rng, std::string_view bank, std::string_view district_code);

// Mainland mobile number, "1[3-9]" + 9 digits, with real carrier prefixes.
std::string make_mobile(Prng& rng);

}  // namespace cardd::testdata
