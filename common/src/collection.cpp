#include "cardd/common/collection.h"

namespace cardd {

std::string_view to_string(CollectionMethod c) {
  switch (c) {
    case CollectionMethod::mail:
      return "mail";
    case CollectionMethod::branch:
      return "branch";
    case CollectionMethod::unknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<CollectionMethod> collection_from_string(std::string_view s) {
  if (s == "mail") return CollectionMethod::mail;
  if (s == "branch") return CollectionMethod::branch;
  return std::nullopt;
}

}  // namespace cardd
