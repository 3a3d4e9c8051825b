#include "cardd/card/apdu_error.h"

#include <string>

namespace cardd::card {
namespace {

class TlvCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tlv"; }
  std::string message(int code) const override {
    switch (static_cast<TlvError>(code)) {
      case TlvError::truncated:
        return "truncated";
      case TlvError::bad_length:
        return "bad_length";
      case TlvError::bad_tag:
        return "bad_tag";
      case TlvError::too_deep:
        return "too_deep";
    }
    return "unknown";
  }
};

class ApduCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "apdu"; }
  std::string message(int code) const override {
    switch (static_cast<ApduError>(code)) {
      case ApduError::malformed:
        return "malformed";
      case ApduError::too_long:
        return "too_long";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& tlv_category() {
  static const TlvCategory category;
  return category;
}

const std::error_category& apdu_category() {
  static const ApduCategory category;
  return category;
}

}  // namespace cardd::card
