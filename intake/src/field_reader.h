// Typed access to the members of one JSON object that records every missing
// or mistyped field as a FieldError instead of failing on the first.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/intake/application.h"

namespace cardd::intake {

class FieldReader {
 public:
  // `prefix` names the enclosing object in field names ("recipient." or "").
  FieldReader(simdjson::dom::object object, std::string prefix, std::vector<FieldError>& errors)
      : object_(object), prefix_(std::move(prefix)), errors_(errors) {}

  // Absent or null: records "<field>.missing". Another type: "<field>.type".
  std::optional<std::string_view> required_string(std::string_view name);
  // Absent or null: nullopt without an error. Another type: "<field>.type".
  std::optional<std::string_view> optional_string(std::string_view name);
  std::optional<bool> required_bool(std::string_view name);
  std::optional<simdjson::dom::object> required_object(std::string_view name);
  bool present(std::string_view name) const;

  // Records "<prefix><name>" with code "<prefix><name>.<suffix>".
  void fail(std::string_view name, std::string_view suffix, std::string message);

 private:
  std::optional<simdjson::dom::element> lookup(std::string_view name) const;
  std::string field(std::string_view name) const { return prefix_ + std::string(name); }

  simdjson::dom::object object_;
  std::string prefix_;
  std::vector<FieldError>& errors_;
};

}  // namespace cardd::intake
