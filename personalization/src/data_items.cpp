#include "data_items.h"

#include <array>

namespace cardd::personalization {
namespace {

constexpr std::array<DataItem, 20> kItems = {{
    {"card.identification_code", Encoding::binary, 16},
    {"card.type", Encoding::an, 0},
    {"card.spec_version", Encoding::ans, 4},
    {"card.issuer_org", Encoding::cn, 12},
    {"card.issue_date", Encoding::cn, 4},
    {"card.expiry_date", Encoding::cn, 4},
    {"card.number", Encoding::an, 9},
    {"holder.ssn", Encoding::an, 18},
    {"holder.name", Encoding::gb18030, 0},
    {"holder.name_extension", Encoding::gb18030, 0},
    {"holder.gender", Encoding::an, 1},
    {"holder.ethnicity", Encoding::cn, 1},
    {"holder.birth_place", Encoding::cn, 3},
    {"holder.birth_date", Encoding::cn, 4},
    {"holder.photo", Encoding::binary, 0},
    {"fin.pan", Encoding::cn, 10},
    {"fin.expiry", Encoding::cn, 3},
    {"fin.effective", Encoding::cn, 3},
    {"fin.service_code", Encoding::cn, 2},
    {"fin.name", Encoding::gb18030, 0},
}};

}  // namespace

const DataItem* find_data_item(std::string_view name) {
  for (const auto& item : kItems)
    if (item.name == name) return &item;
  return nullptr;
}

}  // namespace cardd::personalization
