// Deterministic, realistic test applications (spec/application.md).
//
// The same (seed, index) always yields byte-identical JSON, so the bureau
// simulator can serve application N without keeping a list, and tests can
// regenerate what a file contained. Retirees of a region (its districts,
// streets, banks and channels from its data, see region_places.h) born
// 1940–1966, valid resident ID numbers, Han and minority names (with "·") and
// names with CJK Extension B+ characters, every district, both collection
// methods as the channel rules allow, real JPEG photos of 358×441 px and >= 20 KiB, and ID
// card images.
//
// Thread safety: a Generator is immutable after construction; make() may be
// called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cardd/testdata/region_places.h"

namespace cardd::testdata {

struct GeneratorOptions {
  std::uint64_t seed = 1;
  // Share (0..1) of applications that break exactly one rule.
  double invalid_rate = 0.0;
  // When true, some invalid ones are not JSON at all (for batch files);
  // the bureau simulator keeps this off because it serves JSON arrays.
  bool include_malformed = false;
  // Prefix of application ids: "<prefix>-<seed>-<index, 8 digits>"; empty:
  // the region's id_prefix.
  std::string id_prefix;
  // The region the applications come from (required).
  std::shared_ptr<const RegionPlaces> places;
};

struct GeneratedApplication {
  std::string application_id;
  std::string json;  // one JSON object on one line, no trailing newline
  // The error code the validator must report for it, empty when valid
  // (e.g. "id_number.checksum", "photo.dimensions", "json.malformed").
  std::string expected_error;
};

class Generator {
 public:
  // options.places must be set.
  explicit Generator(GeneratorOptions options);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  GeneratedApplication make(std::uint64_t index) const;

  // Every error code that make() can produce for an invalid application.
  static const std::vector<std::string>& invalid_kinds(bool include_malformed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::testdata
