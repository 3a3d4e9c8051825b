// How the holder collects the card: the one type intake (parsing the
// bureau's value), db (the state machine's route after QC) and server share.
#pragma once

#include <optional>
#include <string_view>

namespace cardd {

// `unknown` only for an application rejected before its method was known.
enum class CollectionMethod { mail, branch, unknown };

std::string_view to_string(CollectionMethod c);  // "mail", "branch", "unknown"
// "mail" or "branch"; nullopt for anything else (including "unknown").
std::optional<CollectionMethod> collection_from_string(std::string_view s);

}  // namespace cardd
