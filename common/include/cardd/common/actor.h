// Who acts: every history and audit entry names a person or process, never
// just a program. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cardd {

// "user@host via program" for the operating-system user running this
// process (the invoking user under sudo), e.g. "alice@center-01 via cardctl".
std::string local_actor(std::string_view program);

// The actor at a card slot: "alice@center-01 via cardctl at reader 'Virtual PCD 00 00'".
std::string actor_at_reader(std::string_view actor, std::string_view reader);

}  // namespace cardd
