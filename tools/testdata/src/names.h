// Chinese names as retirees carry them: Han names of 2–4
// characters, minority names with "·" between the parts, and names with a
// rare character from CJK Extension B+ (outside the BMP).
#pragma once

#include <string>

#include "prng.h"

namespace cardd::testdata {

enum class NameKind { han, minority, rare_character };

struct PersonName {
  std::string text;     // UTF-8
  std::string surname;  // for relatives who share it; the first part for minority names
  NameKind kind = NameKind::han;
  std::string ethnicity;  // GB/T 3304 code that fits the name
};

// About 5 % minority names, 3 % with an Extension B+ character, the rest Han.
PersonName make_person_name(Prng& rng, bool female);

// A relative (child) of someone with `surname`, for mail recipients.
std::string make_relative_name(Prng& rng, const std::string& surname);

// Number of Unicode code points in valid UTF-8.
std::size_t count_code_points(const std::string& utf8);

// Byte offset of the code point with index `n` (size() when n is past the end).
std::size_t code_point_offset(const std::string& utf8, std::size_t n);

}  // namespace cardd::testdata
