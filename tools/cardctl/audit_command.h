// The audit log's status in words, shared by `audit verify` and `report`.
#pragma once

#include <string>

#include "cardd/db/audit_repository.h"

namespace cardd::cardctl {

// "intact (45 entries); head anchored at entry 45" or "BROKEN at entry 17: entry 17 was edited".
std::string describe_audit(const db::AuditReport& report);

}  // namespace cardd::cardctl
