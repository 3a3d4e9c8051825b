#include "cardd/intake/application.h"

namespace cardd::intake {

std::string_view to_string(Channel v) {
  switch (v) {
    case Channel::website:
      return "website";
    case Channel::jingtong:
      return "jingtong";
    case Channel::minsheng:
      return "minsheng";
  }
  return "?";
}

std::string_view to_string(Gender v) { return v == Gender::male ? "male" : "female"; }
std::string_view to_string(IdType) { return "resident_id"; }

std::optional<Channel> channel_from_string(std::string_view s) {
  for (const auto c : {Channel::website, Channel::jingtong, Channel::minsheng})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::optional<Gender> gender_from_string(std::string_view s) {
  if (s == "male") return Gender::male;
  if (s == "female") return Gender::female;
  return std::nullopt;
}

}  // namespace cardd::intake
