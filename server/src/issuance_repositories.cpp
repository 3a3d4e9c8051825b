#include "cardd/server/issuance_repositories.h"

#include <fmt/format.h>

#include "cardd/db/error.h"

namespace cardd::server {

Result<std::string> encoded_chip(db::CardRepository& cards, std::string_view application_id) {
  auto all = cards.cards_of(application_id);
  if (!all) return all.error();
  std::string chip;
  for (const auto& c : *all)
    if (c.state == db::CardState::encoded) chip = c.chip_id;
  if (chip.empty())
    return make_error(db::DbError::corrupt,
                      fmt::format("application {} has no encoded card", application_id));
  return chip;
}

}  // namespace cardd::server
