#include "cardd/common/result.h"

namespace cardd {

std::string Error::describe() const {
  std::string out = code.category().name();
  out += '.';
  out += code.message();
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace cardd
