#include "cardd/card/ber_tlv.h"

#include <fmt/format.h>

namespace cardd::card {
namespace {

class Parser {
 public:
  Parser(ByteView data, TlvParseOptions options) : data_(data), options_(options) {}

  Result<std::vector<Tlv>> sequence(std::size_t begin, std::size_t end, std::size_t depth) {
    if (depth > options_.max_depth)
      return make_error(TlvError::too_deep,
                        fmt::format("objects nested deeper than {}", options_.max_depth));
    std::vector<Tlv> out;
    std::size_t pos = begin;
    while (pos < end) {
      if (options_.skip_padding && (data_[pos] == 0x00 || data_[pos] == 0xFF)) {
        ++pos;
        continue;
      }
      auto tlv = object(pos, end, depth);
      if (!tlv) return tlv.error();
      out.push_back(std::move(*tlv));
    }
    return out;
  }

 private:
  Result<Tlv> object(std::size_t& pos, std::size_t end, std::size_t depth) {
    const std::size_t start = pos;
    Tag tag = data_[pos++];
    if ((tag & 0x1F) == 0x1F) {
      std::size_t extra = 0;
      while (true) {
        if (pos >= end) return truncated(start, "tag");
        if (++extra > 3)
          return make_error(TlvError::bad_tag,
                            fmt::format("tag at offset {} is over 4 bytes", start));
        const std::uint8_t b = data_[pos++];
        tag = (tag << 8) | b;
        if ((b & 0x80) == 0) break;
      }
    }
    if (pos >= end) return truncated(start, "length");
    std::size_t length = data_[pos++];
    if (length == 0x80)
      return make_error(TlvError::bad_length, fmt::format("indefinite length at offset {}", start));
    if (length > 0x80) {
      const std::size_t count = length & 0x7F;
      if (count > 3)
        return make_error(TlvError::bad_length,
                          fmt::format("length of {} bytes at offset {}", count, start));
      if (end - pos < count) return truncated(start, "length");
      length = 0;
      for (std::size_t i = 0; i < count; ++i) length = (length << 8) | data_[pos++];
    }
    if (end - pos < length) return truncated(start, "value");
    Tlv tlv;
    tlv.tag = tag;
    if (is_constructed(tag)) {
      auto children = sequence(pos, pos + length, depth + 1);
      if (!children) return children.error();
      tlv.children = std::move(*children);
    } else {
      tlv.value.assign(data_.begin() + static_cast<std::ptrdiff_t>(pos),
                       data_.begin() + static_cast<std::ptrdiff_t>(pos + length));
    }
    pos += length;
    return tlv;
  }

  static Error truncated(std::size_t start, std::string_view part) {
    return make_error(TlvError::truncated,
                      fmt::format("object at offset {}: {} runs past the end", start, part));
  }

  ByteView data_;
  TlvParseOptions options_;
};

Tag first_byte(Tag tag) {
  while (tag > 0xFF) tag >>= 8;
  return tag;
}

}  // namespace

bool is_constructed(Tag tag) { return (first_byte(tag) & 0x20) != 0; }

const Tlv* Tlv::find(Tag wanted) const { return find_tlv(children, wanted); }

const Tlv* find_tlv(std::span<const Tlv> tlvs, Tag wanted) {
  for (const Tlv& t : tlvs) {
    if (t.tag == wanted) return &t;
    if (const Tlv* inner = t.find(wanted)) return inner;
  }
  return nullptr;
}

Result<std::vector<Tlv>> parse_tlv(ByteView data, TlvParseOptions options) {
  return Parser(data, options).sequence(0, data.size(), 0);
}

void append_tag(Bytes& out, Tag tag) {
  bool started = false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto b = static_cast<std::uint8_t>(tag >> shift);
    if (b != 0 || started || shift == 0) {
      out.push_back(b);
      started = true;
    }
  }
}

void append_length(Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFF) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFFFF) {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
  } else {
    out.push_back(0x83);
    out.push_back(static_cast<std::uint8_t>(length >> 16));
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
  }
}

Bytes encode_tlv(const Tlv& tlv) {
  Bytes value = is_constructed(tlv.tag) ? encode_tlvs(tlv.children) : tlv.value;
  Bytes out;
  out.reserve(value.size() + 8);
  append_tag(out, tlv.tag);
  append_length(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes encode_tlvs(std::span<const Tlv> tlvs) {
  Bytes out;
  for (const Tlv& t : tlvs) {
    const Bytes one = encode_tlv(t);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

}  // namespace cardd::card
