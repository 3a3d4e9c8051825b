// One std::error_category for every module's `enum class` of error codes.
//
// A module keeps only its enum and a function naming each code; the category's
// name and the code's name make up `Error::describe()`'s "<category>.<code>"
// (e.g. "hsm.key_not_found"), which operators, tests and docs match on.
//
//   std::string_view to_string(HsmError e);  // a switch over every code
//   const std::error_category& hsm_category() {
//     static const ErrorCategory<HsmError> category("hsm", to_string);
//     return category;
//   }
//
// The naming function is a switch with no default, so a code added to the enum
// without a name is a compiler warning (an error in this build). A value outside
// the enum, or one the function leaves unnamed (an empty view), reads "unknown".
// Thread safety: immutable after construction; safe to share.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace cardd {

template <typename Enum>
requires std::is_enum_v<Enum>
class ErrorCategory final : public std::error_category {
 public:
  using Names = std::string_view (*)(Enum);

  // `name` must outlive the category (a string literal).
  constexpr ErrorCategory(const char* name, Names names) noexcept : name_(name), names_(names) {}

  const char* name() const noexcept override { return name_; }

  std::string message(int code) const override {
    const std::string_view text = names_(static_cast<Enum>(code));
    return text.empty() ? std::string("unknown") : std::string(text);
  }

 private:
  const char* name_;
  Names names_;
};

}  // namespace cardd
