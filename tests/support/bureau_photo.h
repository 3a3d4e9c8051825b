// A real bureau photo (358×441 JPEG, 20 KB or more) from the test-data
// generator. Users link cardd::testdata and nlohmann_json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cardd/common/base64.h"
#include "cardd/testdata/generator.h"
#include "test_places.h"

namespace cardd::test {

inline const std::string& bureau_photo() {
  static const std::string photo = [] {
    const testdata::Generator gen(cardd::test::generator_options(1));
    const auto j = nlohmann::json::parse(gen.make(0).json);
    return *base64_decode(j["photo"].get<std::string>());
  }();
  return photo;
}

}  // namespace cardd::test
