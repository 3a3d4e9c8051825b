// A valid application from the generator, as JSON to mutate per test, and a
// validator with a fixed clock (2026-11-24T04:00:00Z, noon at UTC+8).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cardd/intake/validator.h"
#include "cardd/testdata/generator.h"
#include "regions.h"
#include "test_places.h"

namespace cardd::intake::test {

inline constexpr UnixSeconds kNow = 1795492800;  // 2026-11-24T04:00:00Z

class ValidatorTest : public ::testing::Test {
 protected:
  static nlohmann::json valid_application(std::uint64_t index = 3) {
    static const testdata::Generator generator(cardd::test::generator_options(42, 0.0, false, "T"));
    return nlohmann::json::parse(generator.make(index).json);
  }

  ValidationResult check(const nlohmann::json& j) { return validator_.validate(j.dump()); }

  static bool has_code(const ValidationResult& r, const std::string& code) {
    return std::any_of(r.errors.begin(), r.errors.end(),
                       [&](const FieldError& e) { return e.code == code; });
  }

  static std::string codes(const ValidationResult& r) {
    std::string out;
    for (const auto& e : r.errors) out += e.code + " ";
    return out;
  }

  ApplicationValidator validator_{ValidatorOptions{[] { return kNow; }, 300, 32u * 1024u * 1024u,
                                                   cardd::test::shipped_region().rules}};
};

}  // namespace cardd::intake::test
