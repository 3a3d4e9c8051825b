#include "cardd/card/status_word.h"

#include <fmt/format.h>

namespace cardd::card {

std::string_view StatusWord::meaning() const {
  if (bytes_remaining()) return "more response bytes available";
  if (wrong_le()) return "wrong Le; exact length given";
  if (verify_failed()) return "verification failed; counter holds tries left";
  switch (value_) {
    case 0x9000:
      return "success";
    case 0x6200:
      return "warning: state unchanged";
    case 0x6581:
      return "memory failure";
    case 0x6700:
      return "wrong length";
    case 0x6881:
      return "logical channel not supported";
    case 0x6882:
      return "secure messaging not supported";
    case 0x6981:
      return "command incompatible with file structure";
    case 0x6982:
      return "security status not satisfied";
    case 0x6983:
      return "authentication method blocked";
    case 0x6984:
      return "reference data not usable";
    case 0x6985:
      return "conditions of use not satisfied";
    case 0x6986:
      return "command not allowed";
    case 0x6987:
      return "expected secure messaging data objects missing";
    case 0x6988:
      return "incorrect secure messaging data objects";
    case 0x6A80:
      return "incorrect data";
    case 0x6A81:
      return "function not supported";
    case 0x6A82:
      return "file or application not found";
    case 0x6A83:
      return "record not found";
    case 0x6A84:
      return "not enough memory";
    case 0x6A86:
      return "incorrect P1-P2";
    case 0x6A88:
      return "referenced data not found";
    case 0x6B00:
      return "wrong P1-P2";
    case 0x6D00:
      return "instruction not supported";
    case 0x6E00:
      return "class not supported";
    case 0x6F00:
      return "no precise diagnosis";
    default:
      return "unknown status";
  }
}

std::string StatusWord::to_string() const { return fmt::format("{:04X} ({})", value_, meaning()); }

}  // namespace cardd::card
