#include "cardd/intake/application.h"

#include <array>
#include <utility>

namespace cardd::intake {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kDistricts = {{
    {"110101", "东城区"},
    {"110102", "西城区"},
    {"110105", "朝阳区"},
    {"110106", "丰台区"},
    {"110107", "石景山区"},
    {"110108", "海淀区"},
    {"110109", "门头沟区"},
    {"110111", "房山区"},
    {"110112", "通州区"},
    {"110113", "顺义区"},
    {"110114", "昌平区"},
    {"110115", "大兴区"},
    {"110116", "怀柔区"},
    {"110117", "平谷区"},
    {"110118", "密云区"},
    {"110119", "延庆区"},
}};

}  // namespace

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

bool is_beijing_district(std::string_view code) { return !beijing_district_name(code).empty(); }

std::string_view beijing_district_name(std::string_view code) {
  for (const auto& [c, name] : kDistricts)
    if (c == code) return name;
  return {};
}

}  // namespace cardd::intake
