// Who holds an encoding claim, and whether that holder can still write.
// A claim is never taken from a live holder: one on this host is alive while
// its process is; one elsewhere while its lease lasts (it renews the lease
// before every write, so an expired lease means it has not written since).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/db/card_repository.h"

namespace cardd::server {

// Long enough for the slowest step between two writes of one session.
inline constexpr std::int64_t kClaimLeaseSeconds = 60;

// "host/pid/reader" for the session of this process at `reader`.
std::string claim_holder(std::string_view reader);

bool holder_alive(const db::CardClaim& claim, std::int64_t now);

}  // namespace cardd::server
