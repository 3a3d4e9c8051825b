#include "cardd/common/pii.h"

namespace cardd {

std::string mask_id_number(std::string_view id_number) {
  if (id_number.size() != 18) return std::string(id_number.size(), '*');
  std::string out(id_number);
  for (std::size_t i = 6; i < 14; ++i) out[i] = '*';
  return out;
}

std::string mask_mobile(std::string_view mobile) {
  if (mobile.size() != 11) return std::string(mobile.size(), '*');
  std::string out(mobile);
  for (std::size_t i = 3; i < 7; ++i) out[i] = '*';
  return out;
}

std::string mask_tail4(std::string_view value) {
  if (value.size() <= 4) return std::string(value.size(), '*');
  std::string out(value.size() - 4, '*');
  out.append(value.substr(value.size() - 4));
  return out;
}

}  // namespace cardd
