#include "dgi_stream.h"

#include <algorithm>

namespace cardd::vcard {

std::variant<std::vector<Dgi>, StatusWord> DgiStream::feed(ByteView data, bool encrypted,
                                                           bool last_block) {
  const auto fail = [this] {
    pending_.reset();
    return sw::kWrongData;
  };
  std::vector<Dgi> done;
  std::size_t pos = 0;
  if (pending_) {
    if (encrypted) return fail();
    pos = std::min(pending_length_ - pending_->value.size(), data.size());
    pending_->value.insert(pending_->value.end(), data.begin(),
                           data.begin() + static_cast<std::ptrdiff_t>(pos));
    if (pending_->value.size() == pending_length_) {
      done.push_back(std::move(*pending_));
      pending_.reset();
    }
  }
  while (pos < data.size()) {
    if (pos + 3 > data.size()) return fail();
    Dgi dgi{static_cast<std::uint16_t>(data[pos] << 8 | data[pos + 1]), {}};
    std::size_t length = data[pos + 2];
    pos += 3;
    if (length == 0xFF) {
      if (pos + 2 > data.size()) return fail();
      length = static_cast<std::size_t>(data[pos] << 8 | data[pos + 1]);
      pos += 2;
    }
    const std::size_t here = std::min(length, data.size() - pos);
    const auto from = data.begin() + static_cast<std::ptrdiff_t>(pos);
    dgi.value.assign(from, from + static_cast<std::ptrdiff_t>(here));
    pos += here;
    if (here < length) {
      // Encrypted values are decrypted per command, so they cannot be split.
      if (encrypted) return fail();
      pending_ = std::move(dgi);
      pending_length_ = length;
    } else {
      done.push_back(std::move(dgi));
    }
  }
  if (pending_ && last_block) return fail();
  return done;
}

}  // namespace cardd::vcard
