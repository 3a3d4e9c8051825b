#include "field_reader.h"

namespace cardd::intake {

std::optional<simdjson::dom::element> FieldReader::lookup(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null())
    return std::nullopt;
  return element;
}

bool FieldReader::present(std::string_view name) const { return lookup(name).has_value(); }

void FieldReader::fail(std::string_view name, std::string_view suffix, std::string message) {
  std::string f = field(name);
  std::string code = f + "." + std::string(suffix);
  errors_.push_back(FieldError{std::move(f), std::move(code), std::move(message)});
}

std::optional<std::string_view> FieldReader::optional_string(std::string_view name) {
  const auto element = lookup(name);
  if (!element) return std::nullopt;
  std::string_view value;
  if (element->get_string().get(value) != simdjson::SUCCESS) {
    fail(name, "type", "must be a string");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string_view> FieldReader::required_string(std::string_view name) {
  if (!present(name)) {
    fail(name, "missing", "is required");
    return std::nullopt;
  }
  return optional_string(name);
}

std::optional<bool> FieldReader::required_bool(std::string_view name) {
  const auto element = lookup(name);
  if (!element) {
    fail(name, "missing", "is required");
    return std::nullopt;
  }
  bool value = false;
  if (element->get_bool().get(value) != simdjson::SUCCESS) {
    fail(name, "type", "must be true or false");
    return std::nullopt;
  }
  return value;
}

std::optional<simdjson::dom::object> FieldReader::required_object(std::string_view name) {
  const auto element = lookup(name);
  if (!element) {
    fail(name, "missing", "is required");
    return std::nullopt;
  }
  simdjson::dom::object value;
  if (element->get_object().get(value) != simdjson::SUCCESS) {
    fail(name, "type", "must be an object");
    return std::nullopt;
  }
  return value;
}

}  // namespace cardd::intake
