// Resident ID numbers (GB 11643) and the calendar arithmetic they need.
#pragma once

#include <string>

#include "cardd/testdata/region_places.h"
#include "prng.h"

namespace cardd::testdata {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
};

bool is_leap_year(int year);
int days_in_month(int year, int month);
// Day number since 1970-01-01 (proleptic Gregorian), and back.
long long days_from_civil(Date d);
Date civil_from_days(long long days);

std::string iso_date(Date d);      // YYYY-MM-DD
std::string compact_date(Date d);  // YYYYMMDD

// Uniform over the days of [first_year-01-01, last_year-12-31].
Date random_date(Prng& rng, int first_year, int last_year);

// ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of the first 17 digits.
char id_check_character(const std::string& first17);

struct IdNumber {
  std::string text;  // 18 characters
  Date birth;
  bool male = false;
};

// A valid number for someone born on `birth`: mostly the region's district
// codes, some from other provinces; the sequence parity follows `male`; an 'X' check
// character is occasionally written in lower case (valid, normalized later).
IdNumber make_id_number(Prng& rng, const RegionPlaces& places, Date birth, bool male);

}  // namespace cardd::testdata
