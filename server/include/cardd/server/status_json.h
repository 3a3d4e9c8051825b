// An application's state, history and shipment as JSON: one shape for
// `cardctl status --json` and `GET /api/v1/applications/{id}`.
#pragma once

#include <optional>
#include <string>

#include "cardd/db/application_repository.h"
#include "cardd/db/fulfilment_repository.h"

namespace cardd::server {

std::string application_json(const db::ApplicationStatus& status,
                             const std::optional<db::Shipment>& shipment);

}  // namespace cardd::server
